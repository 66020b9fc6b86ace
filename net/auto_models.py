"""Automatic colorization systems (no hints), trained side by side with RTNet + HNet.

Each is a published approach the design draws on; all take normalised L (N, 1, H, W),
H and W multiples of 16, and return normalised ab (N, 2, H, W):

* ``autoencoder``: a plain strided-convolution encoder (to H/8) and upsampling decoder,
  ab through tanh, trained with MSE; no pretrained parts (the floor every system should beat).
* ``koala``: the same encoder, plus a global embedding of the photo from the pretrained
  VGG16 (mean-pooled conv5_3, as Baldassarre et al.'s "Deep Koalarization" uses
  Inception-ResNet-v2's), tiled over the bottleneck, concatenated and fused by a 1x1
  convolution, then the same decoder; MSE.
* ``zhang``: Zhang, Isola and Efros 2016: a distribution over the in-gamut ab bins
  (:mod:`net.ab_bins`) at H/4 from VGG16 features of the gray photo (conv3, conv4, conv5
  fused), trained with the soft-encoded, rebalanced cross-entropy, decoded by the annealed
  mean (T = 0.38) and upsampled.
* ``pix2pix``: a U-Net generator whose encoder is the pretrained VGG16 (skips from conv1
  to conv4, bottleneck conv5), trained with MSE first and then with L1 (lambda 100) plus a
  conditional 70x70 PatchGAN (:class:`PatchDiscriminator`, used only in training).

The pretrained VGG16 stays frozen in every system (a CPU budget). They share the interface
of :class:`net.models.ColorizationModel` that inference uses (``encode_gray``,
``colorize_from_gray``, ``cfg``), accept a hint tensor and ignore it (``uses_hints``).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import torch
import torch.nn as nn
import torch.nn.functional as F

from .ab_bins import NUM_BINS
from .gray_branch import ColourClassifier, VGGGray, conv_bn_relu

AUTO_SYSTEMS = ("autoencoder", "koala", "zhang", "pix2pix")


@dataclass
class AutoConfig:
    variant: str = "autoencoder"
    width: int = 32                 # encoder channels at H/2 (doubling per stage; VGG systems: decoder)
    output_scale: float = 1.2       # tanh * scale, in AB_SCALE units
    propagation = None              # no hint propagation: these systems ignore hints

    def __post_init__(self):
        if self.variant not in AUTO_SYSTEMS:
            raise ValueError(f"unknown automatic system {self.variant!r}; expected one of {AUTO_SYSTEMS}")
        self.width = int(self.width)
        if self.width < 4:
            raise ValueError("width must be at least 4")
        self.output_scale = float(self.output_scale)

    @property
    def local(self) -> bool:
        return False

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "AutoConfig":
        unknown = set(d) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown model config keys: {sorted(unknown)}")
        return cls(**d)


def _up(x, ref=None):
    if ref is not None:
        return F.interpolate(x, size=ref.shape[-2:], mode="bilinear", align_corners=False)
    return F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)


class AutomaticModel(nn.Module):
    """Common interface; subclasses implement :meth:`predict` (and ``vgg`` when they use one)."""

    uses_hints = False

    def __init__(self, cfg: AutoConfig):
        super().__init__()
        self.cfg = cfg
        self.vgg = None              # subclasses with a pretrained VGG16 replace it by the module

    def set_vgg_trainable(self, flag: bool):
        if self.vgg is not None:
            for p in self.vgg.parameters():
                p.requires_grad_(flag)

    def train(self, mode: bool = True):
        super().train(mode)
        if self.vgg is not None:
            self.vgg.eval()              # frozen, and has no BatchNorm: eval either way
        return self

    def predict(self, l_norm) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(ab, ab-bin logits or None)."""
        raise NotImplementedError

    def forward(self, l_norm, hint_input=None, lab_norm=None, with_logits=False, mode="colour"):
        if mode != "colour" or lab_norm is not None:
            raise ValueError(f"the {self.cfg.variant} system has no palette networks")
        ab, logits = self.predict(l_norm)
        return (ab, logits) if with_logits else ab

    def encode_gray(self, l_norm):
        """The whole prediction depends only on the gray photo: computed once per photo."""
        return (self.predict(l_norm)[0],)

    def colorize_from_gray(self, gray, hint_input=None):
        return gray[0]



class Encoder(nn.Module):
    """L -> features at H/8: three strided stages (w, 2w, 4w channels) and a 4w bottleneck."""

    def __init__(self, w: int):
        super().__init__()
        self.body = nn.Sequential(
            conv_bn_relu(1, w, stride=2), conv_bn_relu(w, w),
            conv_bn_relu(w, 2 * w, stride=2), conv_bn_relu(2 * w, 2 * w),
            conv_bn_relu(2 * w, 4 * w, stride=2), conv_bn_relu(4 * w, 4 * w))
        self.channels = 4 * w

    def forward(self, l_norm):
        return self.body(l_norm)


