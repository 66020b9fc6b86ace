"""Hint reach (net.hint_reach): "region" keeps a lone hint's colour in its own region, where
"photo" (the default, best on average) lets the shipped model tint far regions with it."""
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from net import Colorizer, Hint
from net.hint_reach import colour_guided, region_weight
from net.levin_propagation import LevinPyramid
from net.session_file import Session, SessionError, load_session, parse_session, save_session
from training.tint import weak_step

RED = (200, 40, 40)
HINT = Hint(40, 96, 8, RED)


@pytest.fixture(scope="module")
def shipped():
    return Colorizer.load(device="cpu")


def change(session, hints, reach):
    """|ab with hints - ab without| per pixel, with this hint reach."""
    session.hint_reach = reach
    return np.linalg.norm(session.predict_ab(hints) - session.predict_ab([]), axis=-1)


def test_a_lone_hint_stays_on_its_side_of_a_weak_edge_with_region_reach(shipped):
    s = shipped.open(weak_step())
    photo, region = change(s, [HINT], "photo"), change(s, [HINT], "region")
    h, w = photo.shape
    near, own_far, other = (np.s_[h // 2 - 10:h // 2 + 10, w // 10:w // 5],
                            np.s_[:, int(w * 0.35):int(w * 0.48)], np.s_[:, int(w * 0.55):])
    assert photo[other].mean() > 20          # the far tint this option exists for (v4: 38)
    assert region[other].mean() < 2          # gone (0.2)
    assert region[near].mean() > 0.8 * photo[near].mean()        # the hint still colours...
    assert region[own_far].mean() > 0.6 * photo[own_far].mean()  # ...most of its region (58/63)


def test_a_backdrop_hint_leaves_the_face_beside_it_mostly_its_own_colour(shipped):
    """A green hint on the astronaut's plain backdrop, left of her head, with "region": the
    face and hair beside it (alike in gray, apart in the automatic colour) keep most of their
    colour. Session 20's weight (colour similarity 0.03, reach 0.5) greened them by a* -15.6 /
    -22.7; session 21's (0.02, 0.6) by -9.3 / -18.0, against -24.1 / -28.1 with "photo"."""
    import skimage.data
    from training.tint import ASTRONAUT_BACKDROP, change as tint_change, mean
    d = tint_change(shipped, skimage.data.astronaut(), ASTRONAUT_BACKDROP, "region")
    face, hair = mean(d, 100, 160, 180, 260, 0), mean(d, 20, 90, 160, 300, 0)
    assert face > -12.5 and hair > -20.5
    d = tint_change(shipped, skimage.data.astronaut(), ASTRONAUT_BACKDROP, "photo")
    assert mean(d, 100, 160, 180, 260, 0) < face - 8        # what "region" is there for


def test_reach_changes_nothing_without_hints_and_the_default_is_photo(shipped):
    img = weak_step()
    s = shipped.open(img)
    assert s.hint_reach == "photo"
    default = s.predict_ab([HINT])
    assert np.array_equal(s.predict_ab([], "region"), s.predict_ab([], "photo"))
    assert np.array_equal(s.predict_ab([HINT], "photo"), default)
    s.hint_reach = "region"
    region = s.predict_ab([HINT])
    assert not np.allclose(region, default, atol=1.0)     # not the memo of "photo"
    s.hint_reach = "photo"
    assert np.array_equal(s.predict_ab([HINT]), default)
    assert np.array_equal(s.predict_ab([HINT], "region"), region)
    with pytest.raises(ValueError, match="hint reach"):
        s.hint_reach = "everywhere"
    with pytest.raises(ValueError, match="hint reach"):
        s.preview([HINT], "everywhere")
    assert np.array_equal(shipped.colorize(img, [HINT]), shipped.open(img).render([HINT]))
    assert np.array_equal(shipped.colorize(img, [HINT], hint_reach="region"),
                          shipped.open(img).render([HINT], "region"))


def test_the_region_weight_stops_where_the_automatic_colour_changes():
    """Flat gray, so luminance alone connects everything: the automatic colour's change (a*
    step, as between a bird and the equally gray leaves behind it) is what stops the weight."""
    pyr = LevinPyramid(np.full((64, 96), 0.5, np.float32))
    auto = np.zeros((2, 64, 96), np.float32)
    auto[0, :, 48:] = 0.2
    mask = np.zeros((64, 96), np.float32)
    mask[28:36, 10:18] = 1
    plain, guided = region_weight(pyr, mask), region_weight(colour_guided(pyr, auto), mask)
    assert guided[:, 10:18].min() > 0.99 and plain[:, 10:18].min() > 0.99   # the hint's rows
    assert plain[:, 56:].mean() > 0.25                # luminance alone: it flows across (0.33)
    assert guided[:, 56:].max() < 0.05                # the colour step stops it (0.02)
    assert guided[:, :40].mean() > 0.9                # and its own side fills


def test_the_session_file_keeps_the_reach_and_refuses_an_unknown_one(tmp_path):
    p = tmp_path / "a.colorize.json"
    save_session(p, Session(str(tmp_path / "a.png"), [HINT], hint_reach="region"))
    assert load_session(p).hint_reach == "region"
    save_session(p, Session(str(tmp_path / "a.png"), [HINT]))
    assert "hint_reach" not in json.loads(p.read_text())      # files as before by default
    assert load_session(p).hint_reach == "photo"
    with pytest.raises(SessionError, match="hint_reach must be one of photo, region"):
        parse_session({"format": "colorizer-session", "version": 2, "image": "a.png",
                       "hint_reach": "far"})


def test_the_command_line_takes_the_reach_from_the_session_or_the_flag(tmp_path):
    src = tmp_path / "step.png"
    Image.fromarray(weak_step()).save(src)
    session = tmp_path / "step.colorize.json"
    save_session(session, Session(str(src), [HINT], hint_reach="region"))

    def run(*extra):
        out = tmp_path / f"out{len(list(tmp_path.glob('out*')))}.png"
        r = subprocess.run([sys.executable, "-m", "colorizer_gui.cli", "colorize", str(src),
                            "--hints", str(session), "-o", str(out), "--device", "cpu", *extra],
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        return np.asarray(Image.open(out)).astype(int)

    from_session, flag_region, flag_photo = run(), run("--hint-reach", "region"), \
        run("--hint-reach", "photo")
    assert np.array_equal(from_session, flag_region)
    right = np.s_[:, 150:]
    assert np.abs(flag_photo[right] - from_session[right]).mean() > 5   # photo tints the right


def test_a_region_hint_stops_at_boundaries_levin_alone_passes(shipped):
    """Session 25's walkthrough, "Own region" on the bundled astronaut: a green hint on the suit
    turned the flag beside it green, a blue one on the backdrop the rocket's tank blue. Levin's
    weights ignore contrast (they divide by the local variance), so the weak step between the
    flag's light stripes and the suit, and the soft ramp of the out-of-focus tank, connected
    as flat texture does; the weight's affinities now also fall with lightness differences
    (LUM_SIGMA). Before: flag 37.7, tank 19.7 ab units; now 22.7 and 6.9."""
    from skimage import data
    gray = np.repeat(np.asarray(Image.fromarray(data.astronaut()).convert("L"))[:, :, None], 3, 2)
    s = shipped.open(gray)
    k = s.predict_ab([]).shape[0] / 512

    def moved(hint, rows, cols):
        d = change(s, [hint], "region")
        return d[int(rows[0] * k):int(rows[1] * k), int(cols[0] * k):int(cols[1] * k)].mean()

    green, blue = Hint(100, 400, 10.24, (60, 170, 60)), Hint(340, 60, 10.24, (60, 110, 220))
    assert moved(green, (300, 480), (40, 200)) > 45          # the suit fills (50.0)
    assert moved(green, (250, 500), (0, 40)) < 30            # the flag's lower part (22.7)
    assert moved(blue, (20, 150), (310, 380)) > 50           # the backdrop fills (56.7)
    assert moved(blue, (10, 140), (405, 435)) < 12           # the tank (6.9)
