"""Each decoder level's first convolution, split so the photo's share is computed once.

A decoder level starts with a convolution over the concatenation of what comes from below,
the gray branch's skip features (and at H/8 the automatic colour), the palette and the hint
maps. A convolution is linear in its input channels, so it is the sum of a convolution over
the channels that depend only on the photo and one over the rest. An interactive session
keeps a :class:`DecoderCache` per photo: the first preview computes the photo's share (with
the bias) and keeps it, every later preview convolves only the channels that change with the
hints. About a quarter of the decoder's arithmetic, and the concatenation of the gray
features, go away; the result equals the plain convolution up to float rounding (under bf16
the two shares are rounded apart: ~0.004 normalised ab at most, ``tests/test_decoder_cache.py``).

Inference only: the share is the convolution's output before its BatchNorm, so the model's
BatchNorm layers must have been folded into their convolutions
(:func:`net.models.fold_batchnorm`, which :meth:`net.Colorizer.load` does).
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


class DecoderCache:
    """The photo-only share of each decoder level's first convolution, for one photo and one
    model (create a new one when either changes). Filled by the first decode that uses it."""

    def __init__(self):
        self.levels: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}


def enter_level(block: nn.Sequential, parts, cache: DecoderCache | None, level: int):
    """A decoder level's first conv + BatchNorm + ReLU ``block`` on its concatenated inputs.

    ``parts``: the level's inputs in channel order, each ``(tensor or None, photo_only)``;
    None parts are absent (no channels). Without a cache the inputs are concatenated as the
    network was trained; with one, the photo-only parts' share comes from (or goes into) it.
    """
    present = [(t, photo) for t, photo in parts if t is not None]
    if cache is None:
        return block(torch.cat([t for t, _ in present], dim=1))
    conv, norm, act = block
    if not isinstance(norm, nn.Identity):
        raise ValueError("the decoder cache needs the BatchNorm folded (net.models.fold_batchnorm)")
    if conv.groups != 1 or conv.padding_mode != "zeros":
        raise ValueError("the decoder cache splits only plain zero-padded convolutions")
    live = [t for t, photo in present if not photo]
    entry = cache.levels.get(level)
    if entry is None:
        w_photo, w_live, start = [], [], 0
        for t, photo in present:
            (w_photo if photo else w_live).append(conv.weight[:, start:start + t.shape[1]])
            start += t.shape[1]
        photo_in = torch.cat([t for t, photo in present if photo], dim=1)
        share = F.conv2d(photo_in, torch.cat(w_photo, dim=1), conv.bias, conv.stride,
                         conv.padding, conv.dilation)
        entry = (share, torch.cat(w_live, dim=1))
        cache.levels[level] = entry
    share, w_live = entry
    x = torch.cat(live, dim=1) if len(live) > 1 else live[0]
    y = F.conv2d(x, w_live, None, conv.stride, conv.padding, conv.dilation)
    if share.shape != y.shape:
        raise ValueError(f"decoder cache of another photo or batch: {tuple(share.shape)} "
                         f"against {tuple(y.shape)}")
    return act(share + y)


def cache_for(model) -> DecoderCache | None:
    """A new cache for one photo when ``model``'s decoder can use one (an RTNet whose
    BatchNorm is folded), else None (the plain path)."""
    rtnet = getattr(model, "rtnet", None)
    if rtnet is None:
        return None
    blocks = [level[0] for level in (rtnet.dec4, rtnet.dec3, rtnet.dec2, rtnet.dec1)]
    return DecoderCache() if all(isinstance(b[1], nn.Identity) for b in blocks) else None