class Decoder(nn.Module):
    """Features at H/8 -> ab at H: three (upsample x2, conv) stages, then a 3x3 conv and tanh."""

    def __init__(self, cin: int, w: int, scale: float):
        super().__init__()
        self.ups = nn.ModuleList([conv_bn_relu(cin, 2 * w), conv_bn_relu(2 * w, w),
                                  conv_bn_relu(w, w // 2)])
        self.out = nn.Conv2d(w // 2, 2, 3, 1, 1)
        self.scale = scale

    def forward(self, x):
        for conv in self.ups:
            x = conv(_up(x))
        return torch.tanh(self.out(x).float()) * self.scale


class ConvAutoencoder(AutomaticModel):
    def __init__(self, cfg: AutoConfig):
        super().__init__(cfg)
        self.encoder = Encoder(cfg.width)
        self.decoder = Decoder(self.encoder.channels, cfg.width, cfg.output_scale)

    def predict(self, l_norm):
        return self.decoder(self.encoder(l_norm)), None


class KoalaNet(AutomaticModel):
    """Encoder + global VGG16 embedding, tiled and fused by a 1x1 convolution (Deep Koalarization)."""

    EMBED = 256

    def __init__(self, cfg: AutoConfig):
        super().__init__(cfg)
        self.encoder = Encoder(cfg.width)
        self.vgg = VGGGray(semantic=True)
        self.embed = nn.Sequential(nn.Linear(512, self.EMBED), nn.ReLU(inplace=True))
        c = self.encoder.channels
        self.fusion = nn.Sequential(nn.Conv2d(c + self.EMBED, c, 1), nn.ReLU(inplace=True))
        self.decoder = Decoder(c, cfg.width, cfg.output_scale)
        self.set_vgg_trainable(False)

    def predict(self, l_norm):
        x = self.encoder(l_norm)
        f5 = self.vgg(l_norm)[4]
        g = self.embed(f5.float().mean((2, 3))).to(x.dtype)
        g = g[:, :, None, None].expand(-1, -1, *x.shape[-2:])
        return self.decoder(self.fusion(torch.cat([x, g], 1))), None


class ZhangNet(AutomaticModel):
    """Classification over the ab bins at H/4 from VGG16 conv3 + conv4 + conv5 of the gray photo."""

    def __init__(self, cfg: AutoConfig):
        super().__init__(cfg)
        self.vgg = VGGGray(semantic=True)
        w = 4 * cfg.width
        self.p3 = conv_bn_relu(256, w, k=1)
        self.p4 = conv_bn_relu(512, w, k=1)
        self.p5 = conv_bn_relu(512, w, k=1)
        self.body = nn.Sequential(conv_bn_relu(3 * w, 2 * w), conv_bn_relu(2 * w, 2 * w))
        self.classifier = ColourClassifier(2 * w, NUM_BINS)
        self.set_vgg_trainable(False)

    def predict(self, l_norm):
        f = self.vgg(l_norm)
        x3 = self.p3(f[2])
        x = torch.cat([x3, _up(self.p4(f[3]), x3), _up(self.p5(f[4]), x3)], 1)
        logits, ab4 = self.classifier(self.body(x))
        ab = F.interpolate(ab4, size=l_norm.shape[-2:], mode="bilinear", align_corners=False)
        return ab, logits


class VGGUNet(AutomaticModel):
    """pix2pix generator: U-Net whose encoder is VGG16 (skips conv1..conv4, bottleneck conv5)."""

    def __init__(self, cfg: AutoConfig):
        super().__init__(cfg)
        self.vgg = VGGGray(semantic=True)
        w = cfg.width
        self.d5 = conv_bn_relu(512, 8 * w)                        # H/16
        self.d4 = conv_bn_relu(8 * w + 512, 8 * w)                # H/8
        self.d3 = conv_bn_relu(8 * w + 256, 4 * w)                # H/4
        self.d2 = conv_bn_relu(4 * w + 128, 2 * w)                # H/2
        self.d1 = conv_bn_relu(2 * w + 64, w)                     # H
        self.out = nn.Conv2d(w, 2, 3, 1, 1)
        self.set_vgg_trainable(False)

    def predict(self, l_norm):
        f1, f2, f3, f4, f5 = self.vgg(l_norm)
        x = self.d5(f5)
        x = self.d4(torch.cat([_up(x, f4), f4], 1))
        x = self.d3(torch.cat([_up(x, f3), f3], 1))
        x = self.d2(torch.cat([_up(x, f2), f2], 1))
        x = self.d1(torch.cat([_up(x, f1), f1], 1))
        return torch.tanh(self.out(x).float()) * self.cfg.output_scale, None


class PatchDiscriminator(nn.Module):
    """pix2pix's 70x70 PatchGAN: C64-C128-C256-C512 (4x4 convs, BatchNorm except the first,
    LeakyReLU 0.2), then a 1-channel 4x4 conv; sees L concatenated with (real or generated) ab."""

    def __init__(self, in_ch: int = 3, w: int = 64):
        super().__init__()

        def block(ci, co, stride, bn=True):
            return [nn.Conv2d(ci, co, 4, stride, 1, bias=not bn)] + \
                ([nn.BatchNorm2d(co)] if bn else []) + [nn.LeakyReLU(0.2, inplace=True)]

        self.body = nn.Sequential(*block(in_ch, w, 2, bn=False), *block(w, 2 * w, 2),
                                  *block(2 * w, 4 * w, 2), *block(4 * w, 8 * w, 1),
                                  nn.Conv2d(8 * w, 1, 4, 1, 1))

    def forward(self, l_norm, ab_norm):
        return self.body(torch.cat([l_norm, ab_norm.to(l_norm.dtype)], 1)).float()


SYSTEM_CLASSES = {"autoencoder": ConvAutoencoder, "koala": KoalaNet, "zhang": ZhangNet,
                  "pix2pix": VGGUNet}


def build_auto_model(cfg: AutoConfig) -> AutomaticModel:
    return SYSTEM_CLASSES[cfg.variant](cfg)
