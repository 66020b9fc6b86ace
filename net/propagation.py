"""Edge-aware propagation of sparse hints: the network's extra input channels.

Three methods, named in each model's config (``ModelConfig.propagation``):

* ``"fgs"`` (the first shipped models): normalised convolution,
  S(hint_ab * mask) / S(mask), with S OpenCV's fast global smoother guided by L.
  Cheap, but it averages hints over long distances: ~1 dB below Levin's solve at
  5-100 hints on photos-val, and hinted pixels were overridden afterwards, which left
  hard dots where the average differed from the hint.
* ``"levin"``: Levin et al.'s own system solved coarse to fine
  (:mod:`net.levin_propagation`): hints fixed, each other pixel the luminance-weighted
  mean of its neighbours, so colour stops at edges and flows smoothly out of each hint.
  A lone hint fills the whole photo, across every edge, and the network followed it there.
* ``"levin-screened"``: the same system screened to fade over :data:`SCREENED_REACH` long
  sides (as the residual correction is): a lone hint fills its region and hardly crosses a
  strong edge that no hint reaches on the other side.

All give the same 3 channels: propagated a, b and a confidence (log-scaled mass of
the smoothed mask, 0 where no hint reaches). Everything that depends only on the
luminance is computed once per photo by :class:`Propagator`.

After the network, :meth:`Propagator.correct` makes its result pass through every hint:
the residual at the hinted pixels (hint minus the network's colour around the hint, filled
in under it by :mod:`net.hole_fill`) is propagated by Levin's system and added. A hint's
colour then blends into its region instead of standing out as a dot, and dense hints pull
the result the way Levin's solve does, while the network's colour (its texture, what lies
beyond the reach of the hints) stays. Models choose it in their config
(``ModelConfig.hint_correction``).
"""
from __future__ import annotations

import cv2
import numpy as np
import torch

from .affinity import learned_affinities
from .color import L_CENTER, L_SCALE
from .hints import photo_side
from .hole_fill import fill_from_surroundings
from .levin_propagation import LevinPyramid

METHODS = ("fgs", "levin", "levin-screened")
LEVIN_METHODS = ("levin", "levin-screened")
# The screening of "levin-screened", in long sides of the photo. With v3's weights on a photo
# split by a 100|130 gray edge, one red hint on the left moved the right side's colour by 62 ab
# units with "levin" and by 8 with this (90|150: 27 and 2); the left side kept its colour.
SCREENED_REACH = 2.0
# Jacobi sweeps of the correction's solve, finest level first. The residual is smooth: on 40
# photos of scenes-val PSNR was the same to 0.01 dB with (3, 6, 15, 40) as with (0, 0, 15, 40);
# one sweep at the finest level and two at the next keep it from crossing edges at pixel scale.
CORRECTION_SWEEPS = (1, 2, 15, 40)
# How far the correction reaches, in long sides of the photo (the screening of
# LevinPyramid.solve): it fills a hint's region (on a flat photo it fades to ~30 % of the
# residual at the far corner) but a lone hint hardly tints the far side of a strong edge
# (8 % of its residual there at a 90|150 step, against 100 % without screening). On 40 photos
# of scenes-val, 1/5/20/100 hints: +0.08/+0.15/+0.39/+0.43 dB over the network alone; no
# decay +0.13/+0.24/+0.42/+0.43, one long side +0.03/+0.11/+0.36/+0.44.
CORRECTION_REACH = 2.0
# Coarse pixels with any hinted share hold the residual of their hinted part (see correct()).
CORRECTION_HARD = True
FGS_LAMBDA = 2000.0
FGS_SIGMA_COLOR = 6.0
_EPS = 1e-7


def _guide(l_norm: np.ndarray) -> np.ndarray:
    return np.clip((l_norm * L_SCALE + L_CENTER) * 2.55, 0, 255).astype(np.uint8)


def _confidence(smoothed_mask: np.ndarray) -> np.ndarray:
    den = np.maximum(smoothed_mask, 0.0)
    return np.clip((np.log10(den + 1e-6) + 6.0) / 6.0, 0.0, 1.0)


