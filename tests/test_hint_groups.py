"""Hint reach "region" with hints of several colours (net.hint_reach.hint_groups): each colour
keeps to its own region, as if it were the only hint there."""
import cv2
import numpy as np
import pytest
from skimage import data

from net import Colorizer, Hint
from net.hint_reach import HUE_SECTORS, MAX_COLOURS, hint_groups, region_split
from net.levin_propagation import LevinPyramid

from training.tint import ASTRONAUT_HINTS

# training.tint's three hints on skimage's astronaut and their regions (rows, columns at
# 512 px): the flag's stripes below its hint, the left part of the suit away from its hint,
# the shuttle model above its hint.
(FLAG, FLAG_AREA), (SUIT, SUIT_AREA), (SHUTTLE, SHUTTLE_AREA) = (
    (hint, np.s_[r0:r1, c0:c1]) for hint, (r0, r1, c0, c1) in ASTRONAUT_HINTS.values())


def gray_astronaut():
    return cv2.cvtColor(cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)


@pytest.fixture(scope="module")
def astronaut_session():
    return Colorizer.load(device="cpu").open(gray_astronaut())


def mean_ab(session, hints, area):
    lab = cv2.cvtColor(session.render(hints, "region"), cv2.COLOR_RGB2LAB).astype(np.float32)
    return (lab[..., 1:] - 128)[area].reshape(-1, 2).mean(0)


def test_a_hint_of_another_colour_does_not_recolour_a_hinted_region(astronaut_session):
    """A red flag, a blue suit and an olive shuttle, hinted once each: every region as with its
    own hint alone. With one network run for all three (before session 20) the flag's red
    turned the blue suit magenta (40 ab units from its own colour, b* -10 instead of -39), the
    shuttle moved 18 and the flag 8."""
    s = astronaut_session
    hints = [FLAG, SUIT, SHUTTLE]
    for hint, area in ((FLAG, FLAG_AREA), (SHUTTLE, SHUTTLE_AREA)):
        alone, together = mean_ab(s, [hint], area), mean_ab(s, hints, area)
        assert np.linalg.norm(together - alone) < 2.0, (hint, alone, together)   # 0.1-0.2
    none, alone, together = (mean_ab(s, [], SUIT_AREA), mean_ab(s, [SUIT], SUIT_AREA),
                             mean_ab(s, hints, SUIT_AREA))
    assert alone[1] < -30                             # the blue hint makes the suit blue (-39)
    assert together[1] < -18                          # and still does beside the red flag (-23)
    # the flag's hint owns part of the suit's left edge (textured, next to it): some pull stays
    assert np.linalg.norm(together - alone) < 0.5 * np.linalg.norm(alone - none)  # 19 of 46


def test_hints_are_exact_and_each_colour_fills_its_side_of_flat_gray():
    """Two colours in one flat region: each half takes its hint's colour (one run for both
    left each hint a dot of exact colour in a mixed surround), and the hints stay exact."""
    s = Colorizer.load(device="cpu").open(np.full((128, 256, 3), 128, np.uint8))
    red, blue = Hint(64, 64, 5, (200, 40, 40)), Hint(192, 64, 5, (40, 60, 200))
    ab = s.predict_ab([red, blue], "region")
    for hint, half in ((red, np.s_[40:88, 24:104]), (blue, np.s_[40:88, 152:232])):
        target = s.predict_ab([hint], "photo")[64, int(hint.x)]      # the hint's own chroma
        assert np.linalg.norm(ab[64, int(hint.x)] - target) < 1.5
        assert np.linalg.norm(ab[half] - target, axis=-1).mean() < 8


def painted_row(colours, height=8, width=8):
    """(a, b, mask) with one width x height hint per normalised colour, left to right."""
    painted = np.zeros((3, height, width * len(colours)), np.float32)
    for i, (a, b) in enumerate(colours):
        painted[:, :, i * width:(i + 1) * width] = np.array([a, b, 1.0])[:, None, None]
    return painted


def test_each_colour_is_a_group_and_many_colours_group_by_hue():
    labels, n = hint_groups(painted_row([(0.5, 0.1), (0.5, 0.1), (-0.4, -0.5), (0.0, 0.6)]))
    assert n == 3 and list(labels[0, ::8]) == [0, 0, 1, 2]   # equal colours share; by first pixel
    padded = np.zeros((3, 12, 40), np.float32)
    padded[:, 2:6, 4:8] = np.array([0.5, 0.1, 1.0])[:, None, None]
    labels, n = hint_groups(padded)
    assert n == 1 and (labels == 0).sum() == 16 and (labels == -1).sum() == 12 * 40 - 16
    assert hint_groups(np.zeros((3, 4, 4), np.float32))[1] == 0
    # beyond MAX_COLOURS: near hues share a group, far ones do not, near-gray is its own
    angles = np.radians([0, 5, 90, 95, 180, 270, 300])
    many = [(0.5 * np.cos(t), 0.5 * np.sin(t)) for t in angles] + [(0.01, 0.02)]
    assert len(many) > MAX_COLOURS
    labels, n = hint_groups(painted_row(many))
    first = list(labels[0, ::8])
    assert first[0] == first[1] and first[2] == first[3]
    assert len(set(first)) == 6 == n                  # 0-5, 90-95, 180, 270, 300, gray
    rainbow = [(0.5 * np.cos(t), 0.5 * np.sin(t)) for t in np.linspace(0, 6.2, 40)]
    assert hint_groups(painted_row(rainbow + [(0.0, 0.0)]))[1] == HUE_SECTORS + 1


