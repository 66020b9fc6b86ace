"""Colour conversion and the network's normalisation constants (the only copy).

Colour space is CIE Lab (D65): L in [0, 100], a/b roughly in [-110, 110].
Full-resolution conversions go through OpenCV's float32 path (exact to an 8-bit level, and
about 20x faster than scikit-image at 12 MP); 16-bit output and 16-bit photos' lightness
use the exact formulas of :mod:`net.exact_lab` (``depth=16``).
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

import cv2
import numpy as np

from .exact_lab import (RGB_TO_XYZ, TOP16, lab_to_rgb16, lightness16, lightness_of_y,
                        y_of_lightness)

# --- normalisation (stored in every weights sidecar as well) ---------------------
L_CENTER = 50.0
L_SCALE = 100.0
AB_SCALE = 110.0

NORMALIZATION = {"l_center": L_CENTER, "l_scale": L_SCALE, "ab_scale": AB_SCALE,
                 "space": "CIELab-D65"}

# ImageNet statistics used by the VGG16 gray branch.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def _as_rgb_uint8(rgb: np.ndarray, allow16: bool = False) -> np.ndarray:
    rgb = np.asarray(rgb)
    if rgb.ndim == 2:
        rgb = np.repeat(rgb[:, :, None], 3, axis=2)
    if rgb.ndim != 3 or rgb.shape[2] not in (3, 4):
        raise ValueError(f"expected an HxWx3 RGB image, got shape {rgb.shape}")
    if rgb.shape[2] == 4:
        rgb = rgb[:, :, :3]
    if rgb.dtype != np.uint8 and not (allow16 and rgb.dtype == np.uint16):
        raise ValueError(f"expected uint8 RGB{' (or uint16)' if allow16 else ''}, "
                         f"got dtype {rgb.dtype}")
    return np.ascontiguousarray(rgb)


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """uint8 RGB (HxWx3) -> float32 Lab (HxWx3)."""
    rgb = _as_rgb_uint8(rgb)
    f = rgb.astype(np.float32)
    f *= 1.0 / 255.0
    return cv2.cvtColor(f, cv2.COLOR_RGB2Lab)


def rgb_to_l(rgb: np.ndarray) -> np.ndarray:
    """uint8 (or uint16) RGB -> float32 L channel (HxW) in [0, 100].

    A gray photo (R = G = B everywhere: what users mostly open) takes a 256-entry table of
    the same conversion, ~3x faster at 12 MP and equal to the last bit. uint16 RGB (a 16-bit
    photo) is converted exactly (:func:`net.exact_lab.lightness16`), every level kept.
    """
    rgb = _as_rgb_uint8(rgb, allow16=True)
    if rgb.dtype == np.uint16:
        return lightness16(rgb)
    sample = rgb[::37, ::41]                   # a colour photo is rejected on a sparse sample
    if np.array_equal(sample[..., :2], sample[..., 1:]):
        r, g, b = cv2.split(rgb)
        if np.array_equal(r, g) and np.array_equal(g, b):
            return cv2.LUT(r, _gray_l_table())
    # A colour photo: the same conversion in bands of rows that stay in the CPU's cache
    # (~1.5x faster at 12 MP than converting the whole photo at once, identical values).
    h, w = rgb.shape[:2]
    out = np.empty((h, w), np.float32)
    rows = max(1, L_BAND_PIXELS // max(1, w))
    for r0 in range(0, h, rows):
        out[r0:r0 + rows] = rgb_to_lab(rgb[r0:r0 + rows])[:, :, 0]
    return out


L_BAND_PIXELS = 256_000     # rgb_to_l converts a colour photo in bands of about this many pixels


_GRAY_L: list[np.ndarray] = []


def _gray_l_table() -> np.ndarray:
    if not _GRAY_L:
        ramp = np.repeat(np.arange(256, dtype=np.uint8)[None, :, None], 3, axis=2)
        _GRAY_L.append(np.ascontiguousarray(rgb_to_lab(ramp)[:, :, 0]))   # 1 x 256 float32
    return _GRAY_L[0]


def lab_to_rgb(lab: np.ndarray, depth: int = 8) -> np.ndarray:
    """float32 Lab (HxWx3) -> uint8 RGB (uint16 for ``depth=16``), clipped to the sRGB gamut."""
    if depth != 8:
        return _depth(depth).encode(lab)
    lab = np.ascontiguousarray(lab, dtype=np.float32)
    rgb = cv2.cvtColor(lab, cv2.COLOR_Lab2RGB)
    return cv2.convertScaleAbs(rgb, alpha=255.0)  # rounds and saturates to [0, 255]


def rgb_color_to_ab(rgb: tuple[int, int, int] | np.ndarray) -> tuple[float, float]:
    """Chroma (a, b) of a single RGB colour."""
    px = np.asarray(rgb, dtype=np.uint8).reshape(1, 1, 3)
    lab = rgb_to_lab(px)[0, 0]
    return float(lab[1]), float(lab[2])


L_TOLERANCE = 0.5    # max |L(out) - L(in)| accepted before chroma is reduced (8-bit output)
L_TOLERANCE_16 = 0.003   # the same for 16-bit output (one 16-bit level moves L by <= 0.002)


@dataclass(frozen=True)
class Depth:
    """An output precision: how Lab becomes RGB of this many bits per channel, and how far
    its L may be from the one asked for (``misses`` measures it)."""
    bits: int
    dtype: type
    top: int                                          # the channel's largest value
    tolerance: float
    encode: Callable[[np.ndarray], np.ndarray]        # float Lab (HxWx3) -> RGB
    # RGB pixels (N x 3) and the L asked for (N) -> where L misses it by more than tolerance
    misses: Callable[[np.ndarray, np.ndarray], np.ndarray]


# The 8-bit check "does this RGB keep L?" runs on every out-of-gamut pixel of every preview, a
# few times each while chroma is fitted. OpenCV's float conversion gives the L an 8-bit photo
# is measured by (rgb_to_l); a table of each channel's share of the luminance, derived from
# OpenCV's own gray levels, gives that L to within L8_TABLE_ERROR over all 16.7 M colours
# (measured: 0.057; a test checks every colour) at a seventh of the cost. The check asks the
# table for L_TOLERANCE less that error, so OpenCV's L stays within L_TOLERANCE.
L8_TABLE_ERROR = 0.06
_L8_TABLES: list[np.ndarray] = []


def _l8_tables() -> np.ndarray:
    """3 x 256 float32: each 8-bit channel value's share of the luminance Y."""
    if not _L8_TABLES:
        y = y_of_lightness(_gray_l_table()[0].astype(np.float64))     # OpenCV's gray Y
        _L8_TABLES.append((RGB_TO_XYZ[1][:, None] * y[None, :]).astype(np.float32))
    return _L8_TABLES[0]


