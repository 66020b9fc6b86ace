"""Colour hints and the one rasteriser that turns them into network input.

The GUI, the inference API, the training-time hint simulation and the evaluation
all paint through :func:`paint_circles` (the app's sessions via :class:`HintRaster`, which
repaints only the hint that changed); nothing else draws hints.

Two kinds of hint exist: a :class:`Hint` is a circle (a click), a :class:`Stroke` is a
polyline with a radius (a drag), i.e. the union of circles swept along its segments.

Coordinates are continuous pixel coordinates of the *input image*: pixel
(column j, row i) spans [j, j+1) x [i, i+1), so its centre is (j + 0.5, i + 0.5).
A circle covers every pixel whose centre lies within ``radius`` of (x, y), and
always the pixel that contains (x, y); a stroke covers every pixel whose centre lies
within ``radius`` of one of its segments, and the pixels containing its points.
Later hints paint over earlier ones.
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

    kind = "circle"

    @property
    def ab(self) -> tuple[float, float]:
        return rgb_color_to_ab(self.rgb)

    @property
    def points(self) -> tuple[tuple[float, float], ...]:
        return ((self.x, self.y),)

    def translated(self, dx: float, dy: float) -> "Hint":
        return Hint(self.x + dx, self.y + dy, self.radius, self.rgb)

    def with_radius(self, radius: float) -> "Hint":
        return Hint(self.x, self.y, radius, self.rgb)

    def with_rgb(self, rgb) -> "Hint":
        return Hint(self.x, self.y, self.radius, rgb)

    def distance(self, x: float, y: float) -> float:
        """Distance from (x, y) to the hint's centre line (0 inside the centre)."""
        return math.hypot(self.x - x, self.y - y)

    def to_dict(self) -> dict:
        return {"x": self.x, "y": self.y, "radius": self.radius, "rgb": list(self.rgb)}

    @classmethod
    def from_dict(cls, d: dict) -> "Hint | Stroke":
        """Parse a hint of any kind: a circle's dict, a stroke's dict, or an already parsed hint."""
        if isinstance(d, (Hint, Stroke)):
            return d
        if not isinstance(d, dict):
            raise ValueError(f"a hint must be an object, got {type(d).__name__}")
        if d.get("kind", "circle") == "stroke":
            return Stroke.from_dict(d)
        if d.get("kind", "circle") != "circle":
            raise ValueError(f"unknown hint kind {d.get('kind')!r} (circle or stroke)")
        missing = [k for k in ("x", "y", "radius", "rgb") if k not in d]
        if missing:
            raise ValueError(f"hint is missing {', '.join(missing)}")
        rgb = d["rgb"]
        if not isinstance(rgb, (list, tuple)):
            raise ValueError(f"hint rgb must be a list of three integers, got {rgb!r}")
        return cls(x=d["x"], y=d["y"], radius=d["radius"], rgb=tuple(rgb))


MAX_STROKE_POINTS = 10_000


def photo_side(h: int, w: int) -> int:
    """The length that sizes on a photo are shares of (the app's brush, the reach of a hint's
    colour): its long side, but at most twice its short side, so that on a panorama they stay
    in proportion to its height (2 % of a 4059x300 strip's length, 81 px, covered its height;
    0.6 of a 1024x76 working array's, 8 heights, let "Own region" fill along it)."""
    return min(max(h, w), 2 * min(h, w))


def _check_number(name, v):
    if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)):
        raise ValueError(f"hint {name} must be a number, got {v!r}")
    if not math.isfinite(float(v)):
        raise ValueError(f"hint {name} must be finite, got {v!r}")
    return float(v)


