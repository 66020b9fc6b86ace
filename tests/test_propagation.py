"""Hint propagation (net/propagation.py, net/levin_propagation.py) without a trained model."""
import numpy as np
import pytest
from skimage import data

from net import Hint
from net.color import AB_SCALE, normalize_ab, normalize_l, rgb_to_lab
from net.hints import rasterize_hints
from net.propagation import Propagator, hint_input
from training.levin import levin_colorize

RED, BLUE = (200, 40, 40), (40, 60, 200)


def _hint4(img, hints):
    lab = rgb_to_lab(img)
    return lab, rasterize_hints(hints, img.shape[:2], normalize_l(lab[:, :, 0]))


def test_levin_propagation_keeps_a_small_hint_against_a_large_one_across_an_edge():
    img = np.full((128, 128, 3), 100, np.uint8)
    img[:, 64:] = 130
    lab, h4 = _hint4(img, [Hint(20, 64, 2, RED), Hint(90, 64, 14, BLUE)])
    ab = Propagator(h4[0], "levin").propagate(h4)[:2]
    red = normalize_ab(np.array(Hint(0, 0, 1, RED).ab, np.float32))
    blue = normalize_ab(np.array(Hint(0, 0, 1, BLUE).ab, np.float32))
    left, right = ab[:, :, :60].reshape(2, -1).T, ab[:, :, 68:].reshape(2, -1).T
    assert (np.linalg.norm(left - red, axis=1) < 0.05).mean() > 0.95
    assert (np.linalg.norm(right - blue, axis=1) < 0.05).mean() > 0.95


def test_levin_propagation_is_close_to_the_exact_solve_on_a_photo():
    rgb = data.chelsea()[::3, ::3][:96, :128]
    lab = rgb_to_lab(rgb)
    ab_true = normalize_ab(lab[:, :, 1:]).transpose(2, 0, 1)
    rng = np.random.default_rng(0)
    hints = []
    for _ in range(40):
        y, x = int(rng.integers(2, 94)), int(rng.integers(2, 126))
        hints.append(Hint(x + 0.5, y + 0.5, 1.5, tuple(int(v) for v in rgb[y, x])))
    l_norm = normalize_l(lab[:, :, 0])
    h4 = rasterize_hints(hints, rgb.shape[:2], l_norm)
    fast = Propagator(l_norm, "levin").propagate(h4)[:2]
    exact = levin_colorize(lab[:, :, 0] / 100.0, h4[1:3], h4[3] > 0)
    err_fast = np.sqrt(((fast - ab_true) ** 2).mean())
    err_exact = np.sqrt(((exact - ab_true) ** 2).mean())
    assert err_fast < err_exact * 1.1            # at most 10 % more error than the exact solve
    assert np.abs(fast - exact).mean() < 0.02


def test_propagation_channels_and_the_empty_case():
    l_norm = np.zeros((32, 48), np.float32)
    empty = np.zeros((4, 32, 48), np.float32)
    empty[0] = l_norm
    for method in ("fgs", "levin"):
        x = hint_input(empty, method)
        assert x.shape == (7, 32, 48) and not x[4:].any()
    with pytest.raises(ValueError, match="unknown propagation"):
        Propagator(l_norm, "nearest")


def test_levin_propagation_reproduces_hints_exactly_where_they_are():
    img = np.repeat(data.camera()[::4, ::4, None], 3, axis=2)
    lab, h4 = _hint4(img, [Hint(30, 30, 4, RED), Hint(100, 90, 4, BLUE)])
    ab = Propagator(h4[0], "levin").propagate(h4)[:2]
    m = h4[3] > 0
    np.testing.assert_allclose(ab[:, m], h4[1:3][:, m], atol=1e-5)


def test_correction_passes_through_the_hints_and_stops_at_an_edge():
    """Propagator.correct: a network output that ignores a hint is pulled to it on its own
    side of an edge, smoothly (no dot), and hardly changed across the edge or without hints."""
    img = np.full((128, 128, 3), 90, np.uint8)
    img[:, 64:] = 150
    lab, h4 = _hint4(img, [Hint(20, 64, 3, RED)])
    prop = Propagator(h4[0], "levin")
    net = np.zeros((2, 128, 128), np.float32)
    net[1] = 0.2                                       # a yellowish guess everywhere
    out = prop.correct(net, h4)
    hinted = h4[3] > 0
    assert np.abs(out[:, hinted] - h4[1:3, hinted]).max() < 1e-4        # exact at the hint
    residual = np.linalg.norm(h4[1:3, hinted].mean(1) - net[:, 0, 0])
    moved = np.linalg.norm(out - net, axis=0)
    assert moved[:, :60].min() > 0.7 * residual          # its whole region follows the hint
    ring = moved[56:72, 12:28][np.hypot(*np.mgrid[-8:8, -8:8] + 0.5) > 5]
    assert ring.min() > 0.85 * residual                  # no dot: just outside it agrees
    assert moved[:, 68:].max() < 0.1 * residual          # the other side of the edge keeps
    assert prop.correct(net, np.zeros_like(h4)) is net   # no hints: unchanged


