"""The eraser cuts strokes (net.hints.Stroke.outside): it removes exactly the part of the stroke
within its reach, and keeps the rest of the stroke where it was."""
import numpy as np

from net.hints import Stroke, hint_shapes, paint_circles

RED = (200, 30, 30)


def test_cutting_the_middle_the_end_all_or_nothing():
    s = Stroke(((0, 50), (100, 50)), 4, RED)
    assert s.outside(50, 50, 10) == (Stroke(((0, 50), (40, 50)), 4, RED),
                                     Stroke(((60, 50), (100, 50)), 4, RED))
    assert s.outside(100, 50, 10) == (Stroke(((0, 50), (90, 50)), 4, RED),)
    assert s.outside(50, 50, 80) == ()
    assert s.outside(50, 70, 20) == (s,)                 # just touching leaves it whole
    dot = Stroke(((5, 5),), 4, RED)
    assert dot.outside(5, 8, 4) == () and dot.outside(5, 9, 4) == (dot,)


def test_a_cut_through_a_corner_keeps_the_vertices_on_either_side():
    s = Stroke(((0, 0), (50, 0), (50, 50), (0, 50)), 3, RED)
    pieces = s.outside(50, 50, 10)
    assert [p.points for p in pieces] == [((0, 0), (50, 0), (50, 40)), ((40, 50), (0, 50))]


def _dist(points, c):
    return Stroke(tuple(map(tuple, points)), 1, RED).distance(*c)


def test_random_cuts_remove_exactly_what_is_within_reach():
    rng = np.random.default_rng(7)
    for _ in range(300):
        pts = rng.uniform(0, 100, (rng.integers(2, 9), 2))
        s = Stroke(tuple(map(tuple, pts)), 3, RED)
        c, reach = rng.uniform(0, 100, 2), rng.uniform(2, 40)
        pieces = s.outside(*c, reach)
        # nothing left within reach
        for p in pieces:
            assert p.distance(*c) >= reach - 1e-6
        # every point of the stroke beyond reach is still on some piece
        t = np.linspace(0, 1, 41)[:, None]
        samples = np.concatenate([a + t * (b - a) for a, b in zip(pts[:-1], pts[1:])])
        for q in samples:
            if np.hypot(*(q - c)) > reach + 1e-6:
                assert min(p.distance(*q) for p in pieces) < 1e-6


def test_the_pieces_paint_no_pixel_the_stroke_did_not():
    s = Stroke(((10, 10), (90, 30), (40, 80)), 5, RED)
    whole = paint_circles(hint_shapes([s], (100, 100), (100, 100)), 100, 100)[2] > 0
    pieces = list(s.outside(70, 25, 12))
    assert len(pieces) == 2
    cut = paint_circles(hint_shapes(pieces, (100, 100), (100, 100)), 100, 100)[2] > 0
    assert not (cut & ~whole).any() and cut.sum() < whole.sum()
    yy, xx = np.mgrid[:100, :100] + 0.5
    assert not (cut & (np.hypot(xx - 70, yy - 25) < 12 - 5)).any()   # the eraser's disc is clear