def _segment_inside(a: np.ndarray, d: np.ndarray, c: np.ndarray, reach: float):
    """The parameter interval (s, e) within [0, 1] where a + t d lies closer than ``reach`` to
    ``c``, or None when no part of the segment does."""
    f = a - c
    qa, qb, qc = float(d @ d), 2 * float(d @ f), float(f @ f) - reach * reach
    if qa < 1e-18:
        return (0.0, 1.0) if qc < 0 else None
    disc = qb * qb - 4 * qa * qc
    if disc <= 0:
        return None
    root = math.sqrt(disc)
    s, e = max((-qb - root) / (2 * qa), 0.0), min((-qb + root) / (2 * qa), 1.0)
    return (s, e) if s < e else None


@dataclass(frozen=True)
class Stroke:
    """A painted stroke: a polyline of image points swept by a circle of ``radius``."""

    points: tuple[tuple[float, float], ...]
    radius: float
    rgb: tuple[int, int, int]

    kind = "stroke"

    def __post_init__(self):
        pts = self.points
        if isinstance(pts, (str, bytes)) or not hasattr(pts, "__len__"):
            raise ValueError(f"stroke points must be a list of [x, y] pairs, got {pts!r}")
        if not 1 <= len(pts) <= MAX_STROKE_POINTS:
            raise ValueError(f"a stroke needs 1 to {MAX_STROKE_POINTS} points, got {len(pts)}")
        clean = []
        for p in pts:
            if isinstance(p, (str, bytes)) or not hasattr(p, "__len__") or len(p) != 2:
                raise ValueError(f"stroke points must be [x, y] pairs, got {p!r}")
            clean.append((_check_number("x", p[0]), _check_number("y", p[1])))
        object.__setattr__(self, "points", tuple(clean))
        # radius and colour are validated exactly as a circle's are
        probe = Hint(clean[0][0], clean[0][1], self.radius, self.rgb)
        object.__setattr__(self, "radius", probe.radius)
        object.__setattr__(self, "rgb", probe.rgb)

    @property
    def x(self) -> float:
        return self.points[0][0]

    @property
    def y(self) -> float:
        return self.points[0][1]

    @property
    def ab(self) -> tuple[float, float]:
        return rgb_color_to_ab(self.rgb)

    def translated(self, dx: float, dy: float) -> "Stroke":
        return Stroke(tuple((x + dx, y + dy) for x, y in self.points), self.radius, self.rgb)

    def with_radius(self, radius: float) -> "Stroke":
        return Stroke(self.points, radius, self.rgb)

    def with_rgb(self, rgb) -> "Stroke":
        return Stroke(self.points, self.radius, rgb)

    def extended(self, x: float, y: float) -> "Stroke":
        return Stroke(self.points + ((x, y),), self.radius, self.rgb)

    def distance(self, x: float, y: float) -> float:
        """Distance from (x, y) to the polyline."""
        p = np.asarray(self.points, np.float64)
        if len(p) == 1:
            return math.hypot(p[0, 0] - x, p[0, 1] - y)
        a, d = p[:-1], p[1:] - p[:-1]
        l2 = (d * d).sum(1)
        t = np.clip(((x - a[:, 0]) * d[:, 0] + (y - a[:, 1]) * d[:, 1]) / np.maximum(l2, 1e-12), 0, 1)
        cx, cy = a[:, 0] + t * d[:, 0], a[:, 1] + t * d[:, 1]
        return float(np.sqrt(((cx - x) ** 2 + (cy - y) ** 2).min()))

    def outside(self, x: float, y: float, reach: float) -> tuple["Stroke", ...]:
        """The pieces of this stroke whose points lie farther than ``reach`` from (x, y), in
        order: what an eraser leaves when it cuts the stroke (a polyline point exactly at
        ``reach`` stays). ``(self,)`` when nothing is that close; () when all of it is."""
        pts = np.asarray(self.points, np.float64)
        c = np.array([x, y], np.float64)
        if len(pts) == 1:
            return () if np.hypot(*(pts[0] - c)) < reach else (self,)
        pieces, cur, cut = [], [], False
        for a, b in zip(pts[:-1], pts[1:]):
            inside = _segment_inside(a, b - a, c, reach)
            if inside is None:
                cur = cur or [a]
                cur.append(b)
                continue
            s, e = inside
            cut = True
            if s > 0:
                cur = cur or [a]
                cur.append(a + s * (b - a))
            pieces.append(cur)
            cur = [a + e * (b - a), b] if e < 1 else []
        pieces.append(cur)
        if not cut:
            return (self,)
        return tuple(Stroke(tuple(map(tuple, p)), self.radius, self.rgb) for p in pieces
                     if len(p) > 1 and np.hypot(*np.diff(np.asarray(p), axis=0).T).sum() > 1e-6)

    def to_dict(self) -> dict:
        return {"kind": "stroke", "points": [[x, y] for x, y in self.points],
                "radius": self.radius, "rgb": list(self.rgb)}

    @classmethod
    def from_dict(cls, d: dict) -> "Stroke":
        if not isinstance(d, dict):
            raise ValueError(f"a hint must be an object, got {type(d).__name__}")
        missing = [k for k in ("points", "radius", "rgb") if k not in d]
        if missing:
            raise ValueError(f"stroke is missing {', '.join(missing)}")
        rgb = d["rgb"]
        if not isinstance(rgb, (list, tuple)):
            raise ValueError(f"hint rgb must be a list of three integers, got {rgb!r}")
        pts = d["points"]
        if not isinstance(pts, (list, tuple)):
            raise ValueError(f"stroke points must be a list of [x, y] pairs, got {pts!r}")
        return cls(points=tuple(tuple(p) if isinstance(p, (list, tuple)) else p for p in pts),
                   radius=d["radius"], rgb=tuple(rgb))


