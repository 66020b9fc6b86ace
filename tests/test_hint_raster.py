"""A session repaints only the hint that changed (net.hints.HintRaster), with the same result as
painting every hint: the incremental path must never show a stale or missing hint."""
import numpy as np

from net.hints import Hint, HintRaster, Stroke, hint_shapes, paint_circles

SIZE, WORK = (300, 400), (96, 128)
RED, BLUE, GREEN = (220, 30, 30), (30, 60, 220), (40, 200, 60)


def painted_whole(hints):
    return paint_circles(hint_shapes(hints, SIZE, WORK), *WORK)


class Counting(HintRaster):
    def __init__(self):
        super().__init__(SIZE, WORK)
        self.painted = 0

    def _paint(self, hints, over=None):
        self.painted += len(hints)
        return super()._paint(hints, over)


def test_adding_and_editing_the_last_hint_paints_one_hint_and_matches_a_full_repaint():
    r = Counting()
    hints = [Hint(50, 60, 20, RED), Hint(200, 150, 30, BLUE), Hint(60, 70, 25, GREEN)]
    assert np.array_equal(r(hints), painted_whole(hints))
    r.painted = 0
    hints.append(Hint(55, 65, 30, BLUE))               # over the others: it must win
    assert np.array_equal(r(hints), painted_whole(hints))
    assert r.painted == 1
    stroke = Stroke(((300.0, 40.0),), 12.0, RED)         # a stroke being drawn, mouse move by move
    for x in (310.0, 330.0, 360.0):
        stroke = stroke.extended(x, 40.0 + x / 10)
        r.painted = 0
        assert np.array_equal(r(hints + [stroke]), painted_whole(hints + [stroke]))
        assert r.painted == 1
    r.painted = 0
    assert np.array_equal(r(hints + [stroke]), painted_whole(hints + [stroke]))   # unchanged
    assert r.painted == 0


def test_removing_reordering_or_recolouring_an_earlier_hint_repaints_correctly():
    r = HintRaster(SIZE, WORK)
    a, b, c = Hint(50, 60, 40, RED), Hint(70, 70, 40, BLUE), Hint(300, 200, 20, GREEN)
    seq = [[a, b, c], [a, b], [b, a], [a.with_rgb(GREEN), b], [], [c], [a, b, c], [a, c]]
    for hints in seq:
        out = r(hints)
        assert np.array_equal(out, painted_whole(hints)), hints
        out[:] = 7.0                                     # a caller's change must not stick
        assert np.array_equal(r(hints), painted_whole(hints))
    assert not r([]).any()
