"""Exact sRGB <-> CIE Lab (D65) for 16-bit pixels, computed from the formulas.

OpenCV's float conversion (what :mod:`net.color` uses for 8-bit pixels) is accurate to about
0.25 L* one way and 0.005 L* the other: finer than an 8-bit level, coarser than a 16-bit one
(near black, several 16-bit gray levels get the same L). The 16-bit output path therefore
converts with these functions, which use the same sRGB matrix, white point and lightness
formula as OpenCV and scikit-image, so its colours match the 8-bit path's.
"""
from __future__ import annotations

import numpy as np

TOP16 = 65535
# Linear sRGB -> XYZ (D65), and the white point it maps (1, 1, 1) to.
RGB_TO_XYZ = np.array([[0.412453, 0.357580, 0.180423],
                       [0.212671, 0.715160, 0.072169],
                       [0.019334, 0.119193, 0.950227]])
WHITE = RGB_TO_XYZ.sum(axis=1)
XYZ_TO_RGB = np.linalg.inv(RGB_TO_XYZ)
Y_LINEAR = 0.008856          # below this Y, L = 903.3 * Y (CIE's linear segment)
L_LINEAR = 903.3 * Y_LINEAR

_tables: dict[str, np.ndarray] = {}


def _decode(v: np.ndarray) -> np.ndarray:
    """sRGB value in [0, 1] -> linear light (float64)."""
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def lightness_of_y(y: np.ndarray) -> np.ndarray:
    """CIE lightness L of relative luminance Y (white 1)."""
    return np.where(y > Y_LINEAR, 116.0 * np.cbrt(y) - 16.0, 903.3 * y)


def y_of_lightness(l: np.ndarray) -> np.ndarray:
    """Relative luminance Y of CIE lightness L: the inverse of :func:`lightness_of_y`."""
    fy = (l + 16.0) / 116.0
    return np.where(l > L_LINEAR, fy * fy * fy, l / 903.3)


def _table(name: str) -> np.ndarray:
    """65536-entry tables, made once: linear light and gray lightness of each 16-bit level."""
    if name not in _tables:
        lin = _decode(np.arange(TOP16 + 1, dtype=np.float64) / TOP16)
        _tables["linear"] = lin.astype(np.float32)
        _tables["gray_l"] = lightness_of_y(lin).astype(np.float32)
    return _tables[name]


def _as_rgb16(rgb: np.ndarray) -> np.ndarray:
    rgb = np.asarray(rgb)
    if rgb.dtype != np.uint16 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected HxWx3 uint16 RGB, got {rgb.dtype} of shape {rgb.shape}")
    return rgb


def lightness16(rgb: np.ndarray) -> np.ndarray:
    """uint16 RGB (HxWx3) -> float32 L (HxW) in [0, 100], exact to float32 rounding."""
    rgb = _as_rgb16(rgb)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    if np.array_equal(r, g) and np.array_equal(g, b):          # a gray photo: one lookup
        return _table("gray_l")[r]
    lin = _table("linear")
    cy = RGB_TO_XYZ[1].astype(np.float32)
    y = cy[0] * lin[r] + cy[1] * lin[g] + cy[2] * lin[b]
    return lightness_of_y(y).astype(np.float32)


def lab_to_rgb16(lab: np.ndarray) -> np.ndarray:
    """float Lab (...x3) -> uint16 sRGB, each channel clipped to [0, 65535]."""
    lab = np.asarray(lab, dtype=np.float32)
    l, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    fy = (l + 16.0) / 116.0
    y = y_of_lightness(l)
    fx, fz = fy + a / 500.0, fy - b / 200.0
    edge = np.float32(np.cbrt(Y_LINEAR))

    def inverse_f(t):
        return np.where(t > edge, t * t * t, (t - 16.0 / 116.0) / 7.787)

    x, z = np.float32(WHITE[0]) * inverse_f(fx), np.float32(WHITE[2]) * inverse_f(fz)
    m = XYZ_TO_RGB.astype(np.float32)
    out = np.empty(lab.shape, np.uint16)
    for c in range(3):
        v = m[c, 0] * x + m[c, 1] * y + m[c, 2] * z                      # linear light
        np.clip(v, 0.0, 1.0, out=v)
        v = np.where(v <= 0.0031308, 12.92 * v, 1.055 * v ** (1 / 2.4) - 0.055)
        out[..., c] = np.rint(np.clip(v, 0.0, 1.0) * TOP16)
    return out


def to_rgb8(rgb16: np.ndarray) -> np.ndarray:
    """uint16 RGB -> uint8 RGB, each level to the nearest 8-bit one (what an 8-bit file holds)."""
    import cv2
    # x / 257 rounded: equal to round(x * 255 / 65535) at every level, without a float copy
    return cv2.convertScaleAbs(np.ascontiguousarray(rgb16), alpha=1.0 / 257.0)