def parse_hint(d) -> Hint | Stroke:
    """A hint of any kind from its dict (or the hint itself)."""
    return Hint.from_dict(d)


def disc(cx: float, cy: float, r: float, h: int, w: int):
    """Pixels of an h x w grid covered by a circle (working-resolution coordinates).

    Returns (row slice, column slice, boolean mask for that box), or None when the
    circle lies entirely outside the grid.
    """
    return capsule(cx, cy, cx, cy, r, h, w)


def capsule(x0: float, y0: float, x1: float, y1: float, r: float, h: int, w: int):
    """Pixels covered by the segment (x0, y0)-(x1, y1) swept by a circle of radius r.

    Same conventions as :func:`disc` (a zero-length segment is a disc): pixel centres
    within r of the segment, plus the pixels that contain its two ends.
    """
    r = max(float(r), 0.5)
    i0 = max(int(math.floor(min(y0, y1) - r)), 0)
    i1 = min(int(math.ceil(max(y0, y1) + r)) + 1, h)
    j0 = max(int(math.floor(min(x0, x1) - r)), 0)
    j1 = min(int(math.ceil(max(x0, x1) + r)) + 1, w)
    if i0 >= i1 or j0 >= j1:
        return None
    py = (np.arange(i0, i1, dtype=np.float32) + 0.5 - y0)[:, None]
    px = (np.arange(j0, j1, dtype=np.float32) + 0.5 - x0)[None, :]
    dx, dy = np.float32(x1 - x0), np.float32(y1 - y0)
    l2 = dx * dx + dy * dy
    if l2 > 0:
        t = np.clip((px * dx + py * dy) / l2, 0, 1)
        ex, ey = px - t * dx, py - t * dy
        m = ex * ex + ey * ey <= r * r
    else:
        m = py * py + px * px <= r * r
    for cx, cy in ((x0, y0), (x1, y1)):
        ci, cj = int(math.floor(cy)), int(math.floor(cx))
        if i0 <= ci < i1 and j0 <= cj < j1:
            m[ci - i0, cj - j0] = True
    if not m.any():
        return None
    return slice(i0, i1), slice(j0, j1), m


