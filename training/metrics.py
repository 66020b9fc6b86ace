"""Measures beside PSNR, which rewards gray-brown averages (the argument of Zhang et al. 2016
and of the GAN colorization papers): colourfulness and the share of nearly gray results."""
from __future__ import annotations

import numpy as np

from net.color import rgb_to_lab

from .data import MIN_CHROMA


def colourfulness(rgb: np.ndarray) -> float:
    """Hasler and Suesstrunk (2003), "Measuring colourfulness in natural images", eq. (3):
    M = sigma_rgyb + 0.3 mu_rgyb with rg = R - G, yb = (R + G) / 2 - B on 0..255 sRGB."""
    x = np.asarray(rgb, np.float64).reshape(-1, 3)
    rg = x[:, 0] - x[:, 1]
    yb = 0.5 * (x[:, 0] + x[:, 1]) - x[:, 2]
    sigma = np.sqrt(rg.var() + yb.var())
    mu = np.sqrt(rg.mean() ** 2 + yb.mean() ** 2)
    return float(sigma + 0.3 * mu)


def nearly_gray(rgb: np.ndarray, threshold: float = MIN_CHROMA) -> bool:
    """Mean Lab chroma below ``threshold`` (the same limit training uses to skip gray photos)."""
    lab = rgb_to_lab(np.ascontiguousarray(rgb))
    return float(np.hypot(lab[:, :, 1], lab[:, :, 2]).mean()) < threshold


def colour_measures(rgbs: list[np.ndarray]) -> tuple[float, float]:
    """(mean colourfulness, share of nearly gray images) of a list of uint8 RGB images."""
    return (float(np.mean([colourfulness(x) for x in rgbs])),
            float(np.mean([nearly_gray(x) for x in rgbs])))
