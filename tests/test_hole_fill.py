"""net/hole_fill.py: the network's colour under the hints, from their surroundings."""
import numpy as np
import torch

from net.hole_fill import fill_from_surroundings
from net.levin_propagation import LevinPyramid


def _wts(lum=None):
    lum = np.full((64, 96), 0.5, np.float32) if lum is None else lum
    return LevinPyramid(lum).wts


def _hole(y0, x0, y1, x1):
    free = torch.ones(64, 96)
    free[y0:y1, x0:x1] = 0
    return free


def test_kept_pixels_stay_and_a_hole_in_a_flat_field_takes_its_value():
    y = torch.full((2, 64, 96), 0.3)
    y[1] = -0.2
    y[:, 20:30, 40:50] = 5.0                           # what lies under the hole is ignored
    out = fill_from_surroundings(y, _hole(20, 30, 40, 50), _wts())
    assert torch.allclose(out[0], torch.full((64, 96), 0.3), atol=1e-5)
    assert torch.allclose(out[1], torch.full((64, 96), -0.2), atol=1e-5)


def test_on_a_flat_photo_a_hole_between_two_colours_blends_them_smoothly():
    y = torch.zeros(1, 64, 96)
    y[:, :, 48:] = 1.0
    out = fill_from_surroundings(y, _hole(24, 36, 40, 60), _wts())[0]
    assert out[32, 37] < 0.3 and out[32, 58] > 0.7     # near each side, that side's value
    assert 0.0 <= out.min() and out.max() <= 1.0        # never outside what surrounds it
    assert torch.all(out[32, 37:59].diff() >= -1e-6)    # a smooth, monotone blend across


def test_a_hole_across_a_luminance_edge_takes_less_of_the_far_sides_colour():
    """The edge at column 47 is off the pyramid's 2x2 grid: area means alone mixed the far
    side's colour into the hole (0.54 and 0.42 off next to the edge on either side); the
    sweeps at the finest level pull each side's pixels towards their own side."""
    lum = np.full((64, 96), 0.35, np.float32)
    lum[:, 47:] = 0.6
    y = torch.zeros(1, 64, 96)
    y[:, :, 47:] = 1.0
    out = fill_from_surroundings(y, _hole(24, 40, 40, 54), _wts(lum))[0]
    assert out[24:40, 40:47].max() < 0.45
    assert out[24:40, 47:54].min() > 0.7
    assert out[24:40, 40:47].mean() < 0.2 and out[24:40, 47:54].mean() > 0.8


def test_a_hole_larger_than_the_coarsest_pixels_is_filled_from_its_edges():
    y = torch.zeros(1, 64, 96)
    y[:, :, :8] = 1.0
    out = fill_from_surroundings(y, _hole(0, 8, 64, 90), _wts())[0]
    assert torch.isfinite(out).all()
    assert out[32, 10] > out[32, 80]                    # nearer the bright side, brighter
    assert out[:, 8:90].min() >= 0.0


def test_the_filling_is_differentiable_and_reads_only_the_surroundings():
    y = torch.rand(2, 64, 96, requires_grad=True)
    out = fill_from_surroundings(y, _hole(10, 10, 20, 30), _wts())
    out[:, 15, 20].sum().backward()                     # a pixel in the middle of the hole
    assert torch.all(y.grad[:, 10:20, 10:30] == 0)       # nothing from under the hole
    assert y.grad[:, 9, 10:30].min() > 0                 # its ring feeds it
    assert y.grad[:, 50:, :].abs().max() < y.grad[:, 9, 10:30].min() * 0.1