class Propagator:
    """Hint propagation for one photo (one luminance image at working resolution)."""

    def __init__(self, l_norm: np.ndarray, method: str = "fgs"):
        if method not in METHODS:
            raise ValueError(f"unknown propagation {method!r}; expected one of {METHODS}")
        self.method = method
        self.l_norm = np.asarray(l_norm, np.float32)
        self.guide = _guide(self.l_norm)
        self._levin = None
        self._pyramid = self.levin_pyramid() if method in LEVIN_METHODS else None
        self._correction_pyramid = self._pyramid

    def set_correction_affinity(self, embedding) -> None:
        """Steer the correction's spread by a model's learned affinity embedding ((C, h, w),
        this photo's padded working size; :mod:`net.affinity`). The hint input keeps Levin's
        weights, which the network was trained with."""
        if self._pyramid is None:
            raise ValueError("learned affinities need Levin propagation")
        with torch.inference_mode():
            wts = learned_affinities(self._pyramid.wts, torch.as_tensor(embedding))
        self._correction_pyramid = self._pyramid.with_affinities(wts)

    def propagate(self, hint4: np.ndarray) -> np.ndarray:
        """4-channel hint tensor (L, a, b, mask) -> (3, h, w): propagated a, b and confidence."""
        _, a, b, m = hint4
        out = np.zeros((3,) + m.shape, np.float32)
        if not m.any():
            return out
        if self.method == "fgs":
            src = np.ascontiguousarray(np.stack([a * m, b * m, m], axis=-1), dtype=np.float32)
            sm = cv2.ximgproc.fastGlobalSmootherFilter(self.guide, src, FGS_LAMBDA, FGS_SIGMA_COLOR)
            inv = 1.0 / (np.maximum(sm[:, :, 2], 0.0) + _EPS)
            out[0] = sm[:, :, 0] * inv
            out[1] = sm[:, :, 1] * inv
            np.clip(out[:2], -1.5, 1.5, out=out[:2])
            out[2] = _confidence(sm[:, :, 2])
            hit = m > 0              # this method trusts hinted pixels exactly
            out[0][hit] = a[hit]
            out[1][hit] = b[hit]
            return out
        reach = SCREENED_REACH * photo_side(*m.shape) if self.method == "levin-screened" else None
        out[:2] = self._pyramid.solve(np.stack([a, b]), m, reach=reach)
        np.clip(out[:2], -1.5, 1.5, out=out[:2])
        sm = cv2.ximgproc.fastGlobalSmootherFilter(self.guide, np.ascontiguousarray(m, np.float32),
                                                   FGS_LAMBDA, FGS_SIGMA_COLOR)
        out[2] = _confidence(sm)
        return out

    def correct(self, ab: np.ndarray, hint4: np.ndarray, reach: float = CORRECTION_REACH) -> np.ndarray:
        """Chroma ``ab`` (2, h, w; normalised) made to pass through the hints of ``hint4``.

        ``f + P(mask * (hint - f))``, f = ``ab`` with its colour under the hints taken from
        their surroundings (:meth:`surroundings_under_hints`), P Levin's system with the same
        hints fixed, screened to fade over ``reach`` long sides (:data:`CORRECTION_REACH`;
        shorter for :mod:`net.hint_reach`'s "region"): exact at hinted
        pixels, a smooth edge-aware change around them, zero change without hints. Reading the
        network's colour under the hints instead left a dot wherever the network painted a
        hint's pixels apart from their ring (v3 on flat gray: 2.1 ab units from the ring for a
        red hint, 1.0 now; photos-val +0.02 to +0.24 dB at 2-100 hints). (Hint reach "region"
        corrects each colour group's output with its own hints: ``ColorizeSession``.)
        """
        m = hint4[3]
        if not (m > 0).any():
            return ab
        ab = self.surroundings_under_hints(ab, m)
        residual = (hint4[1:3] - ab) * (m > 0)
        out = ab + self._correction(residual, m, reach)
        return np.clip(out, -1.5, 1.5, out=out)          # the range propagate() keeps too

    def surroundings_under_hints(self, ab, m):
        """``ab`` with the network's colour under the hints (``m`` > 0) replaced by that of
        their surroundings on the same side of edges (:mod:`net.hole_fill`), so the correction
        lifts a hint's ring exactly to its colour; numpy arrays or (differentiably) torch
        tensors."""
        if self._pyramid is None:
            raise ValueError("the residual correction needs Levin propagation")
        if isinstance(ab, torch.Tensor):
            free = torch.as_tensor(np.asarray(m) <= 0, device=ab.device)
            return fill_from_surroundings(ab, free, self._pyramid.wts)
        with torch.inference_mode():
            out = fill_from_surroundings(torch.from_numpy(np.ascontiguousarray(ab, np.float32)),
                                         torch.from_numpy(np.asarray(m) <= 0), self._pyramid.wts)
        return out.numpy()

    @property
    def pyramid(self) -> LevinPyramid | None:
        """The Levin solver of this photo (None for ``"fgs"``)."""
        return self._pyramid

    def levin_pyramid(self) -> LevinPyramid:
        """Levin's solver of this photo, built now if its method did not need one ("fgs")."""
        if self._levin is None:
            y = np.clip((self.l_norm * L_SCALE + L_CENTER) / 100.0, 0.0, 1.0)
            self._levin = LevinPyramid(y)
        return self._levin

    @property
    def correction_pyramid(self) -> LevinPyramid | None:
        """The solver of the correction: :attr:`pyramid`, or with learned affinities."""
        return self._correction_pyramid

    def correction_reach(self, shape, reach: float = CORRECTION_REACH) -> float:
        """The screening of the correction's solve for a photo of this (h, w), ``reach`` in
        long sides of the photo (at most twice its short side: :func:`net.hints.photo_side`)."""
        return reach * photo_side(*shape)

    def _correction(self, residual: np.ndarray, m: np.ndarray, reach: float) -> np.ndarray:
        # (without a Levin pyramid, surroundings_under_hints has refused already)
        reach = self.correction_reach(m.shape, reach)
        # hard: a coarse pixel with any hinted share holds the residual of its hinted part (not
        # in proportion to that share); under the screening a small hint in a large region
        # otherwise lifted its surroundings only part of the way and stood out as a dot (6.3 ab
        # units from its ring at a 100|130 edge, 4.2 now; PSNR within 0.04 dB on 40 scenes-val).
        return self._correction_pyramid.solve(residual, m, CORRECTION_SWEEPS, reach,
                                              hard=CORRECTION_HARD)

    def hint_input(self, hint4: np.ndarray) -> np.ndarray:
        """The full network hint input: (7, h, w) = L, a, b, mask, propagated a, b, confidence."""
        return np.concatenate([hint4, self.propagate(hint4)], axis=0)


def hint_input(hint4: np.ndarray, method: str = "fgs") -> np.ndarray:
    """One-off :meth:`Propagator.hint_input` (builds the per-photo part from hint4's L)."""
    return Propagator(hint4[0], method).hint_input(hint4)
