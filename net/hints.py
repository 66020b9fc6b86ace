"""Colour hints and the one rasteriser that turns them into network input.

The GUI, the inference API, the training-time hint simulation and the evaluation
all call :func:`rasterize_hints`; nothing else draws hints.

Coordinates are continuous pixel coordinates of the *input image*: pixel
(column j, row i) spans [j, j+1) x [i, i+1), so its centre is (j + 0.5, i + 0.5).
A hint covers every pixel whose centre lies within ``radius`` of (x, y), and
always the pixel that contains (x, y). Later hints paint over earlier ones.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .color import normalize_ab, rgb_color_to_ab

# Channel layout of the hint tensor (the paper's 4 channels).
HINT_CHANNELS = ("L", "a", "b", "mask")


@dataclass(frozen=True)
class Hint:
    """A user's colour circle. Only the chroma of ``rgb`` is used; lightness comes from the photo."""

    x: float
    y: float
    radius: float
    rgb: tuple[int, int, int]

    def __post_init__(self):
        for name in ("x", "y", "radius"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)):
                raise ValueError(f"hint {name} must be a number, got {v!r}")
            if not math.isfinite(float(v)):
                raise ValueError(f"hint {name} must be finite, got {v!r}")
        if float(self.radius) <= 0:
            raise ValueError(f"hint radius must be positive, got {self.radius!r}")
        rgb = tuple(self.rgb) if not isinstance(self.rgb, str) else ()
        if len(rgb) != 3 or not all(isinstance(c, (int, np.integer)) and not isinstance(c, bool)
                                     and 0 <= int(c) <= 255 for c in rgb):
            raise ValueError(f"hint rgb must be three integers in 0..255, got {self.rgb!r}")
        object.__setattr__(self, "x", float(self.x))
        object.__setattr__(self, "y", float(self.y))
        object.__setattr__(self, "radius", float(self.radius))
        object.__setattr__(self, "rgb", tuple(int(c) for c in rgb))

    @property
    def ab(self) -> tuple[float, float]:
        return rgb_color_to_ab(self.rgb)

    def to_dict(self) -> dict:
        return {"x": self.x, "y": self.y, "radius": self.radius, "rgb": list(self.rgb)}

    @classmethod
    def from_dict(cls, d: dict) -> "Hint":
        if not isinstance(d, dict):
            raise ValueError(f"a hint must be an object, got {type(d).__name__}")
        missing = [k for k in ("x", "y", "radius", "rgb") if k not in d]
        if missing:
            raise ValueError(f"hint is missing {', '.join(missing)}")
        rgb = d["rgb"]
        if not isinstance(rgb, (list, tuple)):
            raise ValueError(f"hint rgb must be a list of three integers, got {rgb!r}")
        return cls(x=d["x"], y=d["y"], radius=d["radius"], rgb=tuple(rgb))


def disc(cx: float, cy: float, r: float, h: int, w: int):
    """Pixels of an h x w grid covered by a circle (working-resolution coordinates).

    Returns (row slice, column slice, boolean mask for that box), or None when the
    circle lies entirely outside the grid.
    """
    r = max(float(r), 0.5)
    i0, i1 = max(int(math.floor(cy - r)), 0), min(int(math.ceil(cy + r)) + 1, h)
    j0, j1 = max(int(math.floor(cx - r)), 0), min(int(math.ceil(cx + r)) + 1, w)
    if i0 >= i1 or j0 >= j1:
        return None
    yy = (np.arange(i0, i1, dtype=np.float32) + 0.5 - cy)[:, None]
    xx = (np.arange(j0, j1, dtype=np.float32) + 0.5 - cx)[None, :]
    m = yy * yy + xx * xx <= r * r
    ci, cj = int(math.floor(cy)), int(math.floor(cx))
    if i0 <= ci < i1 and j0 <= cj < j1:
        m[ci - i0, cj - j0] = True
    if not m.any():
        return None
    return slice(i0, i1), slice(j0, j1), m


def hint_circles(hints, image_size: tuple[int, int], work_shape: tuple[int, int]):
    """Hints (input-image pixels) -> circles (cx, cy, r, a_norm, b_norm) in working pixels."""
    h, w = work_shape
    H, W = image_size
    sx, sy = w / float(W), h / float(H)
    s = math.sqrt(sx * sy)
    circles = []
    for hint in hints:
        if isinstance(hint, dict):
            hint = Hint.from_dict(hint)
        a, b = normalize_ab(np.asarray(hint.ab, np.float32))
        circles.append((hint.x * sx, hint.y * sy, hint.radius * s, float(a), float(b)))
    return circles


def paint_circles(circles, h: int, w: int) -> np.ndarray:
    """Circles (cx, cy, r, a_norm, b_norm) in working pixels -> (3, h, w): a, b, mask.

    The single rasteriser: every hint, painted by a user or simulated in
    training, goes through here.
    """
    out = np.zeros((3, h, w), np.float32)
    for cx, cy, r, a, b in circles:
        cover = disc(cx, cy, r, h, w)
        if cover is None:
            continue
        rs, cs, m = cover
        out[0, rs, cs][m] = a
        out[1, rs, cs][m] = b
        out[2, rs, cs][m] = 1.0
    return out


def rasterize_hints(hints, image_size: tuple[int, int], l_norm: np.ndarray) -> np.ndarray:
    """Hints -> the 4-channel hint tensor (L, a, b, mask), float32, normalised.

    ``image_size`` is (height, width) of the image the hint coordinates refer to;
    ``l_norm`` is the normalised luminance at working resolution, whose shape sets
    the output size. Chroma channels hold the hint's normalised (a, b) inside the
    circles and zero elsewhere.
    """
    h, w = l_norm.shape
    out = np.empty((4, h, w), np.float32)
    out[0] = l_norm
    out[1:] = paint_circles(hint_circles(hints, image_size, (h, w)), h, w)
    return out
