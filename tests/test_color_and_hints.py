import math

import numpy as np
import pytest
from skimage import color as skcolor
from skimage import data

from net.color import AB_SCALE, L_TOLERANCE, merge_l_ab, rgb_color_to_ab, rgb_to_l, rgb_to_lab
from net.hints import Hint, paint_circles, rasterize_hints
from net.propagation import hint_input


def test_lab_matches_scikit_image():
    rgb = data.astronaut()[::8, ::8]
    ours = rgb_to_lab(rgb)
    ref = skcolor.rgb2lab(rgb)
    assert np.abs(ours - ref).max() < 0.5


def test_the_lightness_of_a_gray_photo_is_the_general_conversion_to_the_last_bit():
    gray = np.repeat(data.camera()[:, :, None], 3, axis=2)            # R = G = B
    assert np.array_equal(rgb_to_l(gray), rgb_to_lab(gray)[:, :, 0])
    ramp = np.repeat(np.arange(256, dtype=np.uint8)[None, :, None], 3, axis=2)
    assert np.array_equal(rgb_to_l(ramp), rgb_to_lab(ramp)[:, :, 0])
    almost = gray.copy()
    almost[200, 301, 2] ^= 1                    # one channel of one pixel off the sparse sample
    assert almost[200, 301, 2] != almost[200, 301, 1]
    assert np.array_equal(rgb_to_l(almost), rgb_to_lab(almost)[:, :, 0])
    colour = data.coffee()
    assert np.array_equal(rgb_to_l(colour), rgb_to_lab(colour)[:, :, 0])
    big = np.tile(colour, (3, 2, 1))[:1111]          # several bands, the last one partial
    assert np.array_equal(rgb_to_l(big), rgb_to_lab(big)[:, :, 0])
    assert rgb_to_l(data.camera()).shape == data.camera().shape      # a 2-D array is gray too


def test_merge_keeps_luminance_of_input():
    rgb = data.coffee()
    l = rgb_to_l(rgb)
    ab = np.full(l.shape + (2,), 20.0, np.float32)
    out = merge_l_ab(l, ab)
    diff = np.abs(rgb_to_l(out) - l)
    assert out.shape == rgb.shape and out.dtype == np.uint8
    assert diff.mean() < 0.5 and np.percentile(diff, 99) < 1.5


def test_every_pixel_keeps_its_lightness_even_with_out_of_gamut_chroma():
    # CI once found a 1x1 photo whose strongly red pixel came out 1.1 L units darker: the
    # gamut check used OpenCV's 8-bit L, too coarse to see it. Every pixel, every lightness,
    # chroma far outside the gamut in all directions.
    rng = np.random.default_rng(3)
    l = rng.uniform(0, 100, (256, 256)).astype(np.float32)
    ab = rng.uniform(-128, 127, (256, 256, 2)).astype(np.float32)
    ab[:128] *= 0.2                             # half the pixels in or near the gamut
    out = merge_l_ab(l, ab)
    assert np.abs(rgb_to_l(out) - l).max() <= L_TOLERANCE + 1e-3


def test_hint_lands_in_the_right_place_with_the_right_colour():
    l = np.zeros((40, 60), np.float32)
    hint = Hint(x=30.5, y=10.5, radius=2.0, rgb=(220, 20, 30))
    t = rasterize_hints([hint], (40, 60), l)
    assert t.shape == (4, 40, 60)
    ys, xs = np.nonzero(t[3])
    assert ys.mean() == pytest.approx(10.0) and xs.mean() == pytest.approx(30.0)
    assert ys.min() == 8 and ys.max() == 12 and xs.min() == 28 and xs.max() == 32
    a, b = rgb_color_to_ab((220, 20, 30))
    assert np.allclose(t[1][t[3] > 0], a / AB_SCALE, atol=1e-6)
    assert np.allclose(t[2][t[3] > 0], b / AB_SCALE, atol=1e-6)
    assert (t[1:3][:, t[3] == 0] == 0).all()
    assert a > 40  # red has a strongly positive a


def test_hint_coordinates_scale_to_working_resolution():
    # Input image 400x600; working tensor 40x60: a hint at (300, 100) lands at (30, 10).
    t = rasterize_hints([Hint(300.0, 100.0, 15.0, (0, 0, 255))], (400, 600), np.zeros((40, 60), np.float32))
    ys, xs = np.nonzero(t[3])
    assert abs(ys.mean() - 9.5) < 0.6 and abs(xs.mean() - 29.5) < 0.6
    assert t[2][t[3] > 0].max() < -0.5          # blue: strongly negative b


def test_tiny_hint_still_marks_its_pixel_and_later_hints_win():
    t = paint_circles([(5.2, 7.9, 0.1, 0.3, 0.2), (5.2, 7.9, 0.1, -0.4, 0.1)], 16, 16)
    assert t[2].sum() == 1 and t[2][7, 5] == 1
    assert t[0][7, 5] == pytest.approx(-0.4)


@pytest.mark.parametrize("bad", [dict(radius=0), dict(radius=-3), dict(radius=math.nan),
                                 dict(x=math.inf), dict(rgb=(256, 0, 0)), dict(rgb=(1, 2)),
                                 dict(x="3")])
