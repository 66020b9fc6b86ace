"""Losses on normalised chroma: the paper's blurred MSE, and plain L1/L2/Huber; and the
network's output as the app shows it, after the residual correction at the hints."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from net.propagation import Propagator


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
    """``pred`` (B, 2, H, W) after the residual correction the app applies at the hints
    (:meth:`net.propagation.Propagator.correct`), so a loss on it trains the network for what
    users see: its error near a hint matters only as far as the correction leaves it.

    The correction enters as a constant (no gradient through its solve), and hinted pixels,
    which it sets to the hint whatever the network says, get no gradient at all.
    """
    out = pred.float()
    hinted = h7[:, 3:4] > 0
    if not bool(hinted.any()):
        return out
    y = out.detach().cpu().numpy()
    hint4 = h7[:, :4].detach().float().cpu().numpy()
    lum = l[:, 0].detach().float().cpu().numpy()
    corr = np.zeros(y.shape, np.float32)
    for i in range(y.shape[0]):
        if hint4[i, 3].any():
            yi = np.ascontiguousarray(y[i])
            corr[i] = Propagator(np.ascontiguousarray(lum[i]), "levin").correct(yi, hint4[i]) - yi
    shown = out + torch.from_numpy(corr).to(out.device)
    return torch.where(hinted, shown.detach(), shown)
