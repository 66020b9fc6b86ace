"""The editing defects a third new-user walkthrough found (session 27): a drag through the
colour picker, recent colours, clicks on hints the view does not show, undo and the
selection, the suggestions' chips and tooltip (About's score: tests/test_about.py); and the
keyboard on the save question (session 28)."""
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from colorizer_gui.color_panel import _kinds
from colorizer_gui.color_widgets import ColorRow
from colorizer_gui.prompts import Prompts

REAL_ASK = Prompts.ask          # (before the suite's conftest answers it)
from colorizer_gui.suggestions import suggestions
from net.hints import Hint

from .test_gui import click, drag, photo, wait_idle, win  # noqa: F401
from .test_gui_walkthrough import key


def _mouse(widget, kind, x, y, buttons=Qt.MouseButton.LeftButton):
    pos = QPointF(x, y)
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
    QApplication.sendEvent(widget, QMouseEvent(kind, pos, widget.mapToGlobal(pos), button,
                                               buttons, Qt.KeyboardModifier.NoModifier))


def _drag_through_picker(picker, steps=12):
    """Press in the ab square, move across it in ``steps`` moves, release: a user's drag."""
    s = min(picker.width(), picker.height())
    x0, y0 = (picker.width() - s) / 2, (picker.height() - s) / 2
    points = [(x0 + s * (0.3 + 0.4 * k / steps), y0 + s * (0.35 + 0.3 * k / steps))
              for k in range(steps + 1)]
    _mouse(picker, QEvent.Type.MouseButtonPress, *points[0])
    for p in points[1:]:
        _mouse(picker, QEvent.Type.MouseMove, *p)
    _mouse(picker, QEvent.Type.MouseButtonRelease, *points[-1], buttons=Qt.MouseButton.NoButton)


def test_a_drag_through_the_colour_picker_is_one_undo_step_and_one_recent_colour(qtbot, win):
    click(win.gray_view, (100, 100))
    wait_idle(qtbot, win)
    first = win.doc.hints[0].rgb
    win.tool.select(0)
    recent_before = list(win.panel.recent.colors)
    steps_before = win.doc.history.count()
    _drag_through_picker(win.panel.ab_picker)
    final = win.doc.hints[0].rgb
    assert final != first
    assert win.tool.color == final and win.tool.selected == 0
    assert win.doc.history.count() == steps_before + 1          # was one step per mouse move
    recent = win.panel.recent.colors
    assert recent[0] == final and len([c for c in recent if c not in recent_before]) == 1
    win.tool.undo()
    assert win.doc.hints[0].rgb == first                       # one Ctrl+Z takes it all back
    win.tool.redo()
    assert win.doc.hints[0].rgb == final
    # Without a hint selected a drag sets the brush, and it is still one recent colour.
    win.tool.select(None)
    before = list(win.panel.recent.colors)
    _drag_through_picker(win.panel.ab_picker)
    assert win.doc.hints[0].rgb == final and win.doc.history.count() == steps_before + 1
    assert len([c for c in win.panel.recent.colors if c not in before]) == 1
    # A drag that ends on the colour it started from leaves no step behind ("*" and all).
    win.tool.select(0)
    steps = win.doc.history.count()
    win.tool.set_color((10, 200, 30), dragging=True)
    win.tool.set_color(final)
    assert win.doc.history.count() == steps and win.doc.hints[0].rgb == final
    wait_idle(qtbot, win)


def test_a_picker_drag_that_loses_its_release_ends_when_the_picker_hides(qtbot, win):
    """A dialog or a hidden panel can take the release: the drag still ends there, and the next
    colour choice is a step of its own (it merged into the lost drag's step)."""
    click(win.gray_view, (100, 100))
    win.tool.select(0)
    picker = win.panel.ab_picker
    s = min(picker.width(), picker.height())
    _mouse(picker, QEvent.Type.MouseButtonPress, (picker.width() - s) / 2 + s * 0.3,
           (picker.height() - s) / 2 + s * 0.4)
    dragged = win.doc.hints[0].rgb
    steps = win.doc.history.count()
    win.menus.panel_action.trigger()                           # View > Colour panel: hidden
    assert win.panel.recent.colors[0] == dragged                # the drag ended where it was
    win.pick_color((20, 60, 200))
    assert win.doc.history.count() == steps + 1
    win.tool.undo()
    assert win.doc.hints[0].rgb == dragged
    win.menus.panel_action.trigger()
    wait_idle(qtbot, win)


def test_undo_in_the_eraser_selects_nothing(qtbot, win):
    click(win.gray_view, (100, 100))
    win.tool.select(0)
    win.pick_color((20, 60, 200))
    win.tool.set_mode("erase")
    win.tool.undo()
    assert win.tool.selected is None and win.doc.hints[0].rgb != (20, 60, 200)
    wait_idle(qtbot, win)


