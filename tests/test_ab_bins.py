"""The quantised ab plane: bins, soft encoding, rebalancing, annealed mean, suggestions."""
import numpy as np
import torch

from net.ab_bins import (AB_BINS, NUM_BINS, annealed_mean, bins_normalised, empirical_prior,
                         rebalance_weights, rebalanced_cross_entropy, soft_encode, top_colours)
from net.color import AB_SCALE, lab_to_rgb, rgb_to_lab


def test_bins_cover_the_srgb_gamut_and_nothing_far_outside():
    assert 200 < NUM_BINS < 330
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (1, 4000, 3), dtype=np.uint8)
    ab = rgb_to_lab(rgb)[0, :, 1:]
    nearest = np.sqrt(((ab[:, None] - AB_BINS[None]) ** 2).sum(-1)).min(1)
    assert nearest.max() <= np.sqrt(50) + 1e-3          # every sRGB colour lies in a bin's cell
    # every bin holds some displayable colour: its centre at some L rounds back close to it
    for a, b in AB_BINS[:: max(1, NUM_BINS // 40)]:
        best = min(np.hypot(*(rgb_to_lab(lab_to_rgb(np.array([[[L, a, b]]], np.float32)))[0, 0, 1:]
                               - (a, b))) for L in range(5, 100, 5))
        assert best < 12


def test_soft_encoding_uses_the_nearest_bins_with_gaussian_weights():
    c = bins_normalised()
    ab = torch.tensor([[[[float(AB_BINS[7, 0]) / AB_SCALE]], [[float(AB_BINS[7, 1]) / AB_SCALE]]]])
    w, idx = soft_encode(ab, c)
    assert torch.allclose(w.sum(1), torch.ones(1, 1, 1))
    assert int(idx[0, 0, 0, 0]) == 7 and float(w[0, 0, 0, 0]) > 0.3   # the bin itself weighs most
    assert float(w[0, -1, 0, 0]) > 0                                   # the 5th neighbour still counts


def test_annealed_mean_moves_from_the_mean_to_the_mode():
    logits = torch.full((1, NUM_BINS, 1, 1), -5.0)
    logits[0, 10], logits[0, 200] = 1.0, 0.6
    c = bins_normalised()
    cold = annealed_mean(logits, c, t=0.01)[0, :, 0, 0] * AB_SCALE
    hot = annealed_mean(logits, c, t=1.0)[0, :, 0, 0] * AB_SCALE
    assert np.allclose(cold.numpy(), AB_BINS[10], atol=0.5)          # T -> 0: the mode
    assert np.linalg.norm(hot.numpy() - AB_BINS[10]) > 5                # T = 1: pulled to the mean
    top = top_colours(logits[0, :, 0, 0], 2)
    assert [(round(a), round(b)) for a, b, _ in top] == [tuple(AB_BINS[10].round()), tuple(AB_BINS[200].round())]


def test_rebalancing_weights_rare_colours_up_and_averages_to_one():
    rng = np.random.default_rng(0)
    grayish = rng.normal(0, 3, (5000, 2)) / AB_SCALE
    vivid = np.array([[60.0, 40.0]]) / AB_SCALE + rng.normal(0, 2, (50, 2)) / AB_SCALE
    prior = empirical_prior(np.concatenate([grayish, vivid]))
    w = rebalance_weights(prior)
    assert abs(float((prior * w).sum()) - 1.0) < 1e-4
    near = lambda a, b: int(np.argmin(((AB_BINS - (a, b)) ** 2).sum(1)))  # noqa: E731
    assert w[near(60, 40)] > 3 * w[near(0, 0)]


def test_cross_entropy_is_lower_for_the_right_distribution():
    c = bins_normalised()
    ab = torch.tensor([0.4, 0.3]).view(1, 2, 1, 1).expand(1, 2, 4, 4).contiguous()
    w, idx = soft_encode(ab, c)
    good = torch.full((1, NUM_BINS, 4, 4), -4.0)
    good.scatter_(1, idx, 4.0 * w)
    bad = torch.zeros(1, NUM_BINS, 4, 4)
    cw = torch.ones(NUM_BINS)
    assert rebalanced_cross_entropy(good, ab, c, cw) < rebalanced_cross_entropy(bad, ab, c, cw)


def test_session_offers_the_classifier_colours_at_a_point(local_weights):
    from net import Colorizer
    c = Colorizer.load(local_weights, device="cpu", working_size=64)
    s = c.open(np.zeros((90, 120, 3), np.uint8) + 120)
    top = s.likely_colours_at(60, 45, count=4)
    assert len(top) == 4 and all(-128 < a < 128 and -128 < b < 128 for a, b, _ in top)
    probs = [p for _, _, p in top]
    assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1.0 + 1e-6


def test_suggestions_offer_the_likely_colours_after_the_prediction():
    from colorizer_gui.suggestions import suggestions
    colors, labels = suggestions(60.0, (120, 120, 120), None, [(40.0, 30.0, 0.5), (-30.0, 40.0, 0.2)])
    assert labels[:3] == ["model's prediction", "likely here (50%)", "likely here (20%)"]
    lab = rgb_to_lab(np.array([[colors[1]]], np.uint8))[0, 0]
    assert lab[1] > 25 and lab[2] > 15 and abs(lab[0] - 60) < 3        # that chroma at that lightness
