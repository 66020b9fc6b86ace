"""RTNet, HNet and CNN1 (the palette networks), in the `seed` and `local` variants.

Shapes use (N, C, H, W); H and W must be multiples of 16 (the network is fully
convolutional). Inputs are normalised as in :mod:`net.color`.

* Gray branch (:mod:`net.gray_branch`): VGG16 conv1_1 .. conv3_3 (ImageNet weights,
  frozen), then batch normalised 1x1 projections of each stage's output and a small
  stride-2 stage down to H/8. With ``semantic``, conv4 and conv5 and a global embedding
  of the photo are fused into that H/8 bottleneck, and with ``ab_classes`` a
  classification head over the quantised ab plane predicts the automatic colour
  (annealed mean), which the decoder receives at H/8. Everything here depends only on
  the gray image, so the interactive path computes it once per photo
  (:meth:`RTNet.encode_gray`).
* Palette: a vector in R^196 (``palette_dim``) bounded by tanh (the paper found
  many ReLU palette entries dead and suggested a bounded activation), produced
  by CNN1 from the colour image (RTNet training) or by HNet from the hint tensor.
  It is broadcast over the H/8 grid and smoothed by the first decoder convs.
* Reconstruction: four stages (H/8, H/4, H/2, H), each concatenating the
  matching gray projection (U-Net-like skip). In the `local` variant every stage
  also receives the hint channels (a, b, mask) and their edge-aware propagation
  (``propagation``: Levin's system solved coarse to fine, plain or screened so a lone hint
  stays on its side of strong edges, or the older fast global smoother; see
  :mod:`net.propagation`) at its resolution, so a hint colours *its* region.
* Output: normalised (a, b) through tanh, scaled to cover the Lab gamut. In the `local`
  variant a learned per-pixel gate blends this with the propagated hint colour, so the
  network starts from the classical propagation and learns where to override it. With
  ``hint_correction`` the inference path then propagates the remaining residual at the
  hints (:meth:`net.propagation.Propagator.correct`; outside this module, in numpy).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import torch
import torch.nn as nn
import torch.nn.functional as F

from .ab_bins import NUM_BINS
from .decoder_cache import DecoderCache, enter_level
from .affinity import AffinityEmbedding
from .gray_branch import (VGG_CONV_INDICES, VGG_CONV_SHAPES, ColourClassifier,  # noqa: F401
                          SemanticFusion, VGGGray, conv_bn_relu)
from .propagation import LEVIN_METHODS, METHODS as PROPAGATION_METHODS

VARIANTS = ("seed", "local")
HINT_DECODER_CHANNELS = 6  # a, b, mask, propagated a, propagated b, confidence
# What a sidecar written before these options existed means by leaving them out.
# (A missing hint_correction means "auto": on for local models with Levin propagation, which
# is how every such model is run since the correction exists.)
LEGACY_CONFIG = {"propagation": "fgs", "semantic": False, "ab_classes": 0}


@dataclass
class ModelConfig:
    variant: str = "local"
    palette_dim: int = 196
    gray_proj: tuple = (16, 32, 64, 128)       # channels of gray skips at H, H/2, H/4, H/8
    decoder: tuple = (24, 48, 96, 128)         # decoder widths at H, H/2, H/4, H/8
    palette_channels: int = 64                  # palette broadcast channels at H/8
    palette_net: tuple = (32, 64, 128, 196)    # CNN1 / HNet widths (stride 2 each)
    output_scale: float = 1.2                   # tanh * scale, in AB_SCALE units
    propagation: str = "levin"                  # hint propagation fed to the decoder (net.propagation)
    semantic: bool = True                       # VGG conv4/conv5 + global embedding fused at H/8
    ab_classes: int = NUM_BINS                  # classification head over the ab bins (0: none)
    # After the network, propagate its residual at the hints (net.propagation.Propagator.correct)
    # so the result passes through them. None: on for the local variant with Levin propagation.
    hint_correction: bool | None = None
    # Channels of the learned affinity embedding that steers the correction (net.affinity);
    # 0: the correction spreads along Levin's luminance weights alone.
    affinity: int = 0

    def __post_init__(self):
        if self.variant not in VARIANTS:
            raise ValueError(f"unknown model variant {self.variant!r}; expected one of {VARIANTS}")
        if self.propagation not in PROPAGATION_METHODS:
            raise ValueError(f"unknown propagation {self.propagation!r}; "
                             f"expected one of {PROPAGATION_METHODS}")
        if int(self.ab_classes) not in (0, NUM_BINS):
            raise ValueError(f"ab_classes must be 0 or {NUM_BINS} (the in-gamut ab bins)")
        if int(self.ab_classes) and not self.semantic:
            raise ValueError("the colour classification head needs semantic features")
        self.semantic = bool(self.semantic)
        self.ab_classes = int(self.ab_classes)
        can_correct = self.variant == "local" and self.propagation in LEVIN_METHODS
        if self.hint_correction is None:
            self.hint_correction = can_correct
        elif self.hint_correction and not can_correct:
            raise ValueError("hint_correction needs the local variant with Levin propagation")
        self.hint_correction = bool(self.hint_correction)
        self.affinity = int(self.affinity)
        if self.affinity < 0 or (self.affinity and not self.hint_correction):
            raise ValueError("affinity (learned correction weights) needs a model with the "
                             "hint correction, and a non-negative channel count")
        for f in ("gray_proj", "decoder", "palette_net"):
            v = tuple(int(x) for x in getattr(self, f))
            if len(v) != 4 or min(v) < 1:
                raise ValueError(f"config {f} must be four positive integers, got {v}")
            setattr(self, f, v)
        if int(self.palette_dim) < 1:
            raise ValueError("palette_dim must be positive")

    @property
    def local(self) -> bool:
        return self.variant == "local"

    def to_dict(self) -> dict:
        d = asdict(self)
        if not d["affinity"]:
            del d["affinity"]      # sidecars of models without one stay readable by older versions
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    @classmethod
    def from_dict(cls, d: dict) -> "ModelConfig":
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown model config keys: {sorted(unknown)}")
        d = {**LEGACY_CONFIG, **d}
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


def fold_batchnorm(module: nn.Module) -> nn.Module:
    """For inference only: fold each BatchNorm that follows a convolution into that convolution.

    Same function in eval mode, one pass over the activations less per layer (about 10 % of
    the decoder's time on CPU). Changes ``module`` in place; never use it on a model in training.
    """
    from torch.nn.utils.fusion import fuse_conv_bn_eval
    if any(m.training for m in module.modules()):
        raise ValueError("fold_batchnorm needs a model in eval mode")
    for seq in [m for m in module.modules() if isinstance(m, nn.Sequential)]:
        for i in range(len(seq) - 1):
            if isinstance(seq[i], nn.Conv2d) and isinstance(seq[i + 1], nn.BatchNorm2d):
                seq[i] = fuse_conv_bn_eval(seq[i], seq[i + 1])
                seq[i + 1] = nn.Identity().eval()
    return module


class PaletteNet(nn.Module):
    """CNN1 (colour image -> palette) and HNet (hint tensor -> palette) share this shape."""

    def __init__(self, in_ch: int, cfg: ModelConfig):
        super().__init__()
        w = cfg.palette_net
        layers, c = [], in_ch
        for co in w:
            layers += [conv_bn_relu(c, co, stride=2), conv_bn_relu(co, co)]
            c = co
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(2 * c, cfg.palette_dim)

    def forward(self, x):
        y = self.body(x)
        pooled = torch.cat([y.mean((2, 3)), y.amax((2, 3))], dim=1)
        return torch.tanh(self.head(pooled.float()))


class RTNet(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.vgg = VGGGray(semantic=cfg.semantic)
        g = cfg.gray_proj
        self.proj1 = nn.Sequential(nn.BatchNorm2d(64), nn.Conv2d(64, g[0], 1), nn.ReLU(inplace=True))
        self.proj2 = nn.Sequential(nn.BatchNorm2d(128), nn.Conv2d(128, g[1], 1), nn.ReLU(inplace=True))
        self.proj3 = nn.Sequential(nn.BatchNorm2d(256), nn.Conv2d(256, g[2], 1), nn.ReLU(inplace=True))
        self.down4 = nn.Sequential(nn.BatchNorm2d(256), conv_bn_relu(256, g[3], stride=2),
                                   conv_bn_relu(g[3], g[3]))
        self.fusion = SemanticFusion(g[3]) if cfg.semantic else None
        self.classifier = ColourClassifier(g[3], cfg.ab_classes) if cfg.ab_classes else None
        hc = HINT_DECODER_CHANNELS if cfg.local else 0
        auto = 2 if cfg.ab_classes else 0
        d = cfg.decoder
        self.palette_in = nn.Linear(cfg.palette_dim, cfg.palette_channels)
        self.dec4 = nn.Sequential(conv_bn_relu(g[3] + cfg.palette_channels + hc + auto, d[3]),
                                  conv_bn_relu(d[3], d[3]))
        self.dec3 = nn.Sequential(conv_bn_relu(d[3] + g[2] + hc, d[2]), conv_bn_relu(d[2], d[2]))
        self.dec2 = nn.Sequential(conv_bn_relu(d[2] + g[1] + hc, d[1]), conv_bn_relu(d[1], d[1]))
        self.dec1 = nn.Sequential(conv_bn_relu(d[1] + g[0] + hc, d[0]))
        # local: 2 chroma channels + 1 gate that blends in the propagated hint colour
        self.out = nn.Conv2d(d[0], 3 if cfg.local else 2, 3, 1, 1)
        if cfg.local:
            with torch.no_grad():
                self.out.bias[2] = 2.0   # the gate starts open (~0.88): trust the propagation first

    def decoder_modules(self) -> list[nn.Module]:
        """The parts after the gray branch: palette input, decoder levels, output (and gate)."""
        return [self.palette_in, self.dec4, self.dec3, self.dec2, self.dec1, self.out]

    def gray_modules(self) -> list[nn.Module]:
        """The gray branch's own layers on top of the pretrained VGG16: the skip projections,
        the bottleneck, the semantic fusion and the ab classifier (what ``encode_gray`` runs
        once per photo, VGG16 itself excluded)."""
        mods = [self.proj1, self.proj2, self.proj3, self.down4, self.fusion, self.classifier]
        return [m for m in mods if m is not None]

    def encode_gray(self, l_norm):
        """Everything that depends only on the gray image: computed once per photo.

        Returns (g1, g2, g3, g4) skips, plus (logits, automatic ab at H/8) with a classifier.
        """
        feats = self.vgg(l_norm)
        f1, f2, f3 = feats[:3]
        g4 = self.down4(f3)
        if self.fusion is not None:
            g4 = self.fusion(g4, feats[3], feats[4])
        gray = (self.proj1(f1), self.proj2(f2), self.proj3(f3), g4)
        if self.classifier is not None:
            gray = gray + self.classifier(g4)
        return gray

    def decode(self, gray, palette, hint_maps=None, cache: DecoderCache | None = None):
        """gray: output of encode_gray; palette: (N, palette_dim); hint_maps: (N, 6, H, W) or None.

        ``cache`` (inference, BatchNorm folded): a :class:`net.decoder_cache.DecoderCache` of
        this photo, so each level convolves the gray features only once per photo.
        """
        g1, g2, g3, g4 = gray[:4]
        auto = gray[5].to(g4.dtype) if len(gray) > 5 else None
        n, _, h8, w8 = g4.shape
        pal = self.palette_in(palette.float()).to(g4.dtype)
        pal = pal[:, :, None, None].expand(-1, -1, h8, w8)
        if self.cfg.local:
            if hint_maps is None:
                raise ValueError("the local variant needs hint maps")
            hint_maps = hint_maps.to(g4.dtype)
            h1 = hint_maps
            h2 = F.avg_pool2d(h1, 2)
            h4 = F.avg_pool2d(h2, 2)
            h8 = F.avg_pool2d(h4, 2)
            extra = (h8, h4, h2, h1)
        else:
            extra = (None, None, None, None)

        def up(x):
            return F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)

        # Each level's inputs in channel order; True marks what depends only on the photo.
        x = enter_level(self.dec4[0], [(g4, True), (pal, False), (extra[0], False), (auto, True)],
                        cache, 4)
        x = up(self.dec4[1:](x))
        x = self.dec3[1:](enter_level(self.dec3[0], [(x, False), (g3, True), (extra[1], False)],
                                      cache, 3))
        x = up(x)
        x = self.dec2[1:](enter_level(self.dec2[0], [(x, False), (g2, True), (extra[2], False)],
                                      cache, 2))
        x = up(x)
        x = self.dec1[1:](enter_level(self.dec1[0], [(x, False), (g1, True), (extra[3], False)],
                                      cache, 1))
        y = self.out(x).float().contiguous()   # (tanh on a channels-last slice is slow)
        free = torch.tanh(y[:, :2]) * self.cfg.output_scale
        if not self.cfg.local:
            return free
        # Per-pixel blend of the edge-aware propagated hints and the network's own colour: the
        # network starts from the classical propagation and learns where to trust it.
        gate = torch.sigmoid(y[:, 2:3])
        return gate * hint_maps[:, 3:5].float() + (1 - gate) * free


class ColorizationModel(nn.Module):
    """RTNet + HNet (+ CNN1 used only to train RTNet in the `seed` variant).

    ``hint_input`` is the 7-channel array of :func:`net.propagation.hint_input`:
    L, a, b, mask, propagated a, propagated b, confidence.
    """

    def __init__(self, cfg: ModelConfig | None = None):
        super().__init__()
        self.cfg = cfg or ModelConfig()
        self.rtnet = RTNet(self.cfg)
        self.hnet = PaletteNet(4, self.cfg)
        # CNN1 only exists to train the seed RTNet (and to give HNet its targets).
        self.cnn1 = PaletteNet(3, self.cfg) if self.cfg.variant == "seed" else None
        self.affinity = None
        if self.cfg.affinity:
            self.add_affinity(self.cfg.affinity)
        self.set_vgg_trainable(False)

    def add_affinity(self, channels: int) -> None:
        """Give the model a (new) learned affinity embedding of ``channels`` channels
        (:mod:`net.affinity`); its config records it."""
        d = self.cfg.to_dict()
        self.cfg = ModelConfig.from_dict({**d, "affinity": channels})
        self.rtnet.cfg = self.cfg
        self.affinity = AffinityEmbedding(self.cfg.gray_proj, channels)

    uses_hints = True

    @property
    def vgg(self):
        return self.rtnet.vgg

    def set_vgg_trainable(self, flag: bool):
        for p in self.rtnet.vgg.parameters():
            p.requires_grad_(flag)

    def encode_gray(self, l_norm):
        return self.rtnet.encode_gray(l_norm)

    def encode_gray_mirrored(self, l_norm):
        """:meth:`encode_gray` averaged over the photo and its mirror image (flipped back).

        Inference only, once per photo: the automatic colour no longer depends on which way
        the photo faces, and it scores higher (README, "Mirror-averaged gray features").
        """
        return self.encode_photo(l_norm, mirror=True)[0]

    def encode_photo(self, l_norm, mirror: bool = True):
        """Everything a session computes once per photo: (gray features, learned affinity
        embedding (N, C, H, W) or None without one). With ``mirror`` both are averaged over the
        photo and its mirror image (flipped back), each computed from that image's own
        features: the affinity head was trained on one photo's features and is not linear."""
        if not mirror:
            gray = self.encode_gray(l_norm)
            return gray, (None if self.affinity is None else self.affinity(gray))
        both = self.encode_gray(torch.cat([l_norm, torch.flip(l_norm, dims=[3])]))
        gray = tuple((t[:1] + torch.flip(t[1:], dims=[3])) / 2 for t in both)
        if self.affinity is None:
            return gray, None
        e = self.affinity(both)
        return gray, (e[:1] + torch.flip(e[1:], dims=[3])) / 2

    def forward(self, l_norm, hint_input, lab_norm=None, with_logits=False, mode="colour"):
        """Training/inference forward. With ``lab_norm`` (seed RTNet training) CNN1 gives the palette.

        ``with_logits``: also return the classifier's ab-bin logits (None without a classifier).
        ``mode="distil"`` (seed HNet training): (HNet's palette from the hints, CNN1's palette
        from ``lab_norm`` as a constant target), so distillation too runs through this forward
        (and through DistributedDataParallel's, which synchronises the gradients).
        ``mode="affinity"`` (the affinity stage): (the colour as a constant, the learned
        affinity embedding of the gray features, :mod:`net.affinity`).
        """
        if mode == "distil":
            if self.cnn1 is None or lab_norm is None:
                raise ValueError("distillation needs the seed variant's CNN1 and the colour image")
            with torch.no_grad():
                target = self.cnn1(lab_norm)
            return self.hnet(hint_input[:, :4]), target
        if mode == "affinity":
            # Training the affinity embedding alone: the colour model is a frozen constant.
            if self.affinity is None:
                raise ValueError("this model has no learned affinity embedding")
            with torch.no_grad():
                gray = self.rtnet.encode_gray(l_norm)
                ab = self.colorize_from_gray(gray, hint_input)
            return ab, self.affinity(tuple(g.detach() for g in gray[:4]))
        if mode != "colour":
            raise ValueError(f"unknown forward mode {mode!r}")
        gray = self.rtnet.encode_gray(l_norm)
        if lab_norm is not None:
            if self.cnn1 is None:
                raise ValueError("only the seed variant has CNN1")
            palette = self.cnn1(lab_norm)
        else:
            palette = self.hnet(hint_input[:, :4])
        ab = self.rtnet.decode(gray, palette, hint_input[:, 1:] if self.cfg.local else None)
        if with_logits:
            return ab, (gray[4] if len(gray) > 5 else None)
        return ab

    def colorize_from_gray(self, gray, hint_input, cache: DecoderCache | None = None):
        palette = self.hnet(hint_input[:, :4])
        return self.rtnet.decode(gray, palette, hint_input[:, 1:] if self.cfg.local else None,
                                 cache)