def test_moving_or_selecting_a_hint_leaves_the_recent_colours_as_they_are(qtbot, win):
    """A hint's colour becomes a recent colour when it is painted or picked, not when the hint
    is moved: moving hint 1 put the last hint's colour at the front, over a chip that looked
    the same (CIE76 < 3), so the chips swapped under the user."""
    win.doc.set_hints([Hint(60.0, 60.0, 8.0, (200, 40, 40)), Hint(200.0, 120.0, 8.0, (40, 90, 200))])
    win.panel.recent.colors = [(30, 160, 60), (202, 42, 42)]
    win.panel.recent_row.set_colors(win.panel.recent.colors)
    drag(win.gray_view, (60, 60), 90)                          # move hint 1
    win.tool.select(1)
    win.tool.select(None)
    assert win.doc.hints[0].x != 60.0
    assert win.panel.recent.colors == [(30, 160, 60), (202, 42, 42)]
    win.tool.set_color((10, 120, 130))
    click(win.gray_view, (250, 50))                            # painting a hint does use its colour
    assert win.panel.recent.colors[0] == (10, 120, 130)
    wait_idle(qtbot, win)


def test_selecting_a_hint_leaves_the_brush_for_the_next_hint_as_it_was(qtbot, win):
    """A walkthrough: with a brown brush, a click on a peach hint and Esc left the brush peach
    (and a Ctrl+wheel on the selected hint left it smaller), so the next hint came out in the
    selected hint's colour and size. The controls show the selected hint; the brush returns."""
    win.tool.set_color((110, 80, 50))                           # a brown brush
    win.tool.set_radius(14.0)
    brush_fraction = win.tool.fraction
    win.doc.set_hints([Hint(60.0, 60.0, 6.0, (240, 190, 160))])
    click(win.gray_view, (60, 60))                              # select the peach hint
    assert win.tool.selected == 0 and win.panel.rgb == (240, 190, 160)
    win.tool.step_radius(-1)                                    # resize it (Ctrl+wheel)
    win.tool.set_color((250, 200, 170))                         # and recolour it
    assert win.doc.hints[0].rgb == (250, 200, 170) and win.doc.hints[0].radius < 6.0
    key(win, Qt.Key.Key_Escape)                                 # deselect
    assert win.tool.selected is None
    assert win.panel.rgb == (110, 80, 50) and win.tool.radius == 14.0     # the brush, shown
    assert win.tool.fraction == brush_fraction
    click(win.gray_view, (220, 140))                            # the next hint: the brush's
    assert win.doc.hints[-1].rgb == (110, 80, 50) and win.doc.hints[-1].radius == 14.0
    # Selecting one hint after another keeps the brush too; painting beside deselects first.
    click(win.gray_view, (60, 60))
    click(win.gray_view, (220, 140))
    click(win.gray_view, (120, 200))
    assert win.tool.selected is None and win.doc.hints[-1].rgb == (110, 80, 50)
    wait_idle(qtbot, win)


def test_the_same_colour_again_says_nothing_was_recoloured(qtbot, win):
    click(win.gray_view, (100, 100))
    win.tool.select(0)
    steps = win.doc.history.count()
    win.pick_color(win.doc.hints[0].rgb)
    assert win.doc.history.count() == steps
    assert "Recoloured" not in win.statusBar().currentMessage()
    win.pick_color((20, 140, 60))
    assert "Recoloured hint 1" in win.statusBar().currentMessage()
    wait_idle(qtbot, win)


def test_a_click_on_the_result_beside_the_photo_paints_rather_than_picks_an_unseen_hint(qtbot, win):
    """Side by side, the result view does not draw the hints: a click there on a hint's place
    added nothing and selected the invisible hint (and a drag moved it)."""
    win.views.set_side_by_side(True)
    click(win.gray_view, (100, 100))
    at = (win.doc.hints[0].x, win.doc.hints[0].y)
    assert not win.result_view.show_hints and win.gray_view.show_hints
    click(win.result_view, (100, 100))
    assert len(win.doc.hints) == 2 and win.tool.selected is None
    drag(win.result_view, (100, 100), 140)                    # a stroke, not a move of hint 1
    assert len(win.doc.hints) == 3 and (win.doc.hints[0].x, win.doc.hints[0].y) == at
    click(win.gray_view, (100, 100))                           # where the hints show, it picks
    assert win.tool.selected is not None and len(win.doc.hints) == 3
    win.views.set_side_by_side(False)
    win.menus.hints_action.trigger()                           # H: hints hidden everywhere
    assert not win.result_view.show_hints and not win.gray_view.show_hints
    win.tool.select(None)
    click(win.result_view, (100, 100))
    assert len(win.doc.hints) == 4 and win.tool.selected is None
    wait_idle(qtbot, win)


