"""Issue 13: the defects a new user's walk through the app found, each reproduced through the
window (keys, clicks and wheel notches as the user makes them)."""
import os
import shutil
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QStandardPaths, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox

from net.hints import Hint
from net.session_file import Session, load_session, save_session

from colorizer_gui.prompts import CANCEL

from .test_gui import WAIT, click, photo, send, wait_idle, wheel_at, win  # noqa: F401

Loc = QStandardPaths.StandardLocation


def key(win, k, mods=Qt.KeyboardModifier.NoModifier):
    """A key press in the active window (menu shortcuts only reach an active window)."""
    win.activateWindow()
    QTest.qWaitForWindowActive(win)
    QTest.keyClick(win.gray_view, k, mods)


def move_hint(view, start, end):
    send(view, QEvent.Type.MouseButtonPress, start)
    send(view, QEvent.Type.MouseMove, end)
    send(view, QEvent.Type.MouseButtonRelease, end, buttons=Qt.MouseButton.NoButton)


# 1 ------------------------------------------------------------------------------------------
def test_esc_deselects_so_a_colour_picked_next_only_sets_the_brush(qtbot, win):
    click(win.gray_view, (100, 100))
    move_hint(win.gray_view, (100, 100), (130, 110))    # a moved hint stays selected
    assert win.tool.selected == 0
    moved = win.doc.hints[0]
    key(win, Qt.Key.Key_Escape)
    assert win.tool.selected is None and win.gray_view.selected is None
    assert win.panel.hint_list.list.currentRow() == -1
    win.panel.colorPicked.emit((30, 60, 220))           # meant for the next hint
    assert win.doc.hints[0] == moved and win.tool.color == (30, 60, 220)
    click(win.gray_view, (220, 60))
    assert win.doc.hints[1].rgb == (30, 60, 220) and win.tool.selected is None
    wait_idle(qtbot, win)


def test_a_click_on_empty_list_space_or_beside_the_photo_deselects(qtbot, win):
    click(win.gray_view, (100, 100))
    click(win.gray_view, (200, 150))
    lst = win.panel.hint_list.list
    lst.setCurrentRow(0)
    assert win.tool.selected == 0
    empty = QPoint(lst.viewport().width() // 2, lst.viewport().height() - 4)
    assert lst.itemAt(empty) is None
    QTest.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, empty)
    assert win.tool.selected is None and lst.currentRow() == -1
    win.tool.select(1)
    win.views.fit()
    QApplication.processEvents()
    click(win.gray_view, (150, -8))                     # the gray margin above the photo
    assert win.tool.selected is None and len(win.doc.hints) == 2
    wait_idle(qtbot, win)


def test_undo_and_redo_deselect_so_a_colour_never_recolours_another_hint(qtbot, win):
    for x in (60, 140, 220):                            # R, G, B
        click(win.gray_view, (x, 100))
    win.tool.select(1)
    key(win, Qt.Key.Key_Delete)                         # G removed
    win.tool.select(1)                                  # B
    for undo_redo in (Qt.Key.Key_Z, Qt.Key.Key_Y):      # G back at index 1; removed again
        key(win, undo_redo, Qt.KeyboardModifier.ControlModifier)
        assert win.tool.selected is None and win.panel.hint_list.list.currentRow() == -1
        before = list(win.doc.hints)
        win.panel.colorPicked.emit((30, 200, 30))       # only the brush
        assert win.doc.hints == before
        win.tool.select(len(win.doc.hints) - 1)
    wait_idle(qtbot, win)


# 2 ------------------------------------------------------------------------------------------
def test_the_wheel_zooms_toward_the_point_under_the_cursor(qtbot, win):
    v = win.gray_view
    win.views.actual_size()
    win.views.zoom_by(3.0)
    QApplication.processEvents()
    pos = QPointF(v.viewport().width() * 0.25, v.viewport().height() * 0.3)
    under = v.mapToScene(pos.toPoint())
    z0 = v.zoom()
    for _ in range(2):
        wheel_at(v, pos, 120)
    assert abs(v.zoom() - z0 * 1.25 ** 2) < 1e-6
    after = v.mapToScene(pos.toPoint())
    tolerance = 3 / v.zoom()                            # three screen pixels
    assert abs(after.x() - under.x()) < tolerance and abs(after.y() - under.y()) < tolerance
    assert abs(win.result_view.zoom() - v.zoom()) < 1e-9


