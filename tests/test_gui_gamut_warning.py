"""The gamut warning and the colour square: a colour that cannot exist at the lightness of the
spot it would land on is flagged, the warning says which spot it means (under the cursor, at
the selected hint) and goes with the cursor; the square forgets the last spot once the cursor
leaves the photo."""
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtWidgets import QApplication

from net.hints import Hint

from .test_gui import click, photo, send, wait_idle, win  # noqa: F401 (fixtures)
from .test_gui_walkthrough import key



def test_a_colour_that_cannot_exist_at_the_lightness_here_is_flagged(win):
    panel = win.panel
    panel.set_lightness(96)
    win.pick_color((0, 0, 255))                   # saturated blue on a nearly white area
    assert "cannot exist" in panel.gamut_label.text()
    win.pick_color((235, 240, 250))               # a pale blue exists there
    assert panel.gamut_label.text() == ""
    panel.set_lightness(30)
    win.pick_color((0, 0, 255))
    assert panel.gamut_label.text() == ""


def test_the_gamut_warning_says_which_spot_it_means(qtbot, win):
    """"at the lightness here" read as the result's colours (a walkthrough): it names the spot
    under the cursor or the selected hint."""
    win.pick_color((0, 0, 255))
    win.panel.set_lightness(96)
    assert "under the cursor (L 96)" in win.panel.gamut_label.text()
    win.doc.insert_hints(0, [Hint(5, 5, 3, (0, 0, 255))])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(win.doc, "lightness_at", lambda x, y: 95.0)
        win.tool.select(0)
    assert "at the selected hint (L 95)" in win.panel.gamut_label.text()


def _spots(win, rgb):
    """An image point where ``rgb`` cannot exist (the warning shows) and one where it can."""
    from colorizer_gui.color_widgets import GAMUT_WARN_AB, gamut_shift
    l = win.doc.photo.l_full
    grid = [(x, y) for y in range(20, l.shape[0] - 20, 10) for x in range(20, l.shape[1] - 20, 10)]
    shift = [[gamut_shift(float(v), rgb) for v in l[y - 3:y + 4, x - 3:x + 4].ravel()]
             for x, y in grid]                    # around each point: a view maps to whole pixels
    bad = [p for p, d in zip(grid, shift) if min(d) > GAMUT_WARN_AB + 5]
    fine = [p for p, d in zip(grid, shift) if max(d) < GAMUT_WARN_AB - 5]
    return bad[0], fine[0]


def test_the_gamut_warning_goes_when_the_cursor_leaves_the_photo(qtbot, win):
    """It followed the cursor over the photo, then stayed, still saying "under the cursor", when
    the cursor went to the panel: with no hint selected it describes no spot once it left."""
    yellow = (240, 220, 80)
    win.pick_color(yellow)
    bad, fine = _spots(win, yellow)            # a dark coat, a bright sky
    send(win.gray_view, QEvent.Type.MouseMove, bad, buttons=Qt.MouseButton.NoButton)
    assert "under the cursor" in win.panel.gamut_label.text()
    QApplication.sendEvent(win.gray_view, QEvent(QEvent.Type.Leave))     # off to the panel
    assert win.panel.gamut_label.text() == "" and win.status_pos.text() == ""
    send(win.result_view, QEvent.Type.MouseMove, bad, buttons=Qt.MouseButton.NoButton)
    assert "under the cursor" in win.panel.gamut_label.text()     # the result view counts too
    QApplication.sendEvent(win.result_view, QEvent(QEvent.Type.Leave))
    assert win.panel.gamut_label.text() == ""


def test_after_esc_the_gamut_warning_no_longer_names_the_selected_hint(qtbot, win):
    """Esc deselected but the warning said "at the selected hint" until the mouse moved: it
    describes the spot under the cursor at once, or nothing when the cursor is off the photo."""
    yellow = (240, 220, 80)
    win.pick_color(yellow)
    bad, fine = _spots(win, yellow)
    view = win.gray_view
    click(view, bad)                               # a yellow hint where yellow cannot exist
    wait_idle(qtbot, win)

    def select_and_hover(at):
        click(view, bad)
        assert win.tool.selected == 0
        send(view, QEvent.Type.MouseMove, at, buttons=Qt.MouseButton.NoButton)
        assert "at the selected hint" in win.panel.gamut_label.text()

    select_and_hover(fine)
    key(win, Qt.Key.Key_Escape)
    assert win.tool.selected is None and win.panel.gamut_label.text() == ""   # yellow exists here
    select_and_hover(bad)
    key(win, Qt.Key.Key_Escape)
    assert "under the cursor" in win.panel.gamut_label.text()
    select_and_hover(bad)
    QApplication.sendEvent(view, QEvent(QEvent.Type.Leave))
    assert "at the selected hint" in win.panel.gamut_label.text()    # still where it would land
    key(win, Qt.Key.Key_Escape)
    assert win.tool.selected is None and win.panel.gamut_label.text() == ""
    wait_idle(qtbot, win)


def test_the_colour_square_forgets_the_last_spot_once_the_cursor_leaves_the_photo(qtbot, win):
    """The ab square kept the lightness of the last point touched (often a dark edge) after the
    cursor left: it shows what it shows with no spot under the cursor, or the selected hint's."""
    picker, view, l = win.panel.ab_picker, win.gray_view, win.doc.photo.l_full
    typical = picker.l                             # the photo as opened, nothing touched yet
    spots = [(x, y) for x in range(20, l.shape[1] - 20, 10) for y in range(20, l.shape[0] - 20, 10)]
    dark, light = (f(spots, key=lambda p: l[p[1], p[0]]) for f in (min, max))
    send(view, QEvent.Type.MouseMove, dark, buttons=Qt.MouseButton.NoButton)
    assert picker.l < typical - 10                 # the square follows the cursor...
    QApplication.sendEvent(view, QEvent(QEvent.Type.Leave))
    assert picker.l == typical                     # ...and forgets it once it leaves
    win.on_hover(QPointF(*dark)); win.on_hover(QPointF(l.shape[1] + 40, 10))   # beside the photo
    assert picker.l == typical
    for _ in range(2):                             # a hint on the lightest spot, then selected
        click(view, light)
    send(view, QEvent.Type.MouseMove, dark, buttons=Qt.MouseButton.NoButton)
    QApplication.sendEvent(view, QEvent(QEvent.Type.Leave))
    assert win.tool.selected == 0 and abs(picker.l - min(99.0, l[light[1], light[0]])) < 0.5
    key(win, Qt.Key.Key_Escape)                    # deselected, the cursor off the photo
    assert win.tool.selected is None and picker.l == typical
    wait_idle(qtbot, win)