"""The colour panel's widgets on their own (no model, no photo)."""
import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from colorizer_gui.color_widgets import AbPicker
from net.color import rgb_to_lab


def test_the_colour_plane_answers_a_click_outside_its_gamut_with_the_nearest_colour(qtbot):
    """A click in the gray area of the colour plane (colours that cannot exist at this
    lightness) used to do nothing at all; it now picks the most saturated colour of that hue
    that exists there, and a drag that leaves the plane keeps picking along its edge."""
    picker = AbPicker()
    qtbot.addWidget(picker)
    picker.resize(200, 200)
    picker.set_lightness(90.0)                        # near white: a deep blue cannot exist
    picked, shown = [], []              # chosen (a click, a drag's end); shown while dragging
    picker.colorPicked.connect(picked.append)
    picker.colorDragged.connect(shown.append)

    def mouse(kind, x, y, buttons=Qt.MouseButton.LeftButton):
        button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
        pos = QPointF(x, y)
        QApplication.sendEvent(picker, QMouseEvent(kind, pos, picker.mapToGlobal(pos), button,
                                                   buttons, Qt.KeyboardModifier.NoModifier))

    def hue_gap(a, b, degrees):
        return abs((np.degrees(np.arctan2(b, a)) - degrees + 180) % 360 - 180)

    def lab(rgb):
        return rgb_to_lab(np.array([[rgb]], np.uint8))[0, 0]

    # (100, 190) is b of about -90, a of 0: far outside the gamut at L 90 (the gray area).
    rows, cols = picker._inside.shape
    assert not picker._inside[int(190 / 200 * rows), cols // 2]
    mouse(QEvent.Type.MouseButtonPress, 100, 190)
    assert len(shown) == 1 and picked == []
    l, a, b = lab(shown[0])
    assert abs(l - 90) < 2                            # the lightness under the cursor
    assert b < -12 and hue_gap(a, b, -90) < 8          # a blue, of the clicked hue, as strong as fits
    mouse(QEvent.Type.MouseButtonRelease, 100, 190, Qt.MouseButton.NoButton)
    assert picked == shown                             # the click's colour is the one chosen

    mouse(QEvent.Type.MouseButtonPress, 100, 100)     # the centre: gray, inside the gamut
    mouse(QEvent.Type.MouseMove, 260, 100)            # dragged out past the right edge: +a
    assert len(shown) == 3 and len(picked) == 1
    l, a, b = lab(shown[-1])
    assert abs(l - 90) < 2 and a > 10 and hue_gap(a, b, 0) < 8
    mouse(QEvent.Type.MouseButtonRelease, 260, 100, Qt.MouseButton.NoButton)
    assert picked[-1] == shown[-1] and len(picked) == 2   # a drag is one choice, where it ended
    mouse(QEvent.Type.MouseMove, 20, 100, Qt.MouseButton.NoButton)   # hovering picks nothing
    assert len(shown) == 3 and len(picked) == 2


def test_a_colour_that_looks_like_a_recent_one_replaces_it_at_the_front(qtbot):
    """Picking a red a hair off one already in the recent row (eyedropper, picker) added a
    second chip that looks the same; it now takes that chip's place, at the front."""
    from colorizer_gui.color_panel import ColorPanel
    panel = ColorPanel()
    qtbot.addWidget(panel)
    for rgb in ((200, 30, 30), (60, 120, 200), (240, 220, 40)):
        panel.remember(rgb)
    assert panel.remember((201, 31, 29))                   # Delta E under 1 from the red
    assert panel.recent_row.colors == [(201, 31, 29), (240, 220, 40), (60, 120, 200)]
    panel.remember((230, 60, 60))                          # a red that looks different: added
    assert panel.recent_row.colors[:2] == [(230, 60, 60), (201, 31, 29)]
    before = list(panel.recent_row.colors)
    assert not panel.remember((60, 120, 200))              # the very colour: keeps its place
    assert panel.recent_row.colors == before


def test_the_colour_square_goes_back_to_its_own_lightness_when_no_spot_is_described(qtbot):
    """No spot (the cursor left the photo, no hint selected): the square shows the lightness it
    showed before any spot was touched, not the last spot's."""
    from colorizer_gui.color_panel import ColorPanel
    panel = ColorPanel()
    qtbot.addWidget(panel)
    start = panel.ab_picker.l                              # a new panel: no photo yet
    panel.set_lightness(12.0)
    assert panel.ab_picker.l == 12.0
    panel.set_lightness(None)
    assert panel.ab_picker.l == start and panel.lightness is None
    panel.reset_lightness(70.0)                            # a photo opened: its typical lightness
    panel.set_lightness(20.0, "at the selected hint")
    panel.set_lightness(None)
    assert panel.ab_picker.l == 70.0