def test_invalid_hints_are_refused(bad):
    kw = dict(x=1.0, y=1.0, radius=2.0, rgb=(1, 2, 3)) | bad
    with pytest.raises(ValueError):
        Hint(**kw)


def test_propagation_spreads_within_a_region_and_stops_at_an_edge():
    l = np.full((64, 64), -0.3, np.float32)
    l[:, 32:] = 0.4                                   # strong vertical edge
    circles = [(10, 32, 2, 0.5, 0.0), (54, 32, 2, -0.5, 0.0)]
    t = np.concatenate([l[None], paint_circles(circles, 64, 64)])
    x = hint_input(t)
    assert x.shape == (7, 64, 64)
    assert x[4][:, :28].mean() > 0.4 and x[4][:, 36:].mean() < -0.4
    assert x[6][t[3] > 0].min() > 0.5


def test_merging_in_bands_of_rows_gives_the_same_picture(monkeypatch):
    import net.color as color
    l = rgb_to_l(data.coffee())
    ab = (np.random.default_rng(0).normal(size=(40, 60, 2)) * 70).astype(np.float32)  # many out of gamut
    guide = np.ascontiguousarray(l[::10, ::10])                               # the ab's size
    whole, guided = merge_l_ab(l, ab), merge_l_ab(l, ab, guide=guide)
    monkeypatch.setattr(color, "MERGE_BAND_PIXELS", 7 * l.shape[1] + 3)    # bands of 7 rows
    assert np.array_equal(merge_l_ab(l, ab), whole)
    monkeypatch.setattr(color, "MERGE_PARALLEL_PIXELS", 0)                   # two bands at once
    assert np.array_equal(merge_l_ab(l, ab), whole)
    assert np.array_equal(merge_l_ab(l, ab, guide=guide), guided)


def test_fit_chroma_reduces_only_colours_outside_the_gamut_and_keeps_their_hue():
    from net.color import fit_chroma
    rng = np.random.default_rng(3)
    l = rng.uniform(0, 100, (64, 64)).astype(np.float32)
    ab = rng.uniform(-110, 110, (64, 64, 2)).astype(np.float32)
    fitted = fit_chroma(l, ab)
    out = merge_l_ab(l, fitted)
    assert np.abs(rgb_to_lab(out)[:, :, 0] - l).max() <= 0.5 + 1e-3
    kept = np.all(fitted == ab, axis=-1)
    assert 0.05 < kept.mean() < 0.95                      # some colours fit, others did not
    scale = np.linalg.norm(fitted, axis=-1) / np.linalg.norm(ab, axis=-1)
    assert scale.max() <= 1.0 + 1e-6
    cross = fitted[..., 0] * ab[..., 1] - fitted[..., 1] * ab[..., 0]
    assert np.abs(cross).max() < 1e-2                     # same hue: only chroma shrinks
    # what merge_l_ab shows at this size does not depend on whether the chroma was fitted first
    assert np.abs(out.astype(int) - merge_l_ab(l, ab).astype(int)).max() <= 1


def test_the_tabulated_gamut_fit_keeps_lightness_and_nearly_all_the_chroma_it_can():
    """Out-of-gamut colours get the chroma factor from the lightness x hue table (checked,
    bisected where the table was not enough): L kept, and on average within a few percent of
    the largest factor a bisection finds."""
    from net import color as C
    rng = np.random.default_rng(5)
    lab = np.stack([rng.uniform(0, 100, 20000), rng.uniform(-110, 110, 20000),
                    rng.uniform(-110, 110, 20000)], -1).astype(np.float32)
    rows, _ = C._lightness_lost(lab[:, :1], C.lab_to_rgb(lab[:, None, :]))
    bad = lab[rows]
    assert len(bad) > 5000
    scale = C._gamut_scale(bad)
    trial = bad.copy()
    trial[:, 1:] *= scale[:, None]
    l_out = C.rgb_to_lab(C.lab_to_rgb(trial[:, None, :]))[:, 0, 0]
    assert np.abs(l_out - bad[:, 0]).max() <= L_TOLERANCE
    best = C._bisect_scale(bad, 10)
    assert scale.mean() > 0.95 * best.mean()


def test_the_fast_8bit_lightness_is_within_its_stated_error_of_opencvs_for_every_colour():
    """The gamut fit checks L with a per-channel table (net.color.lightness8_fast) and asks it
    for L_TOLERANCE - L8_TABLE_ERROR, so the L that 8-bit photos are measured by (OpenCV's,
    rgb_to_lab) stays within L_TOLERANCE: that holds only if the table is that close for every
    one of the 16.7 M colours."""
    from net import color as C
    worst = 0.0
    g, b = np.meshgrid(np.arange(256), np.arange(256), indexing="ij")
    for r in range(0, 256, 8):            # 32 slabs of 8 x 65536 colours
        rgb = np.stack([np.repeat(np.arange(r, r + 8), g.size),
                        np.tile(g.ravel(), 8), np.tile(b.ravel(), 8)], -1).astype(np.uint8)
        exact = C.rgb_to_lab(rgb[:, None, :])[:, 0, 0]
        worst = max(worst, float(np.abs(C.lightness8_fast(rgb) - exact).max()))
    assert worst <= C.L8_TABLE_ERROR
    assert worst > 0.02           # it is an approximation: the margin is needed