def test_the_cursor_position_and_brush_follow_a_zoom_without_a_mouse_move(qtbot, win):
    v = win.gray_view
    pos = v.mapFromScene(QPointF(60, 50))
    send(v, QEvent.Type.MouseMove, (60, 50), buttons=Qt.MouseButton.NoButton)
    win.views.zoom_by(2.0)                              # Ctrl++: zooms about the view's centre
    QApplication.processEvents()
    p = v.mapToScene(pos)
    assert abs(p.x() - 60) > 5                          # another image point is under the cursor now
    assert win.status_pos.text().startswith(f"x {int(p.x())}  y {int(p.y())}  L ")
    assert abs(v._cursor_pos.x() - p.x()) < 1 and abs(v._cursor_pos.y() - p.y()) < 1


# 3 ------------------------------------------------------------------------------------------
def test_retrain_refuses_an_empty_folder_field(qtbot, local_weights, tmp_path, monkeypatch):
    from colorizer_gui import app_settings, retrain_dialog
    monkeypatch.setattr(app_settings, "runs_dir", lambda: tmp_path / "runs")
    dlg = retrain_dialog.RetrainDialog(str(local_weights))
    qtbot.addWidget(dlg)
    monkeypatch.setattr(dlg, "command", lambda out: ["-c", "pass"])    # never a real training
    for text in ("", "   "):
        dlg.folder.setText(text)
        dlg.start()
        assert dlg.proc is None and not dlg.start_btn.isEnabled()   # until a folder of photos
        assert "Choose the folder" in dlg.status.text()


# 4 ------------------------------------------------------------------------------------------
def test_save_and_export_suggest_a_writable_folder_not_the_install_folder(qtbot, win, photo,
                                                                          monkeypatch):
    from colorizer_gui.app_settings import pictures_dir
    from net.assets import sample_photo
    starts = []
    monkeypatch.setattr(win.prompts, "save_file",
                        lambda title, start, flt, **k: starts.append(Path(start)) or None)
    monkeypatch.setattr(win.prompts, "export_file",
                        lambda title, start, flt, selected: starts.append(Path(start)) or None)

    def suggested():
        starts.clear()
        win.controller.save_as()
        win.choose_export()
        return [s.parent for s in starts]

    assert suggested() == [photo.parent] * 2            # a photo of the user's: next to it
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **k: False if Path(p) == photo.parent
                        else real_access(p, mode, **k))
    assert suggested() == [pictures_dir()] * 2        # a folder the user cannot write to
    win.controller.open_path(sample_photo())
    qtbot.waitUntil(lambda: win.doc.path == sample_photo(), timeout=WAIT)
    wait_idle(qtbot, win)
    assert suggested() == [pictures_dir()] * 2        # the bundled sample (installed, read-only)
    win.settings.setValue("exportDir", str(photo.parent / "out"))   # after an export there
    assert suggested() == [pictures_dir(), photo.parent / "out"]    # export only: its last folder


def test_open_starts_in_the_users_last_folder_not_the_install_folder(qtbot, win, photo,
                                                                     monkeypatch):
    """File > Open (photo or session) starts where the user's last photo was; opening the
    bundled sample does not move it into the install folder (nor the sample into Open recent); with no photo of the user's yet
    (or its folder gone), it starts in Pictures."""
    from colorizer_gui.app_settings import pictures_dir
    from net.assets import sample_photo
    starts = []
    monkeypatch.setattr(win.prompts, "open_file",
                        lambda title, start, flt: starts.append(Path(start)) or None)

    def suggested():
        starts.clear()
        win.choose_image()
        win.choose_session()
        return starts

    assert suggested() == [photo.parent] * 2            # the fixture opened the user's photo
    win.controller.open_path(sample_photo())
    qtbot.waitUntil(lambda: win.doc.path == sample_photo(), timeout=WAIT)
    wait_idle(qtbot, win)
    assert suggested() == [photo.parent] * 2
    from colorizer_gui.app_settings import recent_files     # nor to the top of Open recent
    assert recent_files(win.settings) == [str(photo)]
    win.settings.remove("lastDir")
    assert suggested() == [pictures_dir()] * 2
    win.settings.setValue("lastDir", str(photo.parent / "gone"))
    assert suggested() == [pictures_dir()] * 2
    win.settings.setValue("lastDir", str(sample_photo().parent))   # as earlier versions stored it
    assert suggested() == [pictures_dir()] * 2