def hint_shapes(hints, image_size: tuple[int, int], work_shape: tuple[int, int]):
    """Hints (input-image pixels) -> shapes in working pixels, in painting order.

    A circle becomes ``(cx, cy, r, a_norm, b_norm)``; a stroke becomes
    ``(points (N, 2) array, r, a_norm, b_norm)``.
    """
    h, w = work_shape
    H, W = image_size
    sx, sy = w / float(W), h / float(H)
    s = math.sqrt(sx * sy)
    shapes = []
    for hint in hints:
        hint = parse_hint(hint)
        a, b = normalize_ab(np.asarray(hint.ab, np.float32))
        if isinstance(hint, Stroke):
            pts = np.asarray(hint.points, np.float64) * (sx, sy)
            shapes.append((pts, hint.radius * s, float(a), float(b)))
        else:
            shapes.append((hint.x * sx, hint.y * sy, hint.radius * s, float(a), float(b)))
    return shapes


hint_circles = hint_shapes   # the former name (every shape was a circle)


def paint_circles(shapes, h: int, w: int, out: np.ndarray | None = None) -> np.ndarray:
    """Shapes (see :func:`hint_shapes`) in working pixels -> (3, h, w): a, b, mask.

    The single rasteriser: every hint, painted by a user or simulated in
    training, goes through here. Circles are ``(cx, cy, r, a_norm, b_norm)``.
    ``out``: paint over these (3, h, w) planes (earlier hints) instead of empty ones.
    """
    out = np.zeros((3, h, w), np.float32) if out is None else out
    for shape in shapes:
        if len(shape) == 5:
            cx, cy, r, a, b = shape
            covers = [disc(cx, cy, r, h, w)]
        else:
            pts, r, a, b = shape
            pts = np.asarray(pts, np.float64).reshape(-1, 2)
            ends = zip(pts[:-1], pts[1:]) if len(pts) > 1 else [(pts[0], pts[0])]
            covers = [capsule(p[0], p[1], q[0], q[1], r, h, w) for p, q in ends]
        for cover in covers:
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
    circles and strokes and zero elsewhere.
    """
    h, w = l_norm.shape
    out = np.empty((4, h, w), np.float32)
    out[0] = l_norm
    out[1:] = paint_circles(hint_shapes(hints, image_size, (h, w)), h, w)
    return out


class HintRaster:
    """One photo's hints rasterised at working resolution, (a, b, mask) as :func:`paint_circles`
    makes them, for a session that rasterises on every hint change.

    It keeps its last two results, so adding a hint, or changing the last one (a stroke
    being drawn), paints that hint alone over the raster of the others (README, Speed, session
    23: 0.5 ms a change with ~25 hints repainted, 0.13 ms now). Later hints paint over earlier
    ones, so the result is the same as painting the whole list.
    """

    def __init__(self, image_size: tuple[int, int], work_shape: tuple[int, int]):
        self.image_size, self.work_shape = image_size, work_shape
        self._last: tuple[tuple, np.ndarray] | None = None    # (hints, their raster)
        self._base: tuple[tuple, np.ndarray] | None = None    # the same for all but the last

    def _paint(self, hints: tuple, over: np.ndarray | None = None) -> np.ndarray:
        h, w = self.work_shape
        base = None if over is None else over.copy()
        return paint_circles(hint_shapes(hints, self.image_size, self.work_shape), h, w, base)

    def __call__(self, hints) -> np.ndarray:
        """(3, h, w) float32 for ``hints`` (Hint, Stroke or their dicts), a fresh array."""
        hints = tuple(parse_hint(x) for x in hints)
        if self._last is not None and hints == self._last[0]:
            return self._last[1].copy()
        if not hints:
            return self._paint(())
        head = hints[:-1]
        known = [k for k in (self._last, self._base) if k is not None and k[0] == head]
        base = known[0][1] if known else self._paint(head)
        self._base, self._last = (head, base), (hints, self._paint(hints[-1:], base))
        return self._last[1].copy()
