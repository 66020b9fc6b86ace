"""The network's colour under the hints, taken from their surroundings (edge-aware pull-push).

The residual correction (:meth:`net.propagation.Propagator.correct`) moves the network's
result by what each hint asks for. If it reads the network's colour *under* a hint, a network
that paints the hinted pixels differently from their ring leaves the hint standing out as a
dot of its own colour after the correction. Reading it from the hint's surroundings instead
makes the correction lift the ring exactly to the hint's colour, whatever the network put
under the hint.

The filling is linear in the colours, written in torch once, and used both by the app
(under ``inference_mode``) and by training through the correction (differentiably).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .levin_propagation import area_pyramid, jacobi_sweep, sweeps_at

_EPS = 1e-6
# Jacobi sweeps of Levin's equations per pyramid level (finest first) after each push: they
# pull a hole's colour from its own side of an edge. A red hint of radius 3 touching a 90|150
# edge, on a network already right on both sides, moved its side by up to 17 ab units without
# them (the far side's colour mixed in by the area means), 3.7 with these and 0.3 with four at
# every level. Every sweep also cost PSNR on scenes-val (60 photos, 5/20/100 hints; the
# protocol's hints are patch means, often of both sides of an edge): -0.03/-0.06/-0.05 dB for
# these, -0.05/-0.11/-0.11 for four at every level.
FILL_SWEEPS = (4, 0, 0, 0)


def fill_from_surroundings(y: torch.Tensor, free: torch.Tensor, wts) -> torch.Tensor:
    """``y`` (C, H, W) with its values where ``free`` (H, W; 1 = keep, 0 = hole) is 0 replaced
    by those of the nearest kept pixels on the same side of the luminance's edges, smoothly.

    ``wts``: the Levin affinities of each pyramid level, finest first ((8, h, w) tensors,
    :attr:`net.levin_propagation.LevinPyramid.wts`). Pull: area means of ``y * free`` and of
    ``free`` down the pyramid. Push: from the coarsest level up, each pixel keeps its own kept
    share and takes the rest from the coarser level (bilinearly), then a few Jacobi sweeps of
    Levin's equations hold the kept share and let the rest follow its neighbours along edges.
    Holes that cover whole pixels of the coarsest level grow in from their 3x3 neighbours first.
    With ``free`` 0/1, kept pixels are returned unchanged; without any kept pixel, or without
    any hole, ``y`` is returned as it is.
    """
    free = free.to(y.dtype)
    if not bool((free > 0).any()) or bool((free > 0).all()):
        return y
    shapes = [tuple(w.shape[-2:]) for w in wts]
    ys, ws = area_pyramid((y * free)[None], shapes), area_pyramid(free[None, None], shapes)
    v = None
    for lv in range(len(shapes) - 1, -1, -1):
        yl, wl = ys[lv], ws[lv]
        mean = yl / wl.clamp_min(_EPS)
        if v is None:
            v = _grow_into_holes(mean, wl > _EPS)
        else:
            up = F.interpolate(v, size=shapes[lv], mode="bilinear", align_corners=False)
            v = yl + (1.0 - wl) * up
        w = wts[lv].to(y)
        for _ in range(sweeps_at(FILL_SWEEPS, lv)):
            v = jacobi_sweep(v[0], w, mean[0], wl[0], 1.0)[None]
    return v[0]


def _grow_into_holes(v: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Holes of ``v`` (1, C, h, w) outside ``valid`` (1, 1, h, w) take the mean of their valid
    3x3 neighbours, ring by ring, until none is left."""
    while not bool(valid.all()):
        vf = valid.to(v.dtype)
        num = F.avg_pool2d(v * vf, 3, stride=1, padding=1)
        den = F.avg_pool2d(vf, 3, stride=1, padding=1)
        new = (~valid) & (den > _EPS)
        if not bool(new.any()):                 # nothing valid at all: leave it as it is
            break
        v = torch.where(new, num / den.clamp_min(_EPS), v)
        valid = valid | new
    return v