def test_the_coarse_factorisation_is_reused_only_for_the_same_hints():
    rgb = data.chelsea()[::3, ::3][:96, :128]
    lab = rgb_to_lab(rgb)
    l_norm = normalize_l(lab[:, :, 0])
    first = rasterize_hints([Hint(30, 40, 3, RED)], rgb.shape[:2], l_norm)
    second = rasterize_hints([Hint(90, 20, 3, BLUE), Hint(10, 80, 2, RED)], rgb.shape[:2], l_norm)
    used = Propagator(l_norm, "levin")
    used.propagate(first)
    again = used.propagate(second)
    fresh = Propagator(l_norm, "levin").propagate(second)
    np.testing.assert_array_equal(again, fresh)


def test_the_correction_after_the_hint_input_uses_its_own_screened_factorisation():
    """The LU cache holds the hint input's system and the correction's screened one apart: a
    correction right after the propagation of the same hints is the one a fresh solver gives."""
    img = np.full((128, 128, 3), 90, np.uint8)
    img[:, 64:] = 150
    lab, h4 = _hint4(img, [Hint(20, 64, 3, RED)])
    net = np.zeros((2, 128, 128), np.float32)
    used = Propagator(h4[0], "levin")
    used.propagate(h4)
    np.testing.assert_allclose(used.correct(net, h4), Propagator(h4[0], "levin").correct(net, h4),
                               atol=1e-6)


def test_a_network_that_paints_the_hint_itself_leaves_no_dot_after_the_correction():
    """The network copied the hint's colour under it but left the ring gray: the correction
    reads the network's colour from the hint's surroundings, so the ring is lifted to the hint
    (reading it under the hint left a dot as strong as the hint itself)."""
    img = np.full((128, 128, 3), 120, np.uint8)
    lab, h4 = _hint4(img, [Hint(64, 64, 5, BLUE)])
    hinted = h4[3] > 0
    net = np.zeros((2, 128, 128), np.float32)
    net[:, hinted] = h4[1:3, hinted]
    out = Propagator(h4[0], "levin").correct(net, h4)
    d = np.hypot(*(np.mgrid[0:128, 0:128] + 0.5 - 64))
    inside, ring = out[:, d < 5].mean(1), out[:, (d > 7) & (d < 11)].mean(1)
    strength = np.linalg.norm(h4[1:3, hinted].mean(1))
    assert np.linalg.norm(inside - ring) < 0.1 * strength


def test_the_networks_colour_under_a_hint_does_not_change_the_corrected_result():
    rgb = data.chelsea()[::3, ::3][:96, :128]
    lab, h4 = _hint4(rgb, [Hint(30, 40, 4, RED), Hint(90, 60, 3, BLUE)])
    prop = Propagator(h4[0], "levin")
    rng = np.random.default_rng(0)
    net = rng.uniform(-0.3, 0.3, (2, 96, 128)).astype(np.float32)
    other = net.copy()
    other[:, h4[3] > 0] = rng.uniform(-1, 1, (2, int((h4[3] > 0).sum())))
    np.testing.assert_allclose(prop.correct(net, h4), prop.correct(other, h4), atol=1e-5)


def test_screened_propagation_keeps_a_lone_hint_on_its_side_of_an_edge():
    """"levin" fills the whole photo with a lone hint's colour, across every edge (the network
    followed it there); "levin-screened" fills the hint's region and hardly crosses the edge."""
    img = np.full((128, 128, 3), 90, np.uint8)
    img[:, 64:] = 150
    lab, h4 = _hint4(img, [Hint(20, 64, 3, RED)])
    strength = np.linalg.norm(h4[1:3, h4[3] > 0].mean(1))
    far = {}
    for method in ("levin", "levin-screened"):
        ab = Propagator(h4[0], method).propagate(h4)[:2]
        near = np.linalg.norm(ab[:, :, :56], axis=0)
        far[method] = np.linalg.norm(ab[:, :, 72:], axis=0).mean() / strength
        assert near.min() > 0.6 * strength                 # its own side follows the hint
    assert far["levin"] > 0.9
    assert far["levin-screened"] < 0.1


def test_the_banded_coarse_system_is_the_sparse_one():
    """The coarse level is factorised in band storage, pixels numbered along the shorter
    side: the same system as the sparse matrix, for tall, wide and screened cases."""
    import scipy.sparse.linalg as spla
    from net.levin_propagation import LevinPyramid
    rng = np.random.default_rng(3)
    for shape in [(40, 24), (24, 40), (30, 30)]:
        p = LevinPyramid(rng.random(shape).astype(np.float32))
        conf = (rng.random(shape) < 0.1) * rng.uniform(0.2, 1.0, shape)
        hab = rng.normal(size=(2,) + shape)
        for keep in (1.0, 0.97):
            exact = spla.spsolve(p.coarse_matrix(conf, keep).tocsc(),
                                 conf.ravel()[:, None] * hab.reshape(2, -1).T).T
            np.testing.assert_allclose(p._coarse_solve(hab, conf, keep).reshape(2, -1), exact,
                                       rtol=1e-5, atol=1e-6)


