"""Losses on normalised chroma: the paper's blurred MSE, and plain L1/L2/Huber."""
from __future__ import annotations

import torch
import torch.nn.functional as F


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