def test_undoing_a_move_selects_the_hint_it_moves_back(qtbot, win):
    click(win.gray_view, (100, 100))
    click(win.gray_view, (200, 100))
    start = win.doc.hints[0].x
    drag(win.gray_view, (100, 100), 140)                       # selects hint 1 and moves it
    moved = win.doc.hints[0].x
    win.tool.set_radius(20.0)
    win.tool.select(None)
    win.tool.undo()                                            # the resize
    assert win.tool.selected == 0 and win.doc.hints[0].x == moved > start + 30
    win.tool.undo()                                            # the move
    assert win.tool.selected == 0 and win.doc.hints[0].x == start
    win.pick_color((30, 60, 200))                              # goes to the hint, as selected
    assert win.doc.hints[0].rgb == (30, 60, 200)
    win.tool.undo()
    win.tool.undo()                                            # the second hint's adding
    assert win.tool.selected is None and len(win.doc.hints) == 1
    wait_idle(qtbot, win)


def test_suggested_chips_do_not_change_under_the_mouse(qtbot):
    row = ColorRow("Suggested", "", 10)
    qtbot.addWidget(row)
    row.set_colors([(200, 30, 30), (30, 30, 200)])
    row.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, True)   # the user is about to click
    row.set_colors([(120, 80, 40), (200, 30, 30)])             # a new result arrives
    assert row.colors == [(200, 30, 30), (30, 30, 200)]
    row.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, False)
    QApplication.sendEvent(row, QEvent(QEvent.Type.Leave))
    assert row.colors == [(120, 80, 40), (200, 30, 30)]


def test_the_suggestions_tooltip_names_only_what_is_offered():
    colours, labels = suggestions(50.0, (120, 110, 100), None, [(20.0, 30.0, 0.4)])
    gray = _kinds(labels)
    assert "photo's own colour" not in gray and gray.startswith("the model's current colour")
    assert "likely" in gray and gray.endswith("common colours at that lightness")
    _, labels = suggestions(50.0, (120, 110, 100), (150, 100, 90), [])
    assert "the photo's own colour" in _kinds(labels)



def test_the_wheel_step_that_brings_the_scroll_bars_keeps_the_point_under_the_cursor(qtbot, win):
    """From the fitted view, the zoom step at which a scroll bar appeared moved the point under
    the cursor sideways by ~5-8 photo pixels (the viewport narrowed after the step had placed
    it, and the other view's own late layout was copied back). Along an axis where the photo
    is still smaller than the view it stays centred, as before."""
    from .test_gui import wheel_at
    v = win.gray_view
    win.views.fit()
    QApplication.processEvents()
    pos = QPointF(v.viewport().width() * 0.7, v.viewport().height() * 0.6)
    checked = False
    for _ in range(5):
        under = v.mapToScene(pos.toPoint())
        had_bar = v.verticalScrollBar().isVisible()
        wheel_at(v, pos, 120)
        QApplication.processEvents()
        after = v.mapToScene(pos.toPoint())
        tolerance = 3 / v.zoom()                              # three screen pixels
        if v.horizontalScrollBar().maximum() > 0:             # the photo overflows sideways
            assert abs(after.x() - under.x()) < tolerance, (under, after, had_bar)
            checked |= v.verticalScrollBar().isVisible() and not had_bar
        if v.verticalScrollBar().maximum() > 0 and had_bar:
            assert abs(after.y() - under.y()) < tolerance, (under, after)
    assert checked                  # the step that brought the bar was one of those checked


B = QMessageBox.StandardButton


@pytest.mark.parametrize("key, button", [(Qt.Key.Key_D, B.Discard), (Qt.Key.Key_S, B.Save),
                                         (Qt.Key.Key_Return, B.Save), (Qt.Key.Key_Escape, B.Cancel)])
def test_save_question_answers_from_the_keyboard(qtbot, key, button):
    """"Save the session?" before opening another photo: D discards, S or Return saves, Escape
    cancels (Discard had no key: a keyboard user had to tab to it)."""
    box = Prompts(None).save_changes_box("opening p.jpg")
    qtbot.addWidget(box)
    box.open()
    qtbot.waitExposed(box)
    qtbot.keyClick(box, key)
    qtbot.waitUntil(lambda: box.clickedButton() is not None, timeout=2000)
    assert box.standardButton(box.clickedButton()) == button


def test_the_save_question_returns_the_button_clicked(qtbot, monkeypatch):
    """Prompts.ask itself (the suite answers it like QMessageBox.question: conftest)."""
    from PySide6.QtCore import QTimer
    monkeypatch.setattr(Prompts, "ask", REAL_ASK)
    prompts = Prompts(None)

    def click_discard():
        box = QApplication.activeModalWidget()
        box.button(B.Discard).click()
    QTimer.singleShot(50, click_discard)
    assert prompts.save_changes("opening p.jpg") == "discard"