def test_a_photo_hinted_everywhere_keeps_every_hint():
    """Every pixel hinted (a flood fill, a huge stroke): the coarse system has no free pixel
    (the banded factorisation first failed on it) and the result is the hints."""
    from net.levin_propagation import LevinPyramid
    rng = np.random.default_rng(5)
    p = LevinPyramid(rng.random((64, 48)).astype(np.float32))
    hab = rng.normal(size=(2, 64, 48)).astype(np.float32)
    for hard in (False, True):
        np.testing.assert_allclose(p.solve(hab, np.ones((64, 48)), hard=hard), hab, atol=1e-5)


def test_a_colour_change_alone_factorises_nothing(monkeypatch):
    """Each preview solves two coarse systems (the hint input's and the correction's); both
    stay cached, so picking another colour for the same hints reuses them."""
    import net.levin_propagation as lp
    rgb = data.chelsea()[::3, ::3][:96, :128]
    l_norm = normalize_l(rgb_to_lab(rgb)[:, :, 0])
    spots = [(30, 40, 3), (90, 20, 4)]
    first = rasterize_hints([Hint(x, y, r, RED) for x, y, r in spots], rgb.shape[:2], l_norm)
    recoloured = rasterize_hints([Hint(x, y, r, BLUE) for x, y, r in spots], rgb.shape[:2], l_norm)
    net = np.zeros((2, 96, 128), np.float32)
    prop = Propagator(l_norm, "levin")
    prop.propagate(first)
    prop.correct(net, first)
    built = []
    original = lp.LevinPyramid.coarse_band
    monkeypatch.setattr(lp.LevinPyramid, "coarse_band",
                        lambda self, *a, **k: built.append(1) or original(self, *a, **k))
    again = prop.propagate(recoloured)
    out = prop.correct(net, recoloured)
    assert not built
    fresh = Propagator(l_norm, "levin")
    np.testing.assert_allclose(again, fresh.propagate(recoloured), atol=1e-6)
    np.testing.assert_allclose(out, fresh.correct(net, recoloured), atol=1e-6)


def test_a_hint_next_to_an_edge_leaves_a_network_that_is_already_right_as_it_is():
    """The hint agrees with the network on its side of a 90|150 edge (at column 66, off the
    pyramid's 2x2 grid): the colour read around the hint comes from its own side, so the
    correction hardly moves either side (area means alone moved the hint's side by up to 6.5
    ab units)."""
    img = np.full((128, 128, 3), 90, np.uint8)
    img[:, 66:] = 150
    lab, h4 = _hint4(img, [Hint(60, 64, 4, RED)])
    red = h4[1:3, h4[3] > 0].mean(1)
    net = np.zeros((2, 128, 128), np.float32)
    net[:, :, :66] = red[:, None, None]
    net[:, :, 66:] = normalize_ab(np.array(Hint(0, 0, 1, BLUE).ab, np.float32))[:, None, None]
    h4[1:3, h4[3] > 0] = red[:, None]                    # exactly the network's colour there
    moved = np.linalg.norm(Propagator(h4[0], "levin").correct(net, h4) - net, axis=0) * AB_SCALE
    assert moved[:, :66].max() < 2.5 and moved[:, :66].mean() < 0.6
    assert moved[:, 66:].mean() < 0.3


@pytest.mark.parametrize("channels, keep", [(1, 1.0), (2, 1.0), (2, 0.93), (5, 0.7)])
def test_the_apps_opencv_sweep_is_the_torch_sweep_training_differentiates(channels, keep):
    # LevinPyramid.solve sweeps with OpenCV (fewer calls); training sweeps with torch for the
    # gradients. Both must be one system: the same numbers, bit for bit, on every plane.
    import torch

    from net.levin_propagation import LevinPyramid, jacobi_sweep, stacked, sweep_stacked
    rng = np.random.default_rng(channels)
    y = data.camera()[::4, ::3][:96, :120].astype(np.float32) / 255
    pyr = LevinPyramid(y)
    h, w = y.shape
    u, fixed = rng.normal(size=(2, channels, h, w)).astype(np.float32)
    conf = (rng.random((h, w)) < 0.1).astype(np.float32) * rng.random((h, w)).astype(np.float32)
    with torch.inference_mode():
        want = jacobi_sweep(torch.from_numpy(u), pyr.wts[0], torch.from_numpy(fixed),
                            torch.from_numpy(conf)[None], keep).numpy()
    got = sweep_stacked(u, pyr.stacked_weights(0, channels), stacked(fixed),
                        stacked(np.broadcast_to(conf, u.shape)), keep)
    assert got.shape == (channels, h, w)
    np.testing.assert_array_equal(got, want)
