"""The decoder's per-photo cache (net.decoder_cache): same colours as the plain decoder."""
import numpy as np
import pytest
import torch

from net import Colorizer, Hint
from net.decoder_cache import DecoderCache, cache_for, enter_level
from net.models import ColorizationModel, ModelConfig, fold_batchnorm


def random_folded(variant: str, **config) -> ColorizationModel:
    """A model with random weights and BatchNorm statistics, folded for inference."""
    torch.manual_seed(3)
    model = ColorizationModel(ModelConfig(variant=variant, **config))
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.normal_(0, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.3)
    return fold_batchnorm(model.eval())


def inputs(seed: int):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(1, 1, 64, 96, generator=g), torch.randn(1, 7, 64, 96, generator=g)


@pytest.mark.parametrize("variant,config", [("local", {}), ("seed", {}),
                                            ("local", {"ab_classes": 0})])   # no automatic colour
def test_cached_decoder_equals_plain_decoder_for_every_hint_change(variant, config):
    model = random_folded(variant, **config)
    l, _ = inputs(0)
    cache = cache_for(model)
    assert isinstance(cache, DecoderCache)
    with torch.inference_mode():
        gray = model.encode_gray(l)
        for seed in (1, 2, 3):          # the cache is filled by the first call, reused after
            hints = inputs(seed)[1]
            plain = model.colorize_from_gray(gray, hints)
            cached = model.colorize_from_gray(gray, hints, cache)
            assert torch.allclose(plain, cached, atol=1e-5), float((plain - cached).abs().max())
    assert sorted(cache.levels) == [1, 2, 3, 4]
    # The cache really holds the photo's share: another photo's features with this cache
    # give another (wrong) result, which is why a session makes one per photo.
    with torch.inference_mode():
        other = model.encode_gray(torch.flip(l, dims=[3]) * 0.5)
        assert not torch.allclose(model.colorize_from_gray(other, hints, cache),
                                  model.colorize_from_gray(other, hints), atol=1e-3)


def test_cached_decoder_under_bfloat16_stays_within_rounding_of_the_plain_one():
    """The app's CPU path (bf16 autocast, channels-last): the two shares are rounded apart,
    which may differ from the plain decoder by a few bf16 steps, never by a colour."""
    model = random_folded("local").to(memory_format=torch.channels_last)
    l, hints = inputs(4)
    l, hints = (t.contiguous(memory_format=torch.channels_last) for t in (l, hints))
    cache = cache_for(model)
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
        gray = model.encode_gray(l)
        plain = model.colorize_from_gray(gray, hints).float()
        cached = model.colorize_from_gray(gray, hints, cache).float()
        with pytest.raises(ValueError, match="another photo or batch"):
            model.colorize_from_gray(tuple(torch.cat([g, g]) for g in gray),
                                     torch.cat([hints, hints]), cache)
    assert (plain - cached).abs().max() < 0.02            # normalised ab: 2.2 Lab units
    assert (plain - cached).abs().mean() < 2e-3


def test_cache_needs_folded_batchnorm():
    model = ColorizationModel(ModelConfig(variant="local")).eval()
    assert cache_for(model) is None                     # the session takes the plain path
    with pytest.raises(ValueError, match="folded"):
        enter_level(model.rtnet.dec3[0], [(torch.zeros(1, 128, 8, 8), False),
                                          (torch.zeros(1, 64, 8, 8), True),
                                          (torch.zeros(1, 6, 8, 8), False)], DecoderCache(), 3)


def test_session_previews_with_the_cache_equal_the_plain_path(local_weights, gray_photo):
    c = Colorizer.load(local_weights, device="cpu", precision="fp32", working_size=128)
    s = c.open(gray_photo)
    assert s._decoder_cache is not None
    plain = c.open(gray_photo)
    plain._decoder_cache = None
    for hints in ([], [Hint(60, 80, 4, (200, 30, 30))],
                  [Hint(60, 80, 4, (200, 30, 30)), Hint(200, 150, 6, (30, 60, 200))]):
        np.testing.assert_allclose(s.predict_ab(hints), plain.predict_ab(hints), atol=1e-3)
    assert s._decoder_cache.levels                       # the previews used it
