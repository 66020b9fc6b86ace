"""The quantised ab plane of Zhang, Isola and Efros (2016), "Colorful Image Colorization".

The ab plane is cut into a grid of 10x10 cells; the bins are the cell centres that are
inside the sRGB gamut at some lightness (this module computes the set itself from the
Lab->sRGB conversion, deterministically: 261 bins; see :func:`in_gamut_bins`). A network
predicts a distribution over the bins per pixel; it is decoded by the *annealed mean*
(softmax at temperature T = 0.38, then the expectation), which keeps colours vivid
without the spatial noise of the mode. The same distribution gives the app its
"suggested here" colours (the most probable bins at a pixel).

Training targets are soft-encoded (the 5 nearest bins, Gaussian weights with sigma 5)
and rebalanced by the inverse of a smoothed empirical prior mixed with a uniform
(lambda 0.5), so rare saturated colours are not drowned by browns and grays.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .color import AB_SCALE

GRID = 10.0
AB_RANGE = 110.0
ANNEAL_T = 0.38
SOFT_NEIGHBOURS = 5
SOFT_SIGMA = 5.0
PRIOR_SIGMA = 5.0
REBALANCE_LAMBDA = 0.5

_D65 = np.array([0.95047, 1.0, 1.08883])
_XYZ_TO_RGB = np.array([[3.2404542, -1.5371385, -0.4985314],
                        [-0.9692660, 1.8760108, 0.0415560],
                        [0.0556434, -0.2040259, 1.0572252]])


def _lab_to_linear_rgb(lab: np.ndarray) -> np.ndarray:
    """Unclipped linear sRGB of Lab colours (..., 3); values outside [0, 1] are out of gamut."""
    L, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    fy = (L + 16.0) / 116.0
    f = np.stack([fy + a / 500.0, fy, fy - b / 200.0], axis=-1)
    xyz = np.where(f > 6.0 / 29.0, f ** 3, 3 * (6.0 / 29.0) ** 2 * (f - 4.0 / 29.0)) * _D65
    return xyz @ _XYZ_TO_RGB.T


def in_gamut_bins(grid: float = GRID, ab_range: float = AB_RANGE) -> np.ndarray:
    """(Q, 2) ab centres of the grid cells that hold an sRGB colour at some lightness.

    A cell counts when its centre or a corner or edge midpoint is in gamut at one of 100
    lightness levels: 261 cells (Zhang et al.'s file lists 313; theirs also keeps cells
    just outside the sRGB gamut).
    """
    centres = np.arange(-ab_range, ab_range + 1e-6, grid)
    a, b = np.meshgrid(centres, centres, indexing="ij")
    ab = np.stack([a.ravel(), b.ravel()], axis=1)
    half = grid / 2
    probes = np.array([(da, db) for da in (-half, 0.0, half) for db in (-half, 0.0, half)])
    pts = (ab[:, None, :] + probes[None]).reshape(-1, 1, 2)            # (cells * 9, 1, 2)
    L = np.linspace(0.5, 99.5, 100)
    lab = np.concatenate([np.broadcast_to(L[None, :, None], (len(pts), len(L), 1)),
                          np.broadcast_to(pts, (len(pts), len(L), 2))], axis=2)
    rgb = _lab_to_linear_rgb(lab)
    ok = ((rgb >= 0.0) & (rgb <= 1.0)).all(axis=2).any(axis=1).reshape(len(ab), -1).any(axis=1)
    return ab[ok].astype(np.float32)


AB_BINS = in_gamut_bins()            # (Q, 2), Lab units
NUM_BINS = len(AB_BINS)


def bins_normalised(device=None) -> torch.Tensor:
    """The bin centres as normalised ab (divided by AB_SCALE), (Q, 2)."""
    return torch.from_numpy(AB_BINS / AB_SCALE).to(device)


def annealed_mean(logits: torch.Tensor, centres_norm: torch.Tensor, t: float = ANNEAL_T) -> torch.Tensor:
    """(N, Q, H, W) logits -> (N, 2, H, W) normalised ab: expectation under softmax(logits / T)."""
    p = torch.softmax(logits.float() / t, dim=1)
    return torch.einsum("nqhw,qc->nchw", p, centres_norm.float())


def soft_encode(ab_norm: torch.Tensor, centres_norm: torch.Tensor,
                k: int = SOFT_NEIGHBOURS, sigma: float = SOFT_SIGMA) -> tuple[torch.Tensor, torch.Tensor]:
    """(N, 2, H, W) normalised ab -> (weights (N, k, H, W), bin indices (N, k, H, W)).

    The k nearest bins with Gaussian weights (sigma in Lab units), summing to 1.
    """
    n, _, h, w = ab_norm.shape
    x = ab_norm.float().permute(0, 2, 3, 1).reshape(-1, 2) * AB_SCALE
    c = centres_norm.float() * AB_SCALE
    d2 = torch.cdist(x, c).pow(2)
    dk, ik = torch.topk(d2, k, dim=1, largest=False)
    wk = torch.softmax(-dk / (2 * sigma * sigma), dim=1)
    return (wk.reshape(n, h, w, k).permute(0, 3, 1, 2), ik.reshape(n, h, w, k).permute(0, 3, 1, 2))


def empirical_prior(ab_norm_samples: np.ndarray, sigma: float = PRIOR_SIGMA) -> np.ndarray:
    """(M, 2) normalised ab pixels -> (Q,) smoothed probability of each bin."""
    x = ab_norm_samples.reshape(-1, 2) * AB_SCALE
    d2 = ((x[:, None, :] - AB_BINS[None]) ** 2).sum(-1)
    counts = np.bincount(d2.argmin(axis=1), minlength=NUM_BINS).astype(np.float64)
    p = counts / max(1.0, counts.sum())
    k = np.exp(-((AB_BINS[:, None, :] - AB_BINS[None]) ** 2).sum(-1) / (2 * sigma * sigma))
    p = k @ p
    return (p / p.sum()).astype(np.float32)


def rebalance_weights(prior: np.ndarray, lam: float = REBALANCE_LAMBDA) -> np.ndarray:
    """Per-bin loss weights w ~ ((1 - lam) p + lam / Q)^-1, normalised so E_p[w] = 1."""
    w = 1.0 / ((1.0 - lam) * prior + lam / len(prior))
    return (w / (prior * w).sum()).astype(np.float32)


def rebalanced_cross_entropy(logits: torch.Tensor, ab_norm: torch.Tensor, centres_norm: torch.Tensor,
                             class_weights: torch.Tensor) -> torch.Tensor:
    """Zhang et al.'s multinomial loss: soft-encoded targets, weighted by the target's most likely bin.

    logits (N, Q, h, w); ab_norm (N, 2, H, W) is area-downsampled to (h, w) first.
    """
    h, w = logits.shape[-2:]
    if ab_norm.shape[-2:] != (h, w):
        ab_norm = F.adaptive_avg_pool2d(ab_norm.float(), (h, w))
    wk, ik = soft_encode(ab_norm, centres_norm)
    logp = torch.log_softmax(logits.float(), dim=1)
    ce = -(wk * torch.gather(logp, 1, ik)).sum(1)               # (N, h, w)
    pix_w = class_weights[ik[:, 0]]                              # weight of the nearest bin
    return (ce * pix_w).mean()


def top_colours(logits_at_pixel: torch.Tensor, count: int = 3) -> list[tuple[float, float, float]]:
    """(Q,) logits at one pixel -> [(a, b, probability)] of the most probable bins, Lab units."""
    p = torch.softmax(logits_at_pixel.float(), dim=0)
    vals, idx = torch.topk(p, min(count, p.numel()))
    return [(float(AB_BINS[i, 0]), float(AB_BINS[i, 1]), float(v)) for v, i in zip(vals, idx)]
