"""How far a hint's colour reaches: the whole photo (the default) or the hint's own region.

The network is trained for PSNR on simulated hints, and on average one hint's colour says
something about the whole photo, so it paints ambiguous regions far from a lone hint with it:
one red hint on a house finch's breast turns the blurred background behind the bird redder
than the bird. ``"region"`` keeps the colour the photo has without hints away from the
hints: the hint-driven change of the network's output (corrected to pass through the hints by
the residual correction, which fades as fast) is weighted by how strongly each pixel is
connected to a hint:

    f = f_none + w * (f_hints - f_none),   w = min(1, REGION_GAIN * screened solve of the mask).

Hints of different colours each keep to their own region too: the hinted pixels are grouped by
colour (:func:`hint_groups`: each colour, or with many colours each hue), the network runs once per group
with that group's hints alone and its output is corrected to pass through them (f_g: the
residual correction, spread from that group's hints only), and each pixel takes the groups'
changes in proportion to how strongly it is connected to each group's hints (one screened solve
with a channel per group, :func:`region_split`):

    f = f_none + sum_g s_g * (f_g - f_none),   s_g = w * u_g^2 / sum_k u_k^2.

With one colour this is the formula above. With all hints in one run, a red flag's hint turned
the blue-hinted suit of an astronaut magenta, because the network's colour for the suit
depends on every hint in the photo (README, "Hint reach").

The solve is Levin's system screened to fade over :data:`REGION_REACH` long sides, its
luminance affinities multiplied by the similarity of the network's automatic colour f_none
between neighbours and by their similarity in lightness (:func:`colour_guided`): where the
network sees two things (a bird and the blurred leaves behind it, alike in gray), a hint on
one does not flow into the other, nor across a soft ramp or weak step in lightness, which
Levin's weights (normalised by the local variance) pass.

It costs PSNR on the evaluation's random hints (their colour reaching far is what the metric
rewards; numbers at REGION_REACH) and it stops at texture as well as at edges, so a hint on a
patterned region colours less of it: a stroke across the region colours all of it.
"""
from __future__ import annotations

import cv2
import numpy as np

import torch