def test_open_session_starts_where_sessions_were_last_saved_or_opened(qtbot, win, photo,
                                                                     tmp_path, monkeypatch):
    """Sessions kept in their own folder: File > Open session starts there (File > Open a
    photo still starts at the photos); an autosave does not move it."""
    starts = []
    monkeypatch.setattr(win.prompts, "open_file",
                        lambda title, start, flt: starts.append((title, Path(start))) or None)
    sessions = tmp_path / "my sessions"
    sessions.mkdir()
    click(win.gray_view, (100, 100))
    assert win.controller.write_session(sessions / "trip.colorize.json")
    win.controller.autosave()
    win.choose_session()
    win.choose_image()
    assert starts == [("Open session", sessions), ("Open photo", photo.parent)]
    other = tmp_path / "older"
    other.mkdir()
    assert win.controller.write_session(other / "old.colorize.json")
    assert win.controller.open_session(sessions / "trip.colorize.json")
    qtbot.waitUntil(lambda: win.doc.session_path == sessions / "trip.colorize.json",
                    timeout=WAIT)
    wait_idle(qtbot, win)
    starts.clear()
    win.choose_session()
    assert starts == [("Open session", sessions)]      # the session opened last


def test_the_status_bar_says_what_an_open_brought_back(qtbot, win, photo, tmp_path,
                                                      monkeypatch):
    """Reopening a session, or restoring after a crash, said only "Opened photo.png: WxH"."""
    click(win.gray_view, (100, 100))
    session = tmp_path / "trip.colorize.json"
    assert win.controller.write_session(session)
    assert win.controller.open_session(session)
    qtbot.waitUntil(lambda: "Opened session" in win.statusBar().currentMessage(), timeout=WAIT)
    assert win.statusBar().currentMessage().startswith(
        f"Opened session trip.colorize.json: {photo.name}, ") and "1 hint" in \
        win.statusBar().currentMessage()
    wait_idle(qtbot, win)
    click(win.gray_view, (200, 60))
    win.controller.autosave()
    asked = []                                                      # "Restore unsaved work?"
    monkeypatch.setattr(win.prompts, "yes_no", lambda title, text: asked.append(text) or True)
    monkeypatch.setattr(win.prompts, "save_changes", lambda *a: "discard")
    win.ask_restore = True
    win._after_start()
    qtbot.waitUntil(lambda: "Restored unsaved work" in win.statusBar().currentMessage(),
                    timeout=WAIT)
    assert "2 hints, not saved yet" in win.statusBar().currentMessage()
    # The question says what would come back (a walkthrough: it named no photo).
    assert f": 2 hints on {photo.name}, autosaved at " in asked[0], asked


def test_after_a_crash_restore_save_writes_to_the_sessions_own_file(qtbot, win, tmp_path,
                                                                    monkeypatch):
    click(win.gray_view, (100, 100))
    session = tmp_path / "trip.colorize.json"
    assert win.controller.write_session(session)
    click(win.gray_view, (200, 60))                     # unsaved work, then the app dies
    win.controller.autosave()
    monkeypatch.setattr(win.prompts, "yes_no", lambda *a: True)     # "Restore unsaved work?"
    win.ask_restore = True
    win._after_start()
    qtbot.waitUntil(lambda: win.doc.history.count() == 0 and len(win.doc.hints) == 2, timeout=WAIT)
    wait_idle(qtbot, win)
    assert win.doc.dirty
    asked = []
    monkeypatch.setattr(win.prompts, "save_file", lambda *a: asked.append(a) or None)
    assert win.controller.save()
    assert asked == [] and len(load_session(session).hints) == 2 and not win.doc.dirty


# 5 ------------------------------------------------------------------------------------------
def test_a_bad_file_is_refused_before_any_question_about_unsaved_hints(qtbot, win, tmp_path,
                                                                      gray_photo, monkeypatch):
    click(win.gray_view, (100, 100))
    asked, errors = [], []
    monkeypatch.setattr(win.prompts, "save_changes", lambda action: asked.append(action) or CANCEL)
    monkeypatch.setattr(win.prompts, "error", lambda title, msg: errors.append(msg))
    bad = tmp_path / "bad.jpg"
    bad.write_text("not an image")
    win.controller.open_path(bad)
    qtbot.waitUntil(lambda: bool(errors or asked), timeout=WAIT)
    assert asked == [] and "not an image" in errors[0]
    assert win.doc.path.name == "photo.png" and len(win.doc.hints) == 1 and win.doc.dirty
    good = tmp_path / "good.png"                        # a photo that opens: now it asks
    Image.fromarray(gray_photo).resize((120, 80)).save(good)
    win.controller.open_path(good)
    qtbot.waitUntil(lambda: bool(asked) and win.controller.idle(), timeout=WAIT)
    assert asked == ["opening good.png"] and len(errors) == 1
    assert win.doc.path.name == "photo.png" and len(win.doc.hints) == 1   # cancelled: kept


# 6 ------------------------------------------------------------------------------------------
def shown_part(widget, win) -> QRect:
    """The part of ``widget`` that is on screen in the window (clipped by every parent)."""
    r = QRect(widget.mapTo(win, QPoint(0, 0)), widget.size())
    w = widget.parentWidget()
    while w is not None and w is not win:
        r &= QRect(w.mapTo(win, QPoint(0, 0)), w.size())
        w = w.parentWidget()
    return r


