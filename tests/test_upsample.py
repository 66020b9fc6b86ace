"""Chroma upsampling along the full-resolution lightness (net/upsample.py)."""
import numpy as np

from net.color import merge_l_ab, rgb_to_lab
from net.upsample import apply_rows, linear_model


def _two_regions(h, w, edge):
    l = np.full((h, w), 35.0, np.float32)
    l[:, edge:] = 75.0
    return l


def test_colour_stops_at_a_sharp_edge_the_working_size_cannot_resolve():
    # Working size 64x48 (edge between working pixels), full size 16x larger: red left, blue right.
    full = _two_regions(768, 1024, 517)
    low = _two_regions(48, 64, 32)
    low[:, 32] = 55.0                                         # the edge is blurred at working size
    ab = np.zeros((48, 64, 2), np.float32)
    ab[:, :32] = (45.0, 25.0)
    ab[:, 33:] = (0.0, -40.0)
    ab[:, 32] = (22.5, -7.5)                                  # and so is the colour
    guided = rgb_to_lab(merge_l_ab(full, ab, guide=low))[384, :, 1:]
    plain = rgb_to_lab(merge_l_ab(full, ab))[384, :, 1:]
    red, blue = np.array([45.0, 25.0]), np.array([0.0, -40.0])

    def fringe(row):      # columns near the edge that are more than a quarter of the way across
        d = np.linalg.norm(red - blue) / 4
        left = sum(np.linalg.norm(row[j] - red) > d for j in range(517 - 60, 517))
        right = sum(np.linalg.norm(row[j] - blue) > d for j in range(517, 517 + 60))
        return left + right

    assert fringe(plain) >= 15          # bilinear smears the colour over many full-size pixels
    assert fringe(guided) <= 1          # guided by L, the colour edge is the photo's edge
    assert np.linalg.norm(guided[100] - red) < 4 and np.linalg.norm(guided[900] - blue) < 4


def test_uniform_colour_does_not_pick_up_the_texture_of_l():
    rng = np.random.default_rng(0)
    full = (50 + 20 * rng.standard_normal((400, 600))).clip(0, 100).astype(np.float32)
    low = full.reshape(50, 8, 75, 8).mean(axis=(1, 3))
    ab = np.broadcast_to(np.float32([20.0, 30.0]), (50, 75, 2)).copy()
    coef = linear_model(low, ab)
    out = apply_rows(coef, full, 0, full.shape)
    assert np.abs(out - (20.0, 30.0)).max() < 1e-3


def test_any_band_of_rows_gives_the_same_chroma():
    rng = np.random.default_rng(1)
    low = rng.uniform(0, 100, (30, 40)).astype(np.float32)
    ab = rng.normal(0, 30, (30, 40, 2)).astype(np.float32)
    full = rng.uniform(0, 100, (300, 400)).astype(np.float32)
    coef = linear_model(low, ab)
    whole = apply_rows(coef, full, 0, full.shape)
    parts = np.concatenate([apply_rows(coef, full[r:r + 37], r, full.shape) for r in range(0, 300, 37)])
    assert np.array_equal(whole, parts)