from .affinity import learned_affinities
from .color import AB_SCALE
from .hints import photo_side
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
# The weight's screening, in long sides of the photo (session 21: 0.6 with GUIDE_SIGMA 0.02;
# it was 0.5 with 0.03, see GUIDE_SIGMA).
REGION_REACH = 0.6
REGION_GAIN = 3.0
# The colour similarity's scale (normalised ab, 3.3 ab units): neighbours whose automatic colours
# differ by this much are connected e^-1 as strongly. On the finch with a hint inside the
# breast (208, 122), gain 3, the background's a* rose 22.3 with luminance alone and 19.9 /
# 12.8 / 4.5 / 2.8 with a scale of 0.1 / 0.05 / 0.03 / 0.02;
# the astronaut's suit still filled with its hint's colour, the far side of a 100|110 step
# still kept its colour (0.2 ab units) and the hinted side filled as before (58).
# Session 21 (python3 -m training.tint and a sweep on photos-val, hint reach "region"): 0.02
# with REGION_REACH 0.6 instead of 0.03 with 0.5 took the finch's red glow next to the breast
# from a* +5.7 to +0.6 and a backdrop hint's tint of the astronaut's face / hair from -15.6 /
# -22.7 to -9.3 / -18.0, with PSNR on random hints within -0.03..+0.04 dB (0.02 at 0.5 lost up
# to 0.14 dB; at 0.75 a stroke on the backdrop tinted the face -30.7 instead of -18.7).
GUIDE_SIGMA = 0.02
# The luminance similarity's scale (L* / 100): each level's neighbours whose lightness differs
# by this much are connected e^-1 as strongly, on top of Levin's weights. Levin's weights
# divide by the local variance, so they ignore contrast: a soft ramp (an out-of-focus rocket
# tank against its backdrop) or a weak step (a flag's white stripes beside a gray suit)
# connected as well as flat texture, and the weight is decided at the coarsest level (32 px
# at the working size), where thin boundaries are a pixel wide. Session 25 (a walkthrough's
# first complaint; sigma 0.05 / 0.04 / 0.03, the same gain), on the bundled astronaut: a green
# hint on the suit moved the flag's lower part 37.4 ab units (22.3 / 20.1 / 15.3), a blue one
# on the backdrop the tank 19.7 (6.8 / 5.7 / 2.1), a magenta one on the tank the backdrop right
# of it 15.7 (10.5 / 6.6 / 1.9), the hinted suit 52.1 (50.0 / 48.6 / 45.4); python3 -m
# training.tint's backdrop hint tinted face / hair a* -9.3 / -17.9 (-2.1 / -7.7 at 0.05), the
# flag's pull on the suit 11.4 (0.4); photos-val with "region" lost 0.00-0.22 dB (0.05, still
# above Levin at every count), up to 0.32 (0.04) and 0.47 (0.03, below Levin from 5 hints).
LUM_SIGMA = 0.05
# Colour groups: one per colour up to MAX_COLOURS colours, else one per hue sector and one for
# near-gray colours (at most HUE_SECTORS + 1). The network runs once per group; a change of
# one group's hints reruns that group only (ColorizeSession keeps the others), so a preview
# after a hint change costs one run however many groups there are (except when the number of
# colours crosses MAX_COLOURS, which regroups them all).
MAX_COLOURS = 6
HUE_SECTORS = 8
GRAY_CHROMA = 8.0       # ab units
# The owners are the groups' connections raised to this power and normalised: between two
# groups' hints the pixels go more decidedly to the nearer one. Astronaut (skimage), red flag,
# blue suit and olive shuttle hints, the suit's left part (rows 280-340, columns 80-170) away
# from its own-hint-only colour by 26.4 / 19.2 / 14.9 ab units with powers 1 / 2 / 4 (all
# three hints in one network run: 40.0); on flat gray with a red and a blue hint, power 1 left
# each hint a dot in a mixed colour, 2 fills each side with a soft border, 4 a sharp one.
OWNER_POWER = 2
# Each hint's connections are divided by its pixel count (of its connected hinted pixels) to
# this power first: a long stroke reaches more pixels than a dot because it is larger (about
# its perimeter), not because the pixels belong with it; many equal dots keep their balance.
# A gray stroke on a street's road took the hood of a car hinted yellow by a dot (b* of the
# car's front 19.7 without the stroke, 6.0 with it; 16.4 with power 0.5, 22.7 with 1, where
# the dot starts to take the road); the astronaut's three equal circles barely move (suit
# cross-talk 13.4 / 14.2 / 15.1).
OWNER_SIZE_POWER = 0.5
# Hinted colours are told apart on a grid of this step (normalised ab, ~1 ab unit): a hint's
# pixels all carry its colour exactly, so only hints within about a step may share a group.
SAME_COLOUR = 0.01
# Jacobi sweeps of the weight's solve, finest level first (LevinPyramid.solve). Session 22:
# (1, 2, 15, 40) instead of the hint input's (3, 6, 15, 40) left every python3 -m training.tint
# number within 0.2 (the backdrop's tint of the hair -17.9 instead of -18.0, the suit's pull by
# the flag 11.4 instead of 11.6) and saves two sweeps at the finest level per channel (a
# channel per colour group and one for the weight).
REGION_SWEEPS = (1, 2, 15, 40)


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
    GUIDE_SIGMA^2 - (d y)^2 / LUM_SIGMA^2) (``auto_ab``: (2, h, w) the network's chroma without
    hints, normalised; y the pyramid's own luminance, area-averaged down the levels as the
    guide is) and normalised again, as :func:`net.affinity.learned_affinities` bends them by an
    embedding: the solver of :func:`region_weight` for this photo."""
    ab = np.asarray(auto_ab, np.float32) / GUIDE_SIGMA
    y = pyramid.levels[0][None] / LUM_SIGMA
    if ab.shape[-2:] != y.shape[-2:]:
        raise ValueError(f"automatic colour of {ab.shape[-2:]} for a photo of {y.shape[-2:]}")
    guide = torch.from_numpy(np.concatenate([ab, y.astype(np.float32)]))
    with torch.inference_mode():
        return pyramid.with_affinities(learned_affinities(pyramid.wts, guide))


def hint_groups(painted: np.ndarray) -> tuple[np.ndarray, int]:
    """The hinted pixels of ``painted`` ((a, b, mask), as rasterised) grouped by colour ->
    ((h, w) int32 labels, -1 where unhinted, groups numbered 0..n-1 by their first pixel; n).

    Up to :data:`MAX_COLOURS` colours, each colour is a group. Beyond, a colour's group is its
    hue sector (:data:`HUE_SECTORS` of the ab plane, and one for colours under
    :data:`GRAY_CHROMA`): a new colour then joins one group and changes no other, so the
    network reruns once.
    """
    a, b, m = np.asarray(painted, np.float32)[:3]
    labels = np.full(m.shape, -1, np.int32)
    sel = m > 0
    if not sel.any():
        return labels, 0
    colours = np.stack([a[sel], b[sel]], 1)
    keys = np.round(colours / SAME_COLOUR).astype(np.int64) + (1 << 20)
    # one int64 per colour: a 1-D unique is ~5x faster than np.unique(axis=0) (a whole stroke)
    _, inverse = np.unique((keys[:, 0] << 21) | keys[:, 1], return_inverse=True)
    pixel_group = inverse.ravel()
    if pixel_group.max() + 1 > MAX_COLOURS:
        pixel_group = hue_sector(colours[:, 0], colours[:, 1])
    _, first = np.unique(pixel_group, return_index=True)     # each group's first pixel
    renumber = np.zeros(pixel_group.max() + 1, np.int32)
    renumber[pixel_group[np.sort(first)]] = np.arange(len(first), dtype=np.int32)
    labels[sel] = renumber[pixel_group]
    return labels, len(first)


def hue_sector(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sector index of normalised chroma (a, b): 0 for near-gray, else 1..HUE_SECTORS by hue
    (the first sector centred on hue 0, Lab's magenta-red)."""
    hue = np.arctan2(b, a) / (2 * np.pi) * HUE_SECTORS + 0.5
    sector = 1 + np.floor(hue).astype(np.int64) % HUE_SECTORS
    return np.where(np.hypot(a, b) * AB_SCALE < GRAY_CHROMA, 0, sector)