def lightness8_fast(rgb: np.ndarray) -> np.ndarray:
    """uint8 RGB pixels (N x 3) -> L within L8_TABLE_ERROR of :func:`rgb_to_lab`'s."""
    t = _l8_tables()
    return lightness_of_y(t[0][rgb[:, 0]] + t[1][rgb[:, 1]] + t[2][rgb[:, 2]])


def _misses8(rgb: np.ndarray, l: np.ndarray) -> np.ndarray:
    return np.abs(lightness8_fast(rgb) - l) > L_TOLERANCE - L8_TABLE_ERROR


def _misses16(rgb: np.ndarray, l: np.ndarray) -> np.ndarray:
    return np.abs(lightness16(rgb[:, None, :])[:, 0] - l) > L_TOLERANCE_16


DEPTHS = {8: Depth(8, np.uint8, 255, L_TOLERANCE, lab_to_rgb, _misses8),
          16: Depth(16, np.uint16, TOP16, L_TOLERANCE_16, lab_to_rgb16, _misses16)}


def _depth(depth: int) -> Depth:
    if depth not in DEPTHS:
        raise ValueError(f"output depth must be 8 or 16 bits per channel, not {depth!r}")
    return DEPTHS[depth]


def _bisect_scale(lab_px: np.ndarray, steps: int, depth: int = 8) -> np.ndarray:
    """Lab pixels (N x 3) -> the largest chroma factor in [0, 1] (to 2^-steps) that keeps each
    one's L through sRGB of ``depth`` bits."""
    d = _depth(depth)
    lo = np.zeros(len(lab_px), np.float32)
    hi = np.ones(len(lab_px), np.float32)
    for _ in range(steps):
        mid = (lo + hi) / 2
        trial = lab_px.copy()
        trial[:, 1:] *= mid[:, None]
        ok = ~d.misses(d.encode(trial[:, None, :])[:, 0], lab_px[:, 0])
        lo = np.where(ok, mid, lo)
        hi = np.where(ok, hi, mid)
    return lo


# The largest chroma that keeps L, tabulated over lightness and hue once per process (~0.15 s),
# so fitting many pixels costs a lookup and one check instead of a bisection each (a 12 MP
# render of saturated hints spent most of its time bisecting).
LUT_L, LUT_HUE, LUT_MARGIN = 201, 360, 0.97
_luts: dict[int, np.ndarray] = {}       # one table per output depth
_lut_lock = threading.Lock()


