"""What users of editors expect (issue 12): guidance, on-screen state, eraser, hint list,
radius relative to the photo (the gamut warning: tests/test_gui_gamut_warning.py)."""
import numpy as np
from PIL import Image
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from colorizer_gui.hint_tool import max_radius_for
from colorizer_gui.inference import display_lightness
from colorizer_gui.view_pair import EMPTY_TEXT, FIRST_HINT_TEXT
from net.hints import Hint

from .test_gui import (WAIT, click, drag, new_window, photo, send, wait_idle,  # noqa: F401
                       win)


def test_an_empty_window_says_how_to_start(qtbot, local_weights, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    w = new_window(qtbot, local_weights, (900, 600))
    assert w.gray_view.placeholder == EMPTY_TEXT
    with_text = w.gray_view.viewport().grab().toImage()
    w.gray_view.set_overlay(placeholder="")
    without = w.gray_view.viewport().grab().toImage()
    assert with_text != without                  # the text is really painted
    w.views.set_side_by_side(False)
    assert w.result_view.placeholder == EMPTY_TEXT   # on whichever view is visible
    # Without a photo the radius is a share of the photo to come, not pixels of none (a
    # walkthrough read "8.0 px" with no share).
    assert w.panel.radius_label.text() == f"{100 * w.tool.fraction:.1f} % of the photo"
    w.close()


def test_a_first_time_user_is_told_to_click_and_the_tip_goes_with_the_first_hint(qtbot, win):
    assert win.gray_view.placeholder == FIRST_HINT_TEXT
    click(win.gray_view, (100, 100))
    assert win.gray_view.placeholder == ""
    win.doc.history.undo()
    assert win.gray_view.placeholder == FIRST_HINT_TEXT
    wait_idle(qtbot, win)


def test_the_views_show_original_hidden_hints_and_zoom(qtbot, win):
    m = win.menus
    m.before_action.trigger()
    assert "Original" in win.result_view.badges
    m.before_action.trigger()
    assert "Original" not in win.result_view.badges
    m.hints_action.trigger()
    assert "hints hidden" in win.gray_view.badges and not win.gray_view.show_hints
    m.hints_action.trigger()
    assert win.gray_view.badges == []
    win.views.actual_size()
    assert win.gray_view.zoom_percent() == 100 == win.result_view.zoom_percent()
    win.views.zoom_by(2.0)
    assert win.gray_view.zoom_percent() == 200


def test_the_eraser_removes_what_the_brush_touches_in_one_step(qtbot, win):
    for x in (50, 150, 250):
        click(win.gray_view, (x, 100))
    assert len(win.doc.hints) == 3
    win.menus.erase_action.trigger()
    assert win.tool.mode == "erase" and win.panel.erase_btn.isChecked()
    v = win.gray_view
    send(v, QEvent.Type.MouseButtonPress, (40, 100))
    for x in range(45, 165, 10):
        send(v, QEvent.Type.MouseMove, (x, 100))
    send(v, QEvent.Type.MouseButtonRelease, (160, 100), buttons=Qt.MouseButton.NoButton)
    assert [round(h.x) for h in win.doc.hints] == [250]
    win.doc.history.undo()
    assert len(win.doc.hints) == 3
    win.menus.paint_action.trigger()
    click(win.gray_view, (100, 40))
    assert len(win.doc.hints) == 4
    wait_idle(qtbot, win)


def test_the_eraser_cuts_a_painted_stroke_where_it_passes(qtbot, win):
    """A stroke that strayed is mended by erasing the stray part, not repainted whole."""
    drag(win.gray_view, (40, 100), 270, step=10)
    (stroke,) = win.doc.hints
    win.tool.set_mode("erase")
    click(win.gray_view, (150, 100))
    left, right = win.doc.hints
    assert left.rgb == right.rgb == stroke.rgb and left.radius == right.radius == stroke.radius
    assert left.points[0] == stroke.points[0] and right.points[-1] == stroke.points[-1]
    gap = right.points[0][0] - left.points[-1][0]
    assert 2 * (stroke.radius + win.tool.radius) - 1e-6 <= gap
    win.doc.history.undo()
    assert win.doc.hints == [stroke]
    wait_idle(qtbot, win)


def test_the_eraser_leaves_hidden_hints_alone_and_a_fast_drag_misses_nothing(qtbot, win):
    """With the hints hidden (H) an eraser drag cut a stroke the user could not see; a fast drag
    from beside the photo, one mouse event across a stroke, cut nothing (a walkthrough)."""
    v = win.gray_view
    drag(v, (60, 100), 250, step=10)
    (stroke,) = win.doc.hints
    win.tool.set_mode("erase")
    win.menus.hints_action.trigger()                       # H: hidden
    click(v, (150, 100))
    assert win.doc.hints == [stroke] and "not shown here" in win.statusBar().currentMessage()
    win.menus.hints_action.trigger()                       # shown again
    send(v, QEvent.Type.MouseButtonPress, (150, 20))      # above the stroke...
    send(v, QEvent.Type.MouseMove, (150, 180))            # ...one event below it
    send(v, QEvent.Type.MouseButtonRelease, (150, 180), buttons=Qt.MouseButton.NoButton)
    assert len(win.doc.hints) == 2 and win.doc.history.count() == 2
    wait_idle(qtbot, win)


def test_the_hint_list_selects_recolours_and_deletes(qtbot, win):
    click(win.gray_view, (50, 50))
    win.tool.select(None)
    click(win.gray_view, (200, 150))
    lst = win.panel.hint_list
    assert lst.list.count() == 2 and "circle at" in lst.list.item(1).text()
    lst.list.setCurrentRow(0)
    assert win.tool.selected == 0
    win.pick_color((30, 200, 40))
    assert win.doc.hints[0].rgb == (30, 200, 40) and win.doc.hints[1].rgb != (30, 200, 40)
    qtbot.mouseClick(lst.delete_btn, Qt.MouseButton.LeftButton)
    assert len(win.doc.hints) == 1 and lst.list.count() == 1
    wait_idle(qtbot, win)


def test_the_radius_is_relative_to_the_photo_and_reaches_large_photo_sizes(qtbot, win, tmp_path,
                                                                           gray_photo):
    win.tool.set_radius(15)                       # 5 % of the 300 px photo
    big = tmp_path / "big.png"
    Image.fromarray(gray_photo).resize((1200, 800)).save(big)
    win.controller.open_path(big)
    qtbot.waitUntil(lambda: win.doc.path == big, timeout=WAIT)
    assert abs(win.tool.radius - 60) < 1e-6      # still 5 % of the long side
    assert "5.0 % of the photo" in win.panel.radius_label.text()
    assert max_radius_for(4000) == 1000          # a 12 MP photo (4000x3000) can get 1000 px hints
    win.panel.radius_slider.setValue(win.panel.radius_slider.maximum())
    assert win.tool.radius == win.tool.max_radius == max_radius_for(1200)
    win.panel.radius_slider.setValue(0)
    assert win.tool.radius == 1.0
    QApplication.processEvents()
    wait_idle(qtbot, win)
    win.tool.set_radius(60)                       # 5 % again
    pano = tmp_path / "pano.png"                  # a panorama: 5 % of twice its height
    Image.fromarray(gray_photo).resize((3000, 200)).save(pano)
    win.controller.open_path(pano)
    qtbot.waitUntil(lambda: win.doc.path == pano, timeout=WAIT)
    assert abs(win.tool.radius - 20) < 1e-6 and win.tool.max_radius == 100
    assert "5.0 % of the photo" in win.panel.radius_label.text()
    wait_idle(qtbot, win)


def _saved_geometry(size):
    from PySide6.QtWidgets import QMainWindow
    other = QMainWindow()
    other.resize(*size)
    other.show()
    geo = other.saveGeometry()
    other.close()
    return geo


def test_a_window_saved_too_small_to_paint_in_opens_at_a_usable_size(qtbot, local_weights):
    from colorizer_gui.app_settings import settings
    from colorizer_gui.main_window import USABLE_SIZE, MainWindow
    s = settings()
    s.setValue("geometry", _saved_geometry((420, 610)))
    w = MainWindow(model=str(local_weights), device="cpu", ask_restore=False)
    qtbot.addWidget(w)
    assert w.width() >= USABLE_SIZE[0] and w.height() >= USABLE_SIZE[1]
    w.close()
    s.setValue("geometry", _saved_geometry((760, 520)))   # a usable size is kept
    w = MainWindow(model=str(local_weights), device="cpu", ask_restore=False)
    qtbot.addWidget(w)
    assert (w.width(), w.height()) == (760, 520)
    w.close()


def title(row) -> str:
    """The title shown above a row of colour chips."""
    return row.findChild(QLabel).text()


def test_suggested_colours_belong_to_the_open_photo(qtbot, win, tmp_path, gray_photo):
    click(win.gray_view, (100, 100))             # a hint selects its point: suggestions appear
    wait_idle(qtbot, win)
    win.suggested.for_hint(0)
    assert win.panel.suggest_row.colors
    win.doc.history.set_clean()
    other = tmp_path / "other.png"
    Image.fromarray(gray_photo[::2, ::2]).save(other)
    win.controller.open_path(other)
    qtbot.waitUntil(lambda: win.doc.path == other, timeout=WAIT)
    wait_idle(qtbot, win)
    assert win.panel.suggest_row.colors == []   # nothing left over from the previous photo
    assert title(win.panel.suggest_row) == "Suggested colours"     # nor a hint it was for


def test_a_reopened_session_suggests_nothing_until_a_hint_is_added_or_selected(
        qtbot, win, tmp_path):
    """A walkthrough reopened a session and read "Suggested for hint no. 2" for a hint it had
    not touched; the hint list and the count still show the session's hints."""
    row = win.panel.suggest_row
    click(win.gray_view, (100, 100))
    click(win.gray_view, (200, 150))
    wait_idle(qtbot, win)
    session = tmp_path / "two.colorize.json"
    assert win.controller.write_session(session)
    win.controller.open_session(session)
    qtbot.waitUntil(lambda: win.doc.session_path == session and win.controller.idle(),
                    timeout=WAIT)
    wait_idle(qtbot, win)
    assert title(row) == "Suggested colours" and row.colors == []
    assert len(win.doc.hints) == 2 and win.panel.hint_list.list.count() == 2
    click(win.gray_view, (100, 100))                            # selects hint 1
    assert title(row) == "Suggested for hint no. 1" and row.colors


def test_after_a_delete_or_undo_the_suggestions_are_for_no_hint_the_user_did_not_pick(
        qtbot, win):
    """A walkthrough deleted the hint it had just added (no. 4) and read "Suggested for hint
    no. 3", a hint it had neither added last nor selected; the same after an undo."""
    from PySide6.QtTest import QTest
    row = win.panel.suggest_row
    for x in (60, 140, 220):
        click(win.gray_view, (x, 100))
    wait_idle(qtbot, win)
    assert title(row) == "Suggested for hint no. 3"
    click(win.gray_view, (220, 100))                            # select hint 3, then Delete
    QTest.keyClick(win.gray_view.viewport(), Qt.Key.Key_Delete)
    assert len(win.doc.hints) == 2 and title(row) == "Suggested colours" and row.colors == []
    click(win.gray_view, (260, 160))                            # a new hint: its suggestions
    assert title(row) == "Suggested for hint no. 3"
    win.doc.history.undo()
    assert len(win.doc.hints) == 2 and title(row) == "Suggested colours"
    drag(win.gray_view, (40, 40), 120)                          # a stroke: for it throughout
    wait_idle(qtbot, win)
    assert title(row) == "Suggested for hint no. 3"


def test_the_suggested_colours_say_which_point_they_are_for(qtbot, win):
    """They are for the hint last added or selected (or the point sampled), while the square's
    lightness follows the cursor: the row's title named no point ("Suggested here")."""
    row = win.panel.suggest_row
    assert title(row) == "Suggested colours" and "Add or select a hint" in row.toolTip()
    click(win.gray_view, (100, 100))
    click(win.gray_view, (200, 150))
    wait_idle(qtbot, win)
    assert title(row) == "Suggested for hint no. 2" and row.colors
    assert "hint no. 2 (x 200, y 150, L " in row.toolTip()
    send(win.gray_view, QEvent.Type.MouseMove, (30, 30), buttons=Qt.MouseButton.NoButton)
    assert title(row) == "Suggested for hint no. 2"       # the cursor is not the point
    click(win.gray_view, (100, 100))                            # selects hint 1
    assert win.tool.selected == 0 and title(row) == "Suggested for hint no. 1"
    click(win.result_view, (250, 50), mods=Qt.KeyboardModifier.AltModifier)   # eyedropper
    assert title(row) == "Suggested at the sampled point"
    assert "(x 250, y 50, L " in row.toolTip()
    win.tool.clear()
    assert title(row) == "Suggested colours" and row.colors == []     # no hint left to be for
    win.tool.undo()
    assert title(row) == "Suggested for hint no. 2"
    wait_idle(qtbot, win)


def test_zoom_steps_stop_at_the_limits_and_a_view_fitted_below_them_zooms_in(qtbot, win):
    from PySide6.QtGui import QTransform
    from colorizer_gui.canvas import MAX_ZOOM, MIN_ZOOM
    v = win.gray_view
    v.setTransform(QTransform.fromScale(MIN_ZOOM / 4, MIN_ZOOM / 4))    # a huge panorama, fitted
    v.zoom_by(0.8)
    assert v.zoom() == MIN_ZOOM / 4                  # no further out
    v.zoom_by(1.25)
    assert abs(v.zoom() - MIN_ZOOM / 4 * 1.25) < 1e-12     # but in, one wheel notch
    for _ in range(60):
        v.zoom_by(1.25)
    assert v.zoom() == MAX_ZOOM                      # landed on the limit, no drift past it
    for _ in range(70):
        v.zoom_by(0.8)
    assert v.zoom() == MIN_ZOOM


def test_the_hint_reach_is_an_undoable_edit_saved_and_exported_with_the_hints(qtbot, win, tmp_path,
                                                                             photo):
    win.controller.set_hint_reach("photo")                    # (the app starts in "region")
    click(win.gray_view, (60, 60))
    wait_idle(qtbot, win)
    photo_result = win.controller.last_result.rgb.copy()
    win.doc.history.set_clean()
    win.panel.region_reach_btn.click()
    assert win.doc.hint_reach == "region" and win.menus.reach_action.isChecked()
    assert win.doc.dirty and win.menus.undo_action.text() == "&Undo Hint reach"
    wait_idle(qtbot, win)
    hints = list(win.doc.hints)
    shown = win.controller.last_result
    l_shown = win.session.l_work if shown.kind == "preview" else display_lightness(win.session.l_full)
    assert np.array_equal(shown.rgb, win.session.render_on(l_shown, hints, "region"))
    assert not np.array_equal(win.controller.last_result.rgb, photo_result)
    out = tmp_path / "region.png"
    assert win.controller.export_to(out, confirm=False)       # at once, before any preview
    qtbot.waitUntil(out.exists, timeout=WAIT)
    wait_idle(qtbot, win)
    assert np.array_equal(np.asarray(Image.open(out)), win.session.render(hints, "region"))
    session = tmp_path / "photo.colorize.json"
    assert win.controller.write_session(session)
    win.doc.history.undo()
    assert win.doc.hint_reach == "photo" and win.panel.photo_reach_btn.isChecked()
    assert not win.menus.reach_action.isChecked()
    win.doc.history.set_clean()                               # (no question on replacing it)
    win.controller.open_session(session)                      # the session's reach comes back
    qtbot.waitUntil(lambda: win.doc.hint_reach == "region" and not win.doc.dirty, timeout=WAIT)
    assert win.panel.region_reach_btn.isChecked() and win.menus.reach_action.isChecked()
    wait_idle(qtbot, win)
    win.menus.reach_action.trigger()                          # the menu (R) sets it too
    assert win.doc.hint_reach == "photo" and win.panel.photo_reach_btn.isChecked()
    win.doc.history.set_clean()
    win.menus.reach_action.trigger()
    win.doc.history.set_clean()
    win.controller.open_path(photo)          # a photo without a session: the last choice
    qtbot.waitUntil(lambda: win.doc.hints == [], timeout=WAIT)
    assert win.doc.hint_reach == "region" and win.panel.region_reach_btn.isChecked()
    win.controller.set_hint_reach("photo")                    # (the next tests start as usual)
    wait_idle(qtbot, win)


def test_the_first_hint_tip_never_covers_the_zoom_percentage(qtbot, win):
    """The tip was centred on the whole view and ran under "107 %" (a walkthrough)."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QFontMetrics
    view = win.views.gray_view
    assert view.placeholder
    fm = QFontMetrics(view.overlay_font())
    for width in (260, 360, 540, 900):
        r = QRect(0, 0, width, 600)
        tip, zoom = view.tip_box(fm, r), view.zoom_box(fm, r)
        assert not tip.intersects(zoom), (width, tip, zoom)
        assert tip.left() >= 0 and tip.bottom() <= r.bottom()


def test_the_first_hint_tip_stays_small_in_a_narrow_view(qtbot, win):
    """In a window about 560 px wide the tip wrapped into a tall box over most of the photo
    (a walkthrough): it keeps to two lines ("…" for the rest) or is not shown, and a view wide
    enough still shows all of it."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QFontMetrics
    view = win.views.gray_view
    assert view.placeholder == FIRST_HINT_TEXT
    fm = QFontMetrics(view.overlay_font())
    two_lines = 2 * fm.lineSpacing() + 2 * 8 + 4                    # text and its margins
    win.resize(560, 600)
    qtbot.waitUntil(lambda: view.viewport().width() < 260, timeout=WAIT)
    sizes = [(w, h) for w in (60, 100, 130, 170, 200, 260, 360) for h in (120, 300, 600)]
    sizes.append((view.viewport().width(), view.viewport().height()))     # the real one
    for width, height in sizes:
        r = QRect(0, 0, width, height)
        tip, zoom = view.tip_box(fm, r), view.zoom_box(fm, r)
        if tip.isEmpty():
            continue                                                  # not shown: fine
        assert tip.height() <= two_lines, (width, height, tip)
        assert tip.height() <= 0.25 * height, (width, height, tip)
        assert r.contains(tip) and not tip.intersects(zoom), (width, height, tip, zoom)
    r = view.viewport().rect()                # in the narrow window it still says something
    box, lines = view.tip(fm, r)
    assert " ".join(lines).startswith("Click on the photo"), lines
    for width in (700, 900):                                        # a normal view: all of it
        box, lines = view.tip(fm, QRect(0, 0, width, 600))
        assert " ".join(lines) == FIRST_HINT_TEXT, (width, lines)


def test_a_slow_change_says_colouring_until_its_colours_arrive(qtbot, win, monkeypatch):
    """On a busy CPU a hint could take seconds with the last timing still shown (a
    walkthrough): the status bar says the new colours are coming."""
    wait_idle(qtbot, win)
    with monkeypatch.context() as m:          # (the fixture's answers to dialogs stay)
        m.setattr(win.controller, "idle", lambda: False)          # as if still computing
        win.doc.insert_hints(len(win.doc.hints), [Hint(20, 20, 4, (200, 40, 40))])
        assert win._slow.isActive()
        win._slow.timeout.emit()
        assert win.status_time.text() == "colouring…"
    qtbot.waitUntil(lambda: win.status_time.text().startswith("inference"), timeout=WAIT)