def test_every_control_of_the_colour_panel_is_reachable_in_a_small_window(qtbot, win):
    from PySide6.QtWidgets import QScrollArea
    win.resize(700, 450)
    QApplication.processEvents()
    assert (win.width(), win.height()) == (700, 450)
    panel = win.panel
    status_top = win.statusBar().geometry().top()
    for w in (panel.photo_reach_btn, panel.region_reach_btn, panel.suggest_row, panel.hint_label,
              panel.hint_list.list, panel.hint_list.delete_btn):
        area = w.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        if area is not None:
            area.ensureWidgetVisible(w, 0, 0)           # the user scrolls to it
            QApplication.processEvents()
        shown = shown_part(w, win)
        assert shown.size() == w.size() and w.height() >= w.minimumSizeHint().height(), w
        assert shown.bottom() < status_top, w           # nothing under the status bar
    panel.set_hint_count(12, 11)                        # the longest text: wraps, not cut off
    QApplication.processEvents()
    label = panel.hint_label
    assert label.wordWrap() and label.heightForWidth(label.width()) <= label.height()


# 7 ------------------------------------------------------------------------------------------
def test_the_title_marks_unsaved_changes(qtbot, win, tmp_path):
    assert "[*]" in win.windowTitle() and not win.isWindowModified()
    click(win.gray_view, (100, 100))
    assert win.isWindowModified()
    assert win.controller.write_session(tmp_path / "s.colorize.json")
    assert not win.isWindowModified()
    win.doc.history.undo()
    assert win.isWindowModified()
    win.doc.history.redo()
    assert not win.isWindowModified()
    click(win.gray_view, (200, 150))                     # a hint added...
    assert win.isWindowModified() and len(win.doc.hints) == 2
    click(win.gray_view, (200, 150))                     # ...selected and deleted: as saved
    QTest.keyClick(win.gray_view.viewport(), Qt.Key.Key_Delete)
    assert len(win.doc.hints) == 1 and not win.isWindowModified()
    wait_idle(qtbot, win)


def test_about_names_the_version_and_the_model_in_use(win, monkeypatch):
    from net.version import __version__
    shown = []
    monkeypatch.setattr(QMessageBox, "about", lambda parent, title, text: shown.append(text))
    about = [a for m in win.menuBar().findChildren(QMenu) for a in m.actions()
             if a.text().replace("&", "") == "About Hint Colorizer"]
    assert len(about) == 1
    about[0].trigger()
    assert __version__ in shown[0] and win.colorizer.name in shown[0]


def test_ctrl_equals_zooms_in_like_ctrl_plus(qtbot, win):
    z = win.gray_view.zoom()
    key(win, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert abs(win.gray_view.zoom() - 1.25 * z) < 1e-9


# 8 ------------------------------------------------------------------------------------------
def test_one_data_folder_and_work_left_in_the_old_nested_one_is_found(qtbot, local_weights, photo,
                                                                      monkeypatch):
    from colorizer_gui import app_settings
    from colorizer_gui.main_window import MainWindow
    base = Path(QStandardPaths.writableLocation(Loc.GenericDataLocation))
    old = base / "hint-colorizer" / "Hint Colorizer"     # where earlier versions kept it
    run = old / "runs" / "hnet-old"
    run.mkdir(parents=True)
    shutil.copy(local_weights, run / "model.safetensors")
    shutil.copy(local_weights.with_suffix(".json"), run / "model.json")
    save_session(old / "autosave.colorize.json",
                 Session(image=str(photo), hints=[Hint(40, 30, 6, (200, 30, 30))]))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    w = MainWindow(model=str(local_weights), device="cpu", ask_restore=True)
    qtbot.addWidget(w)
    w.show()
    try:
        qtbot.waitUntil(lambda: w.doc.path == photo and len(w.doc.hints) == 1, timeout=WAIT)
        assert w.doc.dirty                              # restored work, not yet saved
        assert not (old / "autosave.colorize.json").exists()             # moved, not just found
        assert (app_settings.runs_dir() / "hnet-old" / "model.safetensors").is_file()
        assert not run.exists() and app_settings.runs_dir().parent != old
        assert any(p.parent.name == "hnet-old" for p in app_settings.retrained_models())
        assert any("hnet-old" in a.text() for a in w.menus.model_menu.actions())
        wait_idle(qtbot, w)
    finally:
        w.doc.history.set_clean()
        w.close()
        shutil.rmtree(app_settings.data_dir() / "runs" / "hnet-old", ignore_errors=True)
        shutil.rmtree(run, ignore_errors=True)