def _max_chroma_table(depth: int = 8) -> np.ndarray:
    with _lut_lock:
        if depth not in _luts:
            l = np.linspace(0.0, 100.0, LUT_L, dtype=np.float32)
            hue = np.arange(LUT_HUE + 1, dtype=np.float32) * (2 * np.pi / LUT_HUE)
            ll, hh = np.meshgrid(l, hue, indexing="ij")
            far = np.stack([ll, 160 * np.cos(hh), 160 * np.sin(hh)], -1).reshape(-1, 3)
            _luts[depth] = (_bisect_scale(far, 12, depth) * 160).reshape(ll.shape)
    return _luts[depth]


def _gamut_scale(lab_px: np.ndarray, steps: int = 7, depth: int = 8) -> np.ndarray:
    """Lab pixels (N x 3) -> the chroma factor in [0, 1] that keeps each one's L at ``depth``
    bits: from the table, checked, and bisected where the table's interpolation was not
    enough."""
    return _gamut_fit(lab_px, steps, depth)[0]


def _gamut_fit(lab_px: np.ndarray, steps: int = 7, depth: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """(:func:`_gamut_scale`'s factors, the RGB pixels (N x 3) they give)."""
    d = _depth(depth)
    table = _max_chroma_table(depth)
    c = np.hypot(lab_px[:, 1], lab_px[:, 2])
    li = np.clip(lab_px[:, 0], 0, 100) * ((LUT_L - 1) / 100.0)
    hi = (np.arctan2(lab_px[:, 2], lab_px[:, 1]) % (2 * np.pi)) * (LUT_HUE / (2 * np.pi))
    l0, h0 = np.minimum(li.astype(np.intp), LUT_L - 2), np.minimum(hi.astype(np.intp), LUT_HUE - 1)
    fl, fh = li - l0, hi - h0
    cmax = ((1 - fl) * ((1 - fh) * table[l0, h0] + fh * table[l0, h0 + 1])
            + fl * ((1 - fh) * table[l0 + 1, h0] + fh * table[l0 + 1, h0 + 1]))
    scale = np.clip(LUT_MARGIN * cmax / np.maximum(c, 1e-6), 0.0, 1.0).astype(np.float32)
    trial = lab_px.copy()
    trial[:, 1:] *= scale[:, None]
    rgb = d.encode(trial[:, None, :])[:, 0]
    miss = d.misses(rgb, lab_px[:, 0])
    if miss.any():
        scale[miss] = _bisect_scale(lab_px[miss], steps, depth)
        trial = lab_px[miss].copy()
        trial[:, 1:] *= scale[miss][:, None]
        rgb[miss] = d.encode(trial[:, None, :])[:, 0]
    return scale, rgb


def _fit_gamut(lab_px: np.ndarray, steps: int = 7, depth: int = 8) -> np.ndarray:
    """Lab pixels (N x 3) -> RGB of ``depth`` bits with chroma reduced just enough to keep L."""
    return _gamut_fit(lab_px, steps, depth)[1]


def _lightness_lost(l: np.ndarray, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols) of the pixels whose ``rgb`` (uint8 or uint16) misses lightness ``l`` by
    more than its depth's tolerance. Only a colour outside the gamut can (8-bit rounding moves
    L by at most ~0.15, 16-bit rounding by ~0.001), and the conversion clamps such a colour
    to 0 or the top value in some channel; those are checked with the exact float L
    (OpenCV's 8-bit L is off by up to 0.63, too coarse to decide)."""
    d = _depth(16 if rgb.dtype == np.uint16 else 8)
    suspect = cv2.inRange(rgb, (1, 1, 1), (d.top - 1,) * 3) == 0
    if not suspect.any():
        return np.empty(0, np.intp), np.empty(0, np.intp)
    rows, cols = np.nonzero(suspect)
    bad = d.misses(rgb[rows, cols], l[rows, cols])
    return rows[bad], cols[bad]


def _lab_planes(l: np.ndarray, ab: np.ndarray) -> np.ndarray:
    """HxW lightness + HxWx2 chroma -> one float32 HxWx3 Lab image."""
    return cv2.merge([np.ascontiguousarray(l, np.float32), np.ascontiguousarray(ab[:, :, 0], np.float32),
                      np.ascontiguousarray(ab[:, :, 1], np.float32)])


def fit_chroma(l: np.ndarray, ab: np.ndarray) -> np.ndarray:
    """Chroma ``ab`` (HxWx2) with less chroma wherever, at lightness ``l`` (HxW), it lies
    outside sRGB: what :func:`merge_l_ab` shows at this size. The guided merge applies it to the
    working-size chroma before upsampling, which leaves little for the full-size conversion to
    fit (a render of saturated hints spent most of its time there)."""
    lab = _lab_planes(l, ab)
    rows, cols = _lightness_lost(lab[:, :, 0], lab_to_rgb(lab))
    if len(rows) == 0:
        return ab
    ab = ab.copy()
    ab[rows, cols] *= _gamut_scale(lab[rows, cols])[:, None]
    return ab


MERGE_BAND_PIXELS = 1_000_000   # merge_l_ab works in bands of rows of about this many pixels
MERGE_WORKERS = 2               # bands converted at once (each holds ~40 bytes per pixel)...
MERGE_PARALLEL_PIXELS = 4_000_000   # ...in photos at least this large (exports, full renders)


def merge_l_ab(l: np.ndarray, ab: np.ndarray, guide: np.ndarray | None = None,
               depth: int = 8) -> np.ndarray:
    """Full-resolution L (HxW) + chroma (HxWx2, any size: resized here) -> uint8 RGB, or
    uint16 RGB for ``depth=16`` (a 16-bit photo's export, with its exact L).

    Colours outside the sRGB gamut at their lightness get less chroma rather than
    a clipped RGB value, so the output's L equals the input's (up to 8-bit rounding, or
    16-bit rounding at ``depth=16``).
    Smaller chroma is upsampled bilinearly, or, given ``guide`` (the L the chroma was
    predicted on, same size as ``ab``), edge-aware along the full-resolution L
    (:mod:`net.upsample`). The conversion runs in bands of rows, so its working memory stays
    small however large the photo.
    """
    from .upsample import apply_rows, linear_model
    d = _depth(depth)
    h, w = l.shape
    l = l.astype(np.float32, copy=False)
    coef = None
    if ab.shape[:2] != (h, w):
        if guide is not None:
            # Fitted into the gamut at its own size first (what a preview at that size shows):
            # the full-size conversion then has little left to fit.
            ab = fit_chroma(guide, ab)
            coef = linear_model(guide, ab)
        else:
            ab = cv2.resize(ab.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    ab = ab.astype(np.float32, copy=False)
    out = np.empty((h, w, 3), d.dtype)
    band = max(1, MERGE_BAND_PIXELS // max(1, w))

    def merge(r0: int) -> None:
        rows = l[r0:r0 + band]
        ab_rows = ab[r0:r0 + band] if coef is None else apply_rows(coef, rows, r0, (h, w))
        out[r0:r0 + band] = _merge_band(rows, ab_rows, depth)

    starts = range(0, h, band)
    if h * w < MERGE_PARALLEL_PIXELS:      # screen-sized: leave the other core to the UI
        for r0 in starts:
            merge(r0)
    else:   # bands are independent; NumPy and OpenCV release the GIL, so two run at once
        with ThreadPoolExecutor(max_workers=MERGE_WORKERS) as pool:
            list(pool.map(merge, starts))
    return out


def _merge_band(l: np.ndarray, ab: np.ndarray, depth: int = 8) -> np.ndarray:
    lab = _lab_planes(l, ab)
    rgb = _depth(depth).encode(lab)
    rows, cols = _lightness_lost(l, rgb)
    if len(rows):
        rgb[rows, cols] = _fit_gamut(lab[rows, cols], depth=depth)
    return rgb


def normalize_l(l: np.ndarray) -> np.ndarray:
    return (l - L_CENTER) / L_SCALE


def normalize_ab(ab: np.ndarray) -> np.ndarray:
    return ab / AB_SCALE


def denormalize_ab(ab_n: np.ndarray) -> np.ndarray:
    return ab_n * AB_SCALE


def gray_rgb_from_l(l_norm):
    """Normalised L (torch tensor, any shape) -> the sRGB gray level in [0, 1].

    Exact inverse of the CIE lightness function followed by the sRGB transfer
    curve, so the VGG branch sees the gray photo as it was trained to see images.
    """
    l = l_norm * L_SCALE + L_CENTER
    fy = (l + 16.0) / 116.0
    y = (fy ** 3).where(l > 8.0, l / 903.3)
    y = y.clamp(0.0, 1.0)
    srgb = (1.055 * y.clamp_min(1e-8) ** (1 / 2.4) - 0.055).where(y > 0.0031308, 12.92 * y)
    return srgb.clamp(0.0, 1.0)
