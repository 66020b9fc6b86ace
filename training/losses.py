"""Losses on normalised chroma: the paper's blurred MSE, and plain L1/L2/Huber; and the
network's output as the app shows it, after the residual correction at the hints."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from net.propagation import CORRECTION_HARD, Propagator


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


LOSSES = {
    "blurred_mse": blurred_mse,
    "mse": F.mse_loss,
    "l1": F.l1_loss,
    "huber": lambda p, t: F.smooth_l1_loss(p, t, beta=0.05),
}


def through_correction(pred: torch.Tensor, l: torch.Tensor, h7: torch.Tensor) -> torch.Tensor:
    """``pred`` (B, 2, H, W) after the residual correction the app applies at the hints: what
    users see, so a loss on it trains the network for what the correction leaves to it.

    The value is the app's own (:meth:`net.propagation.Propagator.correct`, sample by sample).
    The correction is c = y + P(M(h - y)), linear in the network's output y, so its exact
    gradient is (I - P M)^T: hinted pixels' colour moves the correction everywhere. The gradient
    here takes P as the correction's coarsest level, where most of it is made: that level's
    exact solve (the same matrix), differentiable, upsampled bilinearly. (Holding the correction
    constant instead made training diverge: the network chased errors near the hints that the
    correction then cancelled.)
    """
    y = pred.float()
    y_np = y.detach().cpu().numpy()
    hint4 = h7[:, :4].detach().float().cpu().numpy()
    lum = l[:, 0].detach().float().cpu().numpy()
    out = []
    for i in range(y.shape[0]):
        mask = np.ascontiguousarray(hint4[i, 3])
        if not mask.any():
            out.append(y[i])
            continue
        yi = np.ascontiguousarray(y_np[i])
        prop = Propagator(np.ascontiguousarray(lum[i]), "levin")
        exact = torch.from_numpy(prop.correct(yi, hint4[i]) - yi).to(y.device)
        m = torch.from_numpy(mask).to(y.device)
        residual = (h7[i, 1:3].float() - y[i]) * (m > 0)
        approx = _coarse_correction(prop, residual, m)
        out.append(y[i] + exact + (approx - approx.detach()))
    return torch.stack(out)


def _coarse_correction(prop: Propagator, residual: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
    """The correction of ``residual`` (2, H, W) made on its coarsest level only, differentiably:
    hinted area means, the level's exact screened solve, bilinear upsampling, the residual itself
    at the hinted pixels."""
    pyr = prop.pyramid
    mask = m.detach().cpu().numpy()
    conf, keep = pyr.coarse_constraints(mask, prop.correction_reach(mask.shape), CORRECTION_HARD)
    rm, mm = (residual * m)[None], m[None, None]
    for level in pyr.levels[1:]:
        rm = F.interpolate(rm, size=level.shape, mode="area")
        mm = F.interpolate(mm, size=level.shape, mode="area")
    c = torch.from_numpy(conf.ravel()).to(residual)
    hab = (rm / mm.clamp_min(1e-6))[0].reshape(2, -1)
    a = torch.from_numpy(pyr.coarse_matrix(conf, keep).toarray()).to(residual)
    u = torch.linalg.solve(a, (c[None] * hab).T).T.reshape((1, 2) + conf.shape)
    up = F.interpolate(u, size=residual.shape[-2:], mode="bilinear", align_corners=False)[0]
    return torch.where(m > 0, residual, up)
