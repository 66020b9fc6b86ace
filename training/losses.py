"""Losses on normalised chroma: the paper's blurred MSE, and plain L1/L2/Huber; and the
network's output as the app shows it, after the residual correction at the hints."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from net.affinity import learned_affinities
from net.levin_propagation import area_pyramid, jacobi_sweep, sweeps_at
from net.propagation import CORRECTION_HARD, CORRECTION_SWEEPS, Propagator


def gaussian_kernel(sigma: float, device=None) -> torch.Tensor:
    radius = max(1, int(round(3 * sigma)))
    x = torch.arange(-radius, radius + 1, dtype=torch.float32, device=device)
    k = torch.exp(-(x * x) / (2 * sigma * sigma))
    return k / k.sum()


def gaussian_blur(x: torch.Tensor, sigma: float = 2.0) -> torch.Tensor:
    """Separable Gaussian blur of every channel (reflect padding)."""
    k = gaussian_kernel(sigma, x.device).to(x.dtype)
    c = x.shape[1]
    r = k.numel() // 2
    x = F.pad(x, (r, r, r, r), mode="reflect")
    x = F.conv2d(x, k.view(1, 1, 1, -1).expand(c, 1, 1, -1), groups=c)
    return F.conv2d(x, k.view(1, 1, -1, 1).expand(c, 1, -1, 1), groups=c)


def blurred_mse(pred: torch.Tensor, target: torch.Tensor, sigma: float = 2.0) -> torch.Tensor:
    """The paper's loss: mean of MSE and MSE of the Gaussian-blurred prediction and truth."""
    return 0.5 * (F.mse_loss(pred, target)
                  + F.mse_loss(gaussian_blur(pred, sigma), gaussian_blur(target, sigma)))


# The floor of a crop's error in psnr_mse's weights (normalised ab; ~1.1 ab units RMS), so a
# near-gray crop coloured almost exactly does not take the whole batch's weight.
PSNR_FLOOR = 1e-4


def psnr_mse(pred: torch.Tensor, target: torch.Tensor, floor: float = PSNR_FLOOR) -> torch.Tensor:
    """Each crop's MSE weighted by the inverse of its own (detached) error, the weights scaled
    to mean 1: the gradient of the mean log-MSE, i.e. of the mean PSNR the evaluation reports,
    at the scale of an MSE. A plain MSE is dominated by the crops coloured worst (few hints,
    ambiguous photos); the sweep averages PSNR over photos, where a well-hinted photo's small
    error counts as much as an unhinted photo's large one."""
    per = (pred - target).square().flatten(1).mean(1)
    w = 1.0 / (per.detach() + floor)
    return (w / w.mean() * per).mean()


LOSSES = {
    "blurred_mse": blurred_mse,
    "psnr": psnr_mse,
    "mse": F.mse_loss,
    "l1": F.l1_loss,
    "huber": lambda p, t: F.smooth_l1_loss(p, t, beta=0.05),
}


def through_correction(pred: torch.Tensor, l: torch.Tensor, h7: torch.Tensor,
                       embedding: torch.Tensor | None = None) -> torch.Tensor:
    """``pred`` (B, 2, H, W) after the residual correction the app applies at the hints: what
    users see, so a loss on it trains the network for what the correction leaves to it.

    The correction c = Fy + P(M(h - Fy)) is linear in the network's output y (F: the colour
    around the hints filled in under them, :mod:`net.hole_fill`), and its gradient says that
    the colour around a hint moves the correction everywhere. So P is
    :meth:`net.propagation.Propagator.correct`'s own solve written in torch
    (:func:`_differentiable_correction`; equal to it, a test checks), sample by sample. Holding
    the correction constant instead made training diverge (the network chased errors near the
    hints that the correction then cancelled), and a gradient through the coarsest level alone
    let hints stand out as dots (nothing told the network that a hint's pixels must agree with
    their ring). Like the app, it reads the network's colour under the hints from their
    surroundings (F), so what the network paints under a hint gets no gradient.

    ``embedding`` (B, C, H, W): a learned affinity embedding (:mod:`net.affinity`) that steers
    P as the app's correction is steered; the gradient reaches it through P's weights.
    """
    y = pred.float()
    hint4 = h7[:, :4].detach().float().cpu().numpy()
    lum = l[:, 0].detach().float().cpu().numpy()
    out = []
    for i in range(y.shape[0]):
        mask = np.ascontiguousarray(hint4[i, 3])
        if not mask.any():
            out.append(y[i])
            continue
        prop = Propagator(np.ascontiguousarray(lum[i]), "levin")
        m = torch.from_numpy(mask).to(y.device)
        yi = prop.surroundings_under_hints(y[i], mask)
        residual = (h7[i, 1:3].float() - yi) * (m > 0)
        wts = None if embedding is None else learned_affinities(prop.pyramid.wts, embedding[i])
        out.append((yi + _differentiable_correction(prop, residual, m, wts)).clamp(-1.5, 1.5))
    return torch.stack(out)


def _differentiable_correction(prop: Propagator, residual: torch.Tensor,
                               m: torch.Tensor, wts=None) -> torch.Tensor:
    """The correction of ``residual`` (2, H, W), differentiably: the coarse-to-fine solve of
    :meth:`net.levin_propagation.LevinPyramid.solve` (same levels, constraints, screening and
    sweeps) in torch: hinted area means per level, the coarsest level's exact solve, then the
    Jacobi sweeps of every finer level. ``wts``: the neighbour weights of every level (default
    Levin's), differentiably too."""
    pyr = prop.pyramid
    wts = [w.to(residual) for w in (pyr.wts if wts is None else wts)]
    mask = m.detach().cpu().numpy()
    constraints = pyr.level_constraints(mask, prop.correction_reach(mask.shape), CORRECTION_HARD)
    shapes = [level.shape for level in pyr.levels]
    hs, ms = area_pyramid((residual * m)[None], shapes), area_pyramid(m[None, None], shapes)
    habs = [(h / mm.clamp_min(1e-6))[0] for h, mm in zip(hs, ms)]
    coarsest = len(pyr.levels) - 1
    conf, keep = constraints[coarsest]
    c = torch.from_numpy(conf.ravel()).to(residual)
    a = coarse_matrix(pyr, c, keep, wts[coarsest])
    u = torch.linalg.solve(a, (c[None] * habs[coarsest].reshape(2, -1)).T).T
    u = u.reshape((2,) + conf.shape)
    for lv in range(coarsest - 1, -1, -1):
        u = F.interpolate(u[None], size=pyr.levels[lv].shape, mode="bilinear",
                          align_corners=False)[0]
        conf, keep = constraints[lv]
        ct = torch.from_numpy(conf)[None].to(residual)
        for _ in range(sweeps_at(CORRECTION_SWEEPS, lv)):
            u = jacobi_sweep(u, wts[lv], habs[lv], ct, keep)
    return u


def coarse_matrix(pyr, conf: torch.Tensor, keep: float, wts: torch.Tensor) -> torch.Tensor:
    """Dense torch twin of :meth:`net.levin_propagation.LevinPyramid.coarse_matrix` with the
    coarsest level's neighbour weights ``wts`` (8, h, w), differentiable in them:
    A = I - diag(1 - conf) * keep * W (repeated entries, at the replicated borders, add up)."""
    n = conf.numel()
    rows = torch.from_numpy(pyr.coarse_rows)
    cols = torch.from_numpy(pyr.coarse_cols)
    vals = -(1.0 - conf[rows]) * wts.reshape(-1) * keep
    a = torch.eye(n, dtype=wts.dtype, device=wts.device)
    return a.index_put((rows, cols), vals, accumulate=True)
