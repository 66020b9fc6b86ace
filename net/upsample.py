"""Chroma upsampling guided by the full-resolution lightness (fast guided filter).

The network predicts chroma at working size (long side 256 for most photos); a 12 MP photo needs it ~15x
larger. Bilinear upsampling smears every colour edge over ~15-50 full-size pixels, a fringe
visible at 100 % zoom. Here the chroma is modelled locally as a linear function of L at working
size (the guided filter of He, Sun and Tang, 2010/2013), the model's coefficients are upsampled
instead of the chroma, and applied to the full-resolution L (He and Sun's "fast guided filter",
2015): where L has an edge, the colour edge follows it to the pixel; where the chroma is
uniform, L's texture is not copied into it (the coefficient on L is zero there).
"""
from __future__ import annotations

import cv2
import numpy as np

RADIUS = 2          # working-size pixels of the local linear model (window 5x5)
EPS = 2e-3          # regularisation, in (L / 100)^2: edges weaker than ~4 L units are smoothed


def _box(x: np.ndarray, r: int) -> np.ndarray:
    return cv2.boxFilter(x, -1, (2 * r + 1, 2 * r + 1), normalize=True, borderType=cv2.BORDER_REFLECT)


def linear_model(l_low: np.ndarray, ab_low: np.ndarray, radius: int = RADIUS,
                 eps: float = EPS) -> np.ndarray:
    """(h, w, 4) float32: per pixel, ab = A * L/100 + B with A = [..., :2], B = [..., 2:]."""
    i = (l_low.astype(np.float32) / 100.0)
    p = ab_low.astype(np.float32)
    mean_i = _box(i, radius)
    var_i = _box(i * i, radius) - mean_i * mean_i
    coef = np.empty(l_low.shape + (4,), np.float32)
    for c in range(2):
        pc = np.ascontiguousarray(p[:, :, c])
        mean_p = _box(pc, radius)
        cov = _box(i * pc, radius) - mean_i * mean_p
        a = cov / (var_i + eps)
        coef[:, :, c] = _box(a, radius)
        coef[:, :, 2 + c] = _box(mean_p - a * mean_i, radius)
    return coef


def apply_rows(coef: np.ndarray, l_rows: np.ndarray, r0: int, full_shape: tuple[int, int]) -> np.ndarray:
    """Chroma (n, W, 2) for full-resolution rows r0..r0+n given their L (n, W).

    The coefficients are sampled bilinearly at each full-size pixel's position in the working
    image (pixel centres aligned, as cv2.resize does), so any band of rows gives the same
    values as the whole picture.
    """
    h_full, w_full = full_shape
    h_low, w_low = coef.shape[:2]
    n = l_rows.shape[0]
    xs = ((np.arange(w_full, dtype=np.float32) + 0.5) * (w_low / w_full) - 0.5)
    ys = ((np.arange(r0, r0 + n, dtype=np.float32) + 0.5) * (h_low / h_full) - 0.5)
    map_x = np.empty((n, w_full), np.float32)
    map_x[:] = xs[None, :]
    map_y = np.empty((n, w_full), np.float32)
    map_y[:] = ys[:, None]
    # slope and offset planes apart (contiguous two-channel images remap ~2x faster than a
    # strided four-channel one), then ab = A * L/100 + B in place
    a = cv2.remap(np.ascontiguousarray(coef[:, :, :2]), map_x, map_y, cv2.INTER_LINEAR,
                  borderMode=cv2.BORDER_REPLICATE)
    b = cv2.remap(np.ascontiguousarray(coef[:, :, 2:]), map_x, map_y, cv2.INTER_LINEAR,
                  borderMode=cv2.BORDER_REPLICATE)
    a *= (l_rows.astype(np.float32) / 100.0)[:, :, None]
    a += b
    return a