def region_split(pyramid: LevinPyramid, labels: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Which colour group owns each pixel and how strongly the pixel is hinted at all ->
    ((n, h, w) owners, summing to 1 wherever any group reaches; (h, w) weight in [0, 1]).

    ``labels`` from :func:`hint_groups` (-1 unhinted). The weight is 1 at the hinted pixels
    and in most of their region, fading with the screened system of ``pyramid``
    (:func:`colour_guided`) away from them, fast across edges, texture and changes of
    automatic colour; the owners split it as the pixel is connected to each group's hints.
    """
    labels = np.asarray(labels)
    mask = (labels >= 0).astype(np.float32)
    seeds = mask[None]                         # the weight's channel; with several groups,
    if n > 1:                                  # one more per group for the owners
        seeds = np.concatenate([np.stack([_seed(labels == g) for g in range(n)]), seeds])
    u = pyramid.solve(seeds, mask, REGION_SWEEPS, reach=REGION_REACH * photo_side(*mask.shape), hard=True)
    np.clip(u, 0.0, None, out=u)
    total = u[-1]
    sharp = u[:n] ** OWNER_POWER
    return sharp / np.maximum(sharp.sum(0), 1e-12)[None], np.clip(total * REGION_GAIN, 0.0, 1.0)


def _seed(own: np.ndarray) -> np.ndarray:
    """A group's seed for the owners' solve: 1 / (pixels of its connected hint)^OWNER_SIZE_POWER
    on each of its hints, 0 elsewhere (the solve is linear: each hint's connections scale so)."""
    count, comp = cv2.connectedComponents(own.astype(np.uint8), connectivity=8)
    sizes = np.bincount(comp.ravel(), minlength=count).astype(np.float32)
    scale = sizes ** -OWNER_SIZE_POWER
    return np.where(own, scale[comp], 0.0).astype(np.float32)


def region_weight(pyramid: LevinPyramid, mask: np.ndarray) -> np.ndarray:
    """(h, w) in [0, 1]: :func:`region_split`'s weight for the hints of ``mask`` (> 0)."""
    return region_split(pyramid, np.where(np.asarray(mask) > 0, 0, -1), 1)[1]


def localise(with_hints: list[np.ndarray], without_hints: np.ndarray,
             shares: np.ndarray) -> np.ndarray:
    """The network's chroma with each group's hints (a (2, h, w) per group) kept only where
    that group's ``shares`` say it belongs: elsewhere the chroma it predicts without hints."""
    out = without_hints.copy()
    for f, s in zip(with_hints, shares):
        out += s[None] * (f - without_hints)
    return out
