"""Stroke hints (issue 12, defect 5): one object drawn by the one rasteriser, stored in sessions."""
import json

import numpy as np
import pytest

from net.hints import Hint, Stroke, parse_hint, rasterize_hints
from net.session_file import Session, SessionError, load_session, parse_session, save_session

RED = (220, 20, 30)


def test_a_stroke_covers_the_band_along_its_polyline_and_nothing_else():
    l = np.zeros((60, 80), np.float32)
    s = Stroke(((10.5, 20.5), (60.5, 20.5), (60.5, 50.5)), 3.0, RED)
    m = rasterize_hints([s], (60, 80), l)[3]
    yy, xx = np.mgrid[0:60, 0:80] + 0.5
    d = np.array([[s.distance(x, y) for x, y in zip(rx, ry)] for rx, ry in zip(xx, yy)])
    assert ((d <= 3.0) == (m > 0)).all()
    assert m[20, 10:61].all() and m[20:51, 60].all() and m[40, 30] == 0


def test_a_stroke_scales_like_circles_and_equals_its_circles_at_its_points():
    l = np.zeros((40, 60), np.float32)
    pts = ((100.0, 100.0), (300.0, 100.0))
    stroke = rasterize_hints([Stroke(pts, 20.0, RED)], (400, 600), l)
    circles = rasterize_hints([Hint(x, y, 20.0, RED) for x, y in pts], (400, 600), l)
    assert ((circles[3] > 0) <= (stroke[3] > 0)).all()           # the ends are covered
    assert stroke[3, 10, 15:30].all() and not circles[3, 10, 18:26].any()   # and the band between
    assert np.allclose(stroke[1][stroke[3] > 0], circles[1][circles[3] > 0][0])


def test_a_one_point_stroke_is_a_circle_and_later_hints_paint_over_strokes():
    l = np.zeros((30, 30), np.float32)
    a = rasterize_hints([Stroke(((12.0, 9.0),), 4.0, RED)], (30, 30), l)
    b = rasterize_hints([Hint(12.0, 9.0, 4.0, RED)], (30, 30), l)
    assert np.array_equal(a, b)
    both = rasterize_hints([Stroke(((0.0, 9.0), (29.0, 9.0)), 4.0, RED),
                            Hint(12.0, 9.0, 2.0, (20, 20, 220))], (30, 30), l)
    assert both[2, 9, 12] < 0 < both[2, 9, 25]                   # blue over red in the middle


def test_stroke_operations_and_hit_distance():
    s = Stroke(((0, 0), (10, 0)), 2, RED)
    assert s.distance(5, 3) == pytest.approx(3) and s.distance(13, 4) == pytest.approx(5)
    assert s.translated(1, 2).points == ((1, 2), (11, 2))
    assert s.extended(10, 10).points[-1] == (10, 10)
    assert s.with_rgb((1, 2, 3)).rgb == (1, 2, 3) and s.with_radius(7).radius == 7
    assert parse_hint(s.to_dict()) == s and parse_hint(Hint(1, 2, 3, RED).to_dict()) == Hint(1, 2, 3, RED)


@pytest.mark.parametrize("bad, words", [
    ({"points": []}, "1 to"), ({"points": [[1]]}, "pairs"), ({"points": [[1, float("nan")]]}, "finite"),
    ({"points": "xy"}, "list"), ({"radius": 0}, "positive"), ({"rgb": [1, 2]}, "rgb"),
    ({"kind": "blob"}, "unknown hint kind"),
])
def test_malformed_strokes_are_refused_with_a_reason(bad, words):
    d = {"kind": "stroke", "points": [[1, 2], [3, 4]], "radius": 2, "rgb": [1, 2, 3]} | bad
    with pytest.raises(ValueError, match=words):
        parse_hint(d)


def test_sessions_store_strokes_as_version_2_and_old_sessions_still_load(tmp_path):
    hints = [Hint(5, 6, 3, RED), Stroke(((1, 2), (30, 4), (31, 20)), 4, (10, 90, 200))]
    p = tmp_path / "s.colorize.json"
    save_session(p, Session(image="photo.png", hints=hints))
    data = json.loads(p.read_text())
    assert data["version"] == 2 and data["hints"][1]["kind"] == "stroke"
    assert load_session(p).hints == hints
    v1 = {"format": "colorizer-session", "version": 1, "image": "photo.jpg",
          "hints": [{"x": 1, "y": 2, "radius": 3, "rgb": [1, 2, 3]}]}
    assert parse_session(v1).hints == [Hint(1, 2, 3, (1, 2, 3))]
    with pytest.raises(SessionError, match="hint 1: version 1 sessions hold circles only"):
        parse_session(v1 | {"hints": [hints[1].to_dict()]})
    with pytest.raises(SessionError, match="hint 2: stroke is missing points"):
        parse_session(data | {"hints": [data["hints"][0], {"kind": "stroke", "radius": 1,
                                                            "rgb": [1, 2, 3]}]})


def test_the_colorizer_draws_strokes_through_the_same_rasteriser(local_colorizer):
    rgb = np.full((64, 96, 3), 128, np.uint8)
    s = local_colorizer.open(rgb)
    stroke = Stroke(((10.0, 32.0), (80.0, 32.0)), 4.0, RED)
    t = s.hint_tensor([stroke])
    assert t.shape[0] >= 4 and t[3].sum() > 0
    assert not np.array_equal(s.predict_ab([stroke]), s.predict_ab([stroke.translated(0, 20)]))