def test_changing_one_colour_reruns_the_network_for_that_colour_only(astronaut_session,
                                                                      monkeypatch):
    """A preview after a hint change costs one network run however many colours there are,
    undo costs none, and a group's kept output is never that of other hints."""
    s = astronaut_session
    runs, corrections = [], []
    network, correct = s._network, s._propagator.correct
    monkeypatch.setattr(s, "_network", lambda hint7: runs.append(1) or network(hint7))
    monkeypatch.setattr(s._propagator, "correct",
                        lambda *a: corrections.append(1) or correct(*a))

    def new_runs(hints):
        before = len(runs)
        ab = s.predict_ab(hints, "region")
        return len(runs) - before, ab

    new_runs([FLAG, SUIT, SHUTTLE])
    moved = Hint(SUIT.x + 12, SUIT.y, SUIT.radius, SUIT.rgb)
    before = len(corrections)
    assert new_runs([FLAG, moved, SHUTTLE])[0] == 1
    assert len(corrections) - before == 1          # and corrects that group's output only
    assert new_runs([FLAG, moved, SHUTTLE, Hint(60, 300, 8, SUIT.rgb)])[0] == 1  # same colour
    assert new_runs([FLAG, moved, SHUTTLE])[0] == 0                            # undo
    recoloured = Hint(SUIT.x + 12, SUIT.y, SUIT.radius, (40, 160, 200))         # in place
    count, ab = new_runs([FLAG, recoloured, SHUTTLE])
    assert count == 1
    fresh = Colorizer.load(device="cpu").open(gray_astronaut())
    assert np.abs(ab - fresh.predict_ab([FLAG, recoloured, SHUTTLE], "region")).max() < 0.5
    rng = np.random.default_rng(0)
    many = [Hint(float(x), float(y), 6, tuple(int(v) for v in rng.integers(0, 256, 3)))
            for x, y in rng.uniform(20, 490, (12, 2))]
    new_runs(many)                                    # more colours than MAX_COLOURS: by hue
    for i in range(3):                                # each new colour joins one group
        many.append(Hint(100.0 + 40 * i, 450.0, 6, tuple(int(v) for v in rng.integers(0, 256, 3))))
        assert new_runs(many)[0] == 1


def test_each_colour_is_corrected_by_its_own_hints_and_kept_where_its_region_reaches(
        astronaut_session):
    """Own region: each colour group's output is corrected to its own hints and kept in
    proportion to its share of the pixel (owners times the region weight). Where no group
    reaches, the photo keeps its colour without hints; the correction spreads with Levin's
    plain weights, which cross the weak edges that the colour-guided weight stops at (a red
    dot on a house finch's breast left a red glow on the blurred background, a* +5.2 there,
    when the correction was kept wherever its colour owned the pixel)."""
    s = astronaut_session
    none = s.predict_ab([], "region")
    ab = s.predict_ab([FLAG, SHUTTLE], "region")
    labels, n = hint_groups(s.painted([FLAG, SHUTTLE]))
    h, w = s.work_shape
    _, weight = region_split(s._region_pyramid, np.pad(labels, ((0, s._pad[0]), (0, s._pad[1])),
                                                       constant_values=-1), n)
    far = weight[:h, :w] < 0.05
    assert far.mean() > 0.2                           # much of the photo is out of reach (23 %)
    change = np.abs(ab - none).max(-1)
    assert change[far].mean() < 1.0                    # and keeps its colour there (0.3 ab units)
    whole = np.abs(s.predict_ab([FLAG, SHUTTLE], "photo") - none).max(-1)
    assert whole[far].mean() > 5                       # which "Whole photo" changes (9.8)
    assert change[weight[:h, :w] > 0.5].mean() > 5     # while the hinted regions change (26)


def test_a_long_stroke_does_not_crowd_out_a_dot_by_its_size():
    """Flat gray, a stroke across one end and a dot near the other: the dot owns its half of
    the way between them (by their connections alone the stroke took the row up to 131 of
    the 200 pixels towards the dot; on a street a gray road stroke took a yellow car's hood)."""
    labels = np.full((96, 256), -1, np.int32)
    labels[:, 20:26] = 1                               # the stroke
    labels[44:52, 200:208] = 0                         # the dot
    owners, weight = region_split(LevinPyramid(np.full((96, 256), 0.5, np.float32)), labels, 2)
    border = int(np.argmax(owners[0][48] > 0.5))
    assert border < 113, border                        # the midpoint (95 now)
    assert owners[0][:, 150:].mean() > 0.97
