"""Learned affinities for the residual correction: where a hint's colour may flow.

The residual correction (:meth:`net.propagation.Propagator.correct`) spreads each hint's
residual with Levin et al.'s system, whose neighbour weights come from the luminance alone.
So a hint crosses a weak luminance edge between two things of different colour (a red hint
on a finch's breast reddened the blurred background) and stops at luminance edges inside one
thing of one colour (a striped shirt).

:class:`AffinityEmbedding` maps the gray branch's features (once per photo) to a few channels
``e`` at the working resolution. Each pyramid level's Levin weights are then multiplied by
``exp(-|e_i - e_j|^2)`` between neighbours and renormalised (:func:`learned_affinities`): two
neighbours whose features say "different things" stop exchanging colour, whatever their
luminance. The embedding is trained (``colorizer-train affinity``) through the correction's
differentiable solve on the colour loss of the corrected result, with the rest of the model
frozen, so it learns exactly where spreading a hint's residual pays. It costs nothing per
hint change: the weights are computed when a photo is opened, like Levin's.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .levin_propagation import OFFSETS

# Channels of the learned embedding (ModelConfig.affinity for models trained with one).
AFFINITY_CHANNELS = 4
_HIDDEN = 16
# The embedding's last layer starts small, so a new head starts at Levin's own weights (a
# multiplier near 1 everywhere) yet has gradients (at exactly zero it would have none).
_INIT_STD = 0.05


class AffinityEmbedding(nn.Module):
    """Gray-branch features (g1..g4 at H, H/2, H/4, H/8) -> (N, channels, H, W) embedding."""

    def __init__(self, gray_channels: tuple, channels: int = AFFINITY_CHANNELS):
        super().__init__()
        self.skips = nn.ModuleList(nn.Conv2d(c, _HIDDEN, 1) for c in gray_channels)
        self.mix = nn.Sequential(nn.ReLU(inplace=True), nn.Conv2d(_HIDDEN, _HIDDEN, 3, 1, 1),
                                 nn.ReLU(inplace=True), nn.Conv2d(_HIDDEN, channels, 3, 1, 1))
        with torch.no_grad():
            self.mix[-1].weight.normal_(0.0, _INIT_STD)
            self.mix[-1].bias.zero_()

    def forward(self, gray) -> torch.Tensor:
        # float32 even under autocast: bf16 would round the embedding (steps of 1/64 at 2..4)
        # inside exp(-|e_i - e_j|^2); 16 channels cost little.
        with torch.autocast(gray[0].device.type, enabled=False):
            size = gray[0].shape[-2:]
            x = None
            for conv, g in zip(self.skips, gray[:len(self.skips)]):
                y = conv(g.float())
                if y.shape[-2:] != size:
                    y = F.interpolate(y, size=size, mode="bilinear", align_corners=False)
                x = y if x is None else x + y
            return self.mix(x)


def neighbour_distances(e: torch.Tensor) -> torch.Tensor:
    """(8, h, w) squared distances between each pixel's embedding ``e`` (C, h, w) and its 8
    neighbours', in the order of :data:`net.levin_propagation.OFFSETS` (edges replicated, as
    Levin's weights are)."""
    h, w = e.shape[-2:]
    pad = F.pad(e[None], (1, 1, 1, 1), mode="replicate")[0]
    return torch.stack([((pad[:, 1 + di:1 + di + h, 1 + dj:1 + dj + w] - e) ** 2).sum(0)
                        for di, dj in OFFSETS])


def learned_affinities(levin_wts, embedding: torch.Tensor) -> list[torch.Tensor]:
    """Levin's weights of every pyramid level (finest first, (8, h, w) each, summing to 1 over
    the neighbours) times ``exp(-|e_i - e_j|^2)``, renormalised; ``embedding`` (C, H, W) at the
    finest level's size, area-averaged down the pyramid. Differentiable in ``embedding``."""
    out = []
    e = embedding.float()
    for w in levin_wts:
        shape = tuple(w.shape[-2:])
        if tuple(e.shape[-2:]) != shape:
            e = F.interpolate(e[None], size=shape, mode="area")[0]
        logits = torch.log(w.to(e).clamp_min(1e-30)) - neighbour_distances(e)
        out.append(torch.softmax(logits, dim=0))
    return out
