"""Edge-aware propagation of sparse hints: the network's extra input channels.

Two methods, named in each model's config (``ModelConfig.propagation``):

* ``"fgs"`` (the first shipped models): normalised convolution,
  S(hint_ab * mask) / S(mask), with S OpenCV's fast global smoother guided by L.
  Cheap, but it averages hints over long distances: ~1 dB below Levin's solve at
  5-100 hints on photos-val, and hinted pixels were overridden afterwards, which left
  hard dots where the average differed from the hint.
* ``"levin"``: Levin et al.'s own system solved coarse to fine
  (:mod:`net.levin_propagation`): hints fixed, each other pixel the luminance-weighted
  mean of its neighbours, so colour stops at edges and flows smoothly out of each hint.

Both give the same 3 channels: propagated a, b and a confidence (log-scaled mass of
the smoothed mask, 0 where no hint reaches). Everything that depends only on the
luminance is computed once per photo by :class:`Propagator`.
"""
from __future__ import annotations

import cv2
import numpy as np

from .color import L_CENTER, L_SCALE
from .levin_propagation import LevinPyramid

METHODS = ("fgs", "levin")
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
        self._pyramid = None
        if method == "levin":
            y = np.clip((self.l_norm * L_SCALE + L_CENTER) / 100.0, 0.0, 1.0)
            self._pyramid = LevinPyramid(y)

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
        out[:2] = self._pyramid.solve(np.stack([a, b]), m)
        np.clip(out[:2], -1.5, 1.5, out=out[:2])
        sm = cv2.ximgproc.fastGlobalSmootherFilter(self.guide, np.ascontiguousarray(m, np.float32),
                                                   FGS_LAMBDA, FGS_SIGMA_COLOR)
        out[2] = _confidence(sm)
        return out

    def hint_input(self, hint4: np.ndarray) -> np.ndarray:
        """The full network hint input: (7, h, w) = L, a, b, mask, propagated a, b, confidence."""
        return np.concatenate([hint4, self.propagate(hint4)], axis=0)


def hint_input(hint4: np.ndarray, method: str = "fgs") -> np.ndarray:
    """One-off :meth:`Propagator.hint_input` (builds the per-photo part from hint4's L)."""
    return Propagator(hint4[0], method).hint_input(hint4)
