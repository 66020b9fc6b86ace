"""How far a hint's colour reaches: the whole photo (the default) or the hint's own region.

The network is trained for PSNR on simulated hints, and on average one hint's colour says
something about the whole photo, so it paints ambiguous regions far from a lone hint with it:
one red hint on a house finch's breast turns the blurred background behind the bird redder
than the bird. ``"region"`` keeps the colour the photo has without hints away from the
hints: the hint-driven change of the network's output is weighted by how strongly each pixel
is connected to a hint, before the residual correction (which fades as fast):

    f = f_none + w * (f_hints - f_none),   w = min(1, REGION_GAIN * screened solve of the mask).

The solve is Levin's system screened to fade over :data:`REGION_REACH` long sides, its
luminance affinities multiplied by the similarity of the network's automatic colour f_none
between neighbours (:func:`colour_guided`): where the network sees two things (a bird and the
blurred leaves behind it, alike in gray), a hint on one does not flow into the other.

It costs PSNR on the evaluation's random hints (their colour reaching far is what the metric
rewards; numbers at REGION_REACH) and it stops at texture as well as at edges, so a hint on a
patterned region colours less of it: a stroke across the region colours all of it.
"""
from __future__ import annotations

import numpy as np

import torch

from .affinity import learned_affinities
from .levin_propagation import LevinPyramid
from .propagation import CORRECTION_REACH

PHOTO, REGION = "photo", "region"
HINT_REACHES = (PHOTO, REGION)
DEFAULT_HINT_REACH = PHOTO
# The screening of the weight's solve, in long sides of the photo, and the gain that lets the
# weight fill a flat region before it fades. Chosen with v4 and one red hint, luminance-only
# affinities (README, "Hint reach", has what the shipped choice does, by python3 -m
# training.tint, and its PSNR cost, by colorizer-eval --hint-reach): on the 100|110 gray step
# the hinted side 60 px from the hint / the other side changed 63 / 38 ab units with "photo",
# 21 / 0.1 with gain 1, 40 / 0.2 with gain 2, 58 / 0.2 with gain 3 (reach 0.25 with gain 4:
# 20 / 0); the astronaut's suit, hinted once, turned red all over with gain 3 and only pink
# with gain 1; the finch's background a* (hint at 212, 108) rose 71 with "photo", 11 with
# gain 1 and 25 with gain 3, which the colour guidance below brings back down.
REGION_REACH = 0.5
REGION_GAIN = 3.0
# The colour similarity's scale (normalised ab, 3.3 ab units): neighbours whose automatic colours
# differ by this much are connected e^-1 as strongly. On the finch with a hint inside the
# breast (208, 122), gain 3, the background's a* rose 22.3 with luminance alone and 19.9 /
# 12.8 / 4.5 / 2.8 with a scale of 0.1 / 0.05 / 0.03 / 0.02;
# the astronaut's suit still filled with its hint's colour, the far side of a 100|110 step
# still kept its colour (0.2 ab units) and the hinted side filled as before (58).
GUIDE_SIGMA = 0.03


def check_hint_reach(reach: str) -> str:
    if reach not in HINT_REACHES:
        raise ValueError(f"unknown hint reach {reach!r}; expected one of {HINT_REACHES}")
    return reach


def correction_reach_for(reach: str) -> float:
    """The residual correction's reach, in long sides, for this hint reach: in "region" the
    correction fades as fast as the weight, or the residual at a lone hint tints the far
    side of a weak edge by itself."""
    return REGION_REACH if reach == REGION else CORRECTION_REACH


def colour_guided(pyramid: LevinPyramid, auto_ab: np.ndarray) -> LevinPyramid:
    """``pyramid`` with each level's neighbour weights multiplied by exp(-|d auto_ab|^2 /
    GUIDE_SIGMA^2) (``auto_ab``: (2, h, w) the network's chroma without hints, normalised) and
    normalised again, as :func:`net.affinity.learned_affinities` bends them by an embedding:
    the solver of :func:`region_weight` for this photo."""
    guide = torch.from_numpy(np.asarray(auto_ab, np.float32) / GUIDE_SIGMA)
    with torch.inference_mode():
        return pyramid.with_affinities(learned_affinities(pyramid.wts, guide))


def region_weight(pyramid: LevinPyramid, mask: np.ndarray) -> np.ndarray:
    """(h, w) in [0, 1]: 1 at the hinted pixels (``mask`` > 0) and in most of their region,
    fading with the screened system of ``pyramid`` (:func:`colour_guided`) away from them, fast
    across edges, texture and changes of automatic colour."""
    m = np.asarray(mask, np.float32)
    ones = np.ones((2,) + m.shape, np.float32)
    w = pyramid.solve(ones, m, reach=REGION_REACH * max(m.shape), hard=True)[0] * REGION_GAIN
    return np.clip(w, 0.0, 1.0, out=w)


def localise(with_hints: np.ndarray, without_hints: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The network's chroma with hints (2, h, w) kept only where ``weight`` says it belongs:
    elsewhere the chroma it predicts without hints."""
    return without_hints + weight[None] * (with_hints - without_hints)
