"""Simulated hints for training and for the evaluation protocol.

Every simulated hint becomes a circle (cx, cy, r, a_norm, b_norm) and is drawn
by :func:`net.hints.paint_circles`, the same rasteriser the app uses for a
user's clicks; its colour is the mean ground-truth chroma under it, the way a
user paints one colour per circle.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from net.hints import disc, paint_circles

PROTOCOL_SIZE = 256
PROTOCOL_PATCH = 6


@dataclass
class HintSamplingConfig:
    p_none: float = 0.08          # no hints at all: automatic colorization is learnt
    p_circles: float = 0.25       # the paper's large circles; otherwise small point hints
    max_points: int = 150         # point count is log-uniform in 1..max_points
    patch_range: tuple = (1, 7)   # point patch side in working pixels (inclusive)
    p_gaussian: float = 0.5       # point positions: Gaussian around the centre vs uniform
    p_hue_turn: float = 0.0       # share of densely hinted crops whose colours turn (hue_turn)
    hue_turn_min_hints: int = 10  # ...only crops with at least this many hints


def patch_mean(ab: np.ndarray, r0: int, c0: int, p: int) -> tuple[float, float]:
    """Mean of ab (2, H, W) over the p x p patch with top-left corner (r0, c0)."""
    m = ab[:, r0:r0 + p, c0:c0 + p].reshape(2, -1).mean(axis=1)
    return float(m[0]), float(m[1])


def point_hints(ab: np.ndarray, rng: np.random.Generator, n: int, patch: int | None = None,
                gaussian: bool = True, patch_range=(1, 7)) -> list[tuple]:
    """Zhang-style point hints: n patches, colour = patch mean; returned as circles."""
    _, h, w = ab.shape
    circles = []
    for _ in range(n):
        p = patch if patch is not None else int(rng.integers(patch_range[0], patch_range[1] + 1))
        p = max(1, min(p, h, w))
        if gaussian:
            r0 = int(np.clip(rng.normal((h - p + 1) / 2.0, (h - p + 1) / 4.0), 0, h - p))
            c0 = int(np.clip(rng.normal((w - p + 1) / 2.0, (w - p + 1) / 4.0), 0, w - p))
        else:
            r0, c0 = int(rng.integers(0, h - p + 1)), int(rng.integers(0, w - p + 1))
        a, b = patch_mean(ab, r0, c0, p)
        circles.append((c0 + p / 2.0, r0 + p / 2.0, p / 2.0, a, b))
    return circles


def paper_circles(ab: np.ndarray, rng: np.random.Generator, n: int | None = None) -> list[tuple]:
    """The paper's hints: 1-25 circles, radius 25-35 px at 224 px (scaled), colour = mean inside."""
    _, h, w = ab.shape
    scale = min(h, w) / 224.0
    n = int(rng.integers(1, 26)) if n is None else n
    circles = []
    for _ in range(n):
        r = float(rng.uniform(25.0, 35.0)) * scale
        cx, cy = float(rng.uniform(0, w)), float(rng.uniform(0, h))
        cover = disc(cx, cy, r, h, w)
        if cover is None:
            continue
        rs, cs, m = cover
        a = float(ab[0, rs, cs][m].mean())
        b = float(ab[1, rs, cs][m].mean())
        circles.append((cx, cy, r, a, b))
    return circles


def coverage_circles(ab: np.ndarray, rng: np.random.Generator, coverage: float,
                     radius_224: float = 30.0, max_circles: int = 5000) -> list[tuple]:
    """Paper-style circles added until ``coverage`` (0..1) of the image is covered."""
    _, h, w = ab.shape
    if coverage <= 0:
        return []
    r = radius_224 * min(h, w) / 224.0
    covered = np.zeros((h, w), bool)
    circles = []
    target = coverage * h * w
    while covered.sum() < target and len(circles) < max_circles:
        cx, cy = float(rng.uniform(0, w)), float(rng.uniform(0, h))
        rs, cs, m = disc(cx, cy, r, h, w)
        circles.append((cx, cy, r, float(ab[0, rs, cs][m].mean()), float(ab[1, rs, cs][m].mean())))
        covered[rs, cs] |= m
    return circles


def protocol_hints(ab: np.ndarray, n: int, rng: np.random.Generator) -> list[tuple]:
    """docs/DESIGN.md section 4: n 6x6 patches, corners ~ N(centre, (256-6+1)/4), clipped."""
    return point_hints(ab, rng, n, patch=PROTOCOL_PATCH, gaussian=True)


def sample_training_hints(ab: np.ndarray, rng: np.random.Generator,
                          cfg: HintSamplingConfig) -> list[tuple]:
    u = rng.random()
    if u < cfg.p_none:
        return []
    if u < cfg.p_none + cfg.p_circles:
        return paper_circles(ab, rng)
    n = int(math.exp(rng.uniform(0.0, math.log(cfg.max_points + 1))))
    return point_hints(ab, rng, max(1, n), gaussian=rng.random() < cfg.p_gaussian,
                       patch_range=cfg.patch_range)


def hue_turn(ab: np.ndarray, circles, angle: float) -> tuple[np.ndarray, list[tuple]]:
    """The crop's chroma (2, H, W) and its hints' colours turned by ``angle`` (radians) around
    gray: the same photo in other colours. Hints sampled before the turn match the turned crop
    exactly (a patch's mean turns with it), so the network learns to take dense hints' colours
    over the ones it remembers from a photo's gray content (``--hue-turn``)."""
    c, s = math.cos(angle), math.sin(angle)
    a, b = ab[0], ab[1]
    turned = np.stack([c * a - s * b, s * a + c * b]).astype(ab.dtype)
    return turned, [(x, y, r, c * ha - s * hb, s * ha + c * hb) for x, y, r, ha, hb in circles]


def maybe_hue_turn(ab: np.ndarray, circles, rng: np.random.Generator,
                   cfg: HintSamplingConfig) -> tuple[np.ndarray, list[tuple]]:
    """:func:`hue_turn` by a uniform angle for a share ``cfg.p_hue_turn`` of the crops with at
    least ``cfg.hue_turn_min_hints`` hints; the rest unchanged (and, at share 0, the random
    stream untouched, so runs without the option draw what they always drew)."""
    if cfg.p_hue_turn <= 0 or len(circles) < cfg.hue_turn_min_hints or rng.random() >= cfg.p_hue_turn:
        return ab, circles
    return hue_turn(ab, circles, float(rng.uniform(0.0, 2 * math.pi)))


def hint4_from_circles(l_norm: np.ndarray, circles) -> np.ndarray:
    """(L, a, b, mask) hint tensor from simulated circles via the shared rasteriser."""
    h, w = l_norm.shape
    out = np.empty((4, h, w), np.float32)
    out[0] = l_norm
    out[1:] = paint_circles(circles, h, w)
    return out
