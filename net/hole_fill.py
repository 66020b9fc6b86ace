"""The network's colour under the hints, taken from their surroundings (pull-push hole filling).

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

_EPS = 1e-6


def fill_from_surroundings(y: torch.Tensor, free: torch.Tensor, shapes) -> torch.Tensor:
    """``y`` (C, H, W) with its values where ``free`` (H, W; 1 = keep, 0 = hole) is 0 replaced
    by those of the nearest kept pixels, smoothly.

    Pull: area means of ``y * free`` and of ``free`` down the pyramid ``shapes`` ((H, W)
    finest first, e.g. the Levin pyramid's levels). Push: from the coarsest level up, each
    pixel keeps its own kept share and takes the rest from the coarser level, bilinearly.
    Holes that cover whole pixels of the coarsest level grow in from their 3x3 neighbours.
    Kept pixels are returned unchanged; without any kept pixel ``y`` is returned as it is.
    """
    free = free.to(y.dtype)
    if not bool((free > 0).any()) or bool((free > 0).all()):
        return y
    ys, ws = [(y * free)[None]], [free[None, None]]
    for shape in list(shapes)[1:]:
        ys.append(F.interpolate(ys[-1], size=tuple(shape), mode="area"))
        ws.append(F.interpolate(ws[-1], size=tuple(shape), mode="area"))
    v = ys[-1] / ws[-1].clamp_min(_EPS)
    v = _grow_into_holes(v, ws[-1] > _EPS)
    for yl, wl in zip(reversed(ys[:-1]), reversed(ws[:-1])):
        up = F.interpolate(v, size=yl.shape[-2:], mode="bilinear", align_corners=False)
        v = yl + (1.0 - wl) * up
    return v[0]


def _grow_into_holes(v: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Holes of ``v`` (1, C, h, w) outside ``valid`` (1, 1, h, w) take the mean of their valid
    3x3 neighbours, ring by ring, until none is left."""
    while not bool(valid.all()):
        vf = valid.to(v.dtype)
        num = F.avg_pool2d(v * vf, 3, stride=1, padding=1)
        den = F.avg_pool2d(vf, 3, stride=1, padding=1)
        new = (~valid) & (den > _EPS)
        v = torch.where(new, num / den.clamp_min(_EPS), v)
        valid = valid | new
    return v
