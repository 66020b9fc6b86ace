"""The gray branch: everything that depends only on the gray photo (computed once per photo).

* :class:`VGGGray`: ImageNet VGG16 on the gray image (frozen, except that an adaptation
  run may fine-tune its top blocks). conv1_1..conv3_3 give the low-level features at H, H/2,
  H/4; with ``semantic`` also conv4_1..conv4_3 at H/8 and conv5_1..conv5_3 at H/16, the
  object-level features automatic colour needs.
* :class:`SemanticFusion`: projections of conv4 and conv5 and a global embedding of the
  photo (mean-pooled conv5, the "fusion layer" of Iizuka et al. and Baldassarre et al.)
  tiled over the H/8 grid, concatenated with the low-level bottleneck and mixed by a 1x1
  convolution. The mix starts as the identity on the low-level part and zero on the new
  parts, so a model warm-started from one without semantics begins exactly where it was.
* :class:`ColourClassifier`: Zhang et al.'s classification head over the quantised ab
  bins (:mod:`net.ab_bins`) at H/8; decoded by the annealed mean it is the automatic
  colour the decoder starts from, and its distribution gives the app's suggestions.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .ab_bins import annealed_mean, bins_normalised
from .color import IMAGENET_MEAN, IMAGENET_STD, gray_rgb_from_l

# torchvision vgg16().features indices of conv1_1 .. conv5_3 and their (out, in) channels
VGG_CONV_INDICES = (0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28)
VGG_CONV_SHAPES = ((64, 3), (64, 64), (128, 64), (128, 128), (256, 128), (256, 256), (256, 256),
                   (512, 256), (512, 512), (512, 512), (512, 512), (512, 512), (512, 512))
LOW_LEVEL_CONVS = 7      # conv1_1 .. conv3_3
SEMANTIC_CHANNELS = 128


def conv_bn_relu(cin, cout, stride=1, k=3):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class VGGGray(nn.Module):
    """VGG16 on the gray image: (f1, f2, f3) or, with ``semantic``, (f1, f2, f3, f4, f5)."""

    def __init__(self, semantic: bool = False):
        super().__init__()
        n = len(VGG_CONV_SHAPES) if semantic else LOW_LEVEL_CONVS
        self.semantic = semantic
        self.convs = nn.ModuleList(nn.Conv2d(ci, co, 3, 1, 1) for co, ci in VGG_CONV_SHAPES[:n])
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)

    def top_convs(self) -> nn.ModuleList:
        """conv4_1..conv5_3 (empty without ``semantic``): the blocks an adaptation may tune."""
        return self.convs[LOW_LEVEL_CONVS:]

    def forward(self, l_norm):
        # Frozen layers (the usual case: all of them) keep no activations for backward: they
        # are most of a training step's memory. The low-level and the top blocks are decided
        # apart, so tuning conv4/conv5 does not keep conv1..conv3's activations.
        grad = torch.is_grad_enabled()
        with torch.set_grad_enabled(grad and self.convs[0].weight.requires_grad):
            low = self._low_level(l_norm)
        if not self.semantic:
            return low
        with torch.set_grad_enabled(grad and self.convs[LOW_LEVEL_CONVS].weight.requires_grad):
            return low + self._top(low[2])

    def _low_level(self, l_norm):
        x = (gray_rgb_from_l(l_norm).expand(-1, 3, -1, -1) - self.mean) / self.std
        c = self.convs
        x = F.relu(c[1](F.relu(c[0](x))))
        f1 = x
        x = F.max_pool2d(x, 2)
        x = F.relu(c[3](F.relu(c[2](x))))
        f2 = x
        x = F.max_pool2d(x, 2)
        f3 = F.relu(c[6](F.relu(c[5](F.relu(c[4](x))))))
        return f1, f2, f3

    def _top(self, f3):
        c = self.convs
        x = F.max_pool2d(f3, 2)
        f4 = F.relu(c[9](F.relu(c[8](F.relu(c[7](x))))))
        x = F.max_pool2d(f4, 2)
        f5 = F.relu(c[12](F.relu(c[11](F.relu(c[10](x))))))
        return f4, f5


class SemanticFusion(nn.Module):
    """Low-level bottleneck (C at H/8) + conv4 (H/8) + conv5 (H/16) + global conv5 -> C at H/8."""

    def __init__(self, channels: int):
        super().__init__()
        s = SEMANTIC_CHANNELS
        self.proj4 = nn.Sequential(nn.BatchNorm2d(512), nn.Conv2d(512, s, 1), nn.ReLU(inplace=True))
        self.proj5 = nn.Sequential(nn.BatchNorm2d(512), nn.Conv2d(512, s, 1), nn.ReLU(inplace=True))
        self.glob = nn.Sequential(nn.Linear(512, s), nn.ReLU(inplace=True))
        self.mix = nn.Conv2d(channels + 3 * s, channels, 1)
        with torch.no_grad():          # identity on the low-level part, zero on the new parts
            self.mix.weight.zero_()
            self.mix.weight[:, :channels, 0, 0] = torch.eye(channels)
            self.mix.bias.zero_()

    def forward(self, low, f4, f5):
        h, w = low.shape[-2:]
        p5 = F.interpolate(self.proj5(f5), size=(h, w), mode="bilinear", align_corners=False)
        g = self.glob(f5.float().mean((2, 3))).to(low.dtype)
        g = g[:, :, None, None].expand(-1, -1, h, w)
        return F.relu(self.mix(torch.cat([low, self.proj4(f4), p5, g], dim=1)))


class ColourClassifier(nn.Module):
    """Per-pixel distribution over the ab bins at H/8, and its annealed mean."""

    def __init__(self, channels: int, classes: int):
        super().__init__()
        self.body = conv_bn_relu(channels, 128)
        self.logits = nn.Conv2d(128, classes, 1)
        self.register_buffer("centres", bins_normalised()[:classes].clone())

    def forward(self, x):
        logits = self.logits(self.body(x)).float()
        return logits, annealed_mean(logits, self.centres)
