"""The desktop app, driven offscreen with pytest-qt."""
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from net import load_image
from net.color import rgb_to_l
from net.session_file import load_session

from colorizer_gui.commands import RemoveHints
from colorizer_gui.inference import Result

from colorizer_gui.main_window import MainWindow, autosave_path

WAIT = 60_000


@pytest.fixture
def photo(tmp_path, gray_photo) -> Path:
    p = tmp_path / "photo.png"
    Image.fromarray(gray_photo).resize((300, 200)).save(p)
    return p


@pytest.fixture
def win(qtbot, local_weights, photo, monkeypatch):
    # Dialogs would block an offscreen test: answer them.
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.No)
    w = new_window(qtbot, local_weights)
    w.controller.open_path(photo)
    qtbot.waitUntil(lambda: w.doc.rgb is not None and w.session is not None, timeout=WAIT)
    wait_idle(qtbot, w)
    yield w
    w.doc.history.set_clean()     # nothing to ask about when the window closes
    w.close()


def new_window(qtbot, weights, size=(1000, 600)):
    """A shown main window on these weights, once its model has loaded."""
    w = MainWindow(model=str(weights), device="cpu", ask_restore=False)
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitUntil(lambda: w.colorizer is not None, timeout=WAIT)
    return w


def wait_idle(qtbot, w):
    """Until the worker is idle and the newest request's result is on screen."""
    def done():
        QApplication.processEvents()
        return w.controller.idle()
    qtbot.waitUntil(done, timeout=WAIT)


def send(view, kind, img_xy, buttons=Qt.MouseButton.LeftButton, mods=Qt.KeyboardModifier.NoModifier):
    pos = QPointF(view.mapFromScene(QPointF(*img_xy)))
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
    ev = QMouseEvent(kind, pos, view.viewport().mapToGlobal(pos), button, buttons, mods)
    QApplication.sendEvent(view.viewport(), ev)


def drag(view, start, end_x, step=5):
    """Press at start, move right in steps to end_x on the same row, release there."""
    x, y = start
    send(view, QEvent.Type.MouseButtonPress, (x, y))
    for xi in range(x + step, end_x, step):
        send(view, QEvent.Type.MouseMove, (xi, y))
    send(view, QEvent.Type.MouseButtonRelease, (end_x, y), buttons=Qt.MouseButton.NoButton)


def wheel_at(view, pos: QPointF, dy: int):
    ev = QWheelEvent(pos, QPointF(view.viewport().mapToGlobal(pos.toPoint())), QPoint(0, 0),
                     QPoint(0, dy), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                     Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), ev)
    QApplication.processEvents()


def click(view, xy, mods=Qt.KeyboardModifier.NoModifier):
    send(view, QEvent.Type.MouseButtonPress, xy, mods=mods)
    send(view, QEvent.Type.MouseButtonRelease, xy, buttons=Qt.MouseButton.NoButton, mods=mods)


def shown_rgb(view, x, y):
    """The pixel a view shows at image point (x, y), read from its picture."""
    img = view.displayed_image()
    h, w = view.image_size
    c = img.pixelColor(min(img.width() - 1, int(x * img.width() / w)),
                       min(img.height() - 1, int(y * img.height() / h)))
    return (c.red(), c.green(), c.blue())


def expected_picture(win):
    """The colorization of the document's current hints, at the size it is shown."""
    ctl = win.controller
    reach = win.doc.hint_reach
    if ctl.last_result.kind == "preview":
        return ctl.session.preview(win.doc.hints, reach)
    return ctl.session.render_on(win.doc.photo.l_full, win.doc.hints, reach)


def test_opening_an_image(win, photo):
    assert win.doc.size == (200, 300) and win.doc.path == photo
    assert win.controller.last_result is not None        # the 0-hint colorization is shown
    assert "photo.png" in win.windowTitle()
    assert not win.doc.dirty and win.doc.photo_sha256 is not None


def test_click_adds_a_hint_that_reaches_the_model_and_the_screen(qtbot, win):
    win.tool.set_color((220, 30, 30))
    click(win.gray_view, (150, 100))
    assert len(win.doc.hints) == 1
    h = win.doc.hints[0]
    assert abs(h.x - 150) < 1.5 and abs(h.y - 100) < 1.5 and h.rgb == (220, 30, 30)
    assert win.doc.dirty
    wait_idle(qtbot, win)
    assert np.array_equal(win.controller.last_result.rgb, expected_picture(win))
    assert win.controller.last_latency_ms is not None


def test_undo_redo(qtbot, win):
    click(win.gray_view, (50, 50))
    click(win.gray_view, (120, 60))
    history = win.doc.history
    assert len(win.doc.hints) == 2
    history.undo()
    assert len(win.doc.hints) == 1
    history.redo()
    assert len(win.doc.hints) == 2
    win.tool.select(0)
    win.tool.set_color((10, 200, 10))                    # recolour is undoable too
    assert win.doc.hints[0].rgb == (10, 200, 10)
    history.undo()
    assert win.doc.hints[0].rgb != (10, 200, 10)
    assert win.menus.undo_action.isEnabled() and win.menus.redo_action.isEnabled()
    wait_idle(qtbot, win)


def test_a_drag_is_one_stroke_and_one_undo_step(qtbot, win):
    v = win.gray_view
    win.tool.set_radius(6)
    drag(v, (30, 100), 200)
    assert len(win.doc.hints) == 1 and win.doc.hints[0].kind == "stroke"
    assert len(win.doc.hints[0].points) > 10
    assert win.doc.history.count() == 1
    win.doc.history.undo()
    assert win.doc.hints == []
    wait_idle(qtbot, win)


def test_dragging_a_hint_moves_it_in_one_step(qtbot, win):
    click(win.gray_view, (100, 100))
    v = win.gray_view
    send(v, QEvent.Type.MouseButtonPress, (100, 100))
    for x in range(105, 160, 5):
        send(v, QEvent.Type.MouseMove, (x, 120))
    send(v, QEvent.Type.MouseButtonRelease, (155, 120), buttons=Qt.MouseButton.NoButton)
    assert len(win.doc.hints) == 1 and abs(win.doc.hints[0].x - 155) < 2
    assert win.doc.history.count() == 2
    win.doc.history.undo()
    assert abs(win.doc.hints[0].x - 100) < 2
    wait_idle(qtbot, win)


def test_session_save_and_load_round_trip(qtbot, win, tmp_path, photo):
    click(win.gray_view, (40, 40))
    win.tool.set_color((30, 60, 220))
    win.tool.select(None)
    click(win.gray_view, (200, 150))
    hints = list(win.doc.hints)
    path = tmp_path / "photo.colorize.json"
    assert win.controller.write_session(path)
    assert not win.doc.dirty and win.doc.session_path == path
    s = load_session(path)
    assert s.hints == hints and s.image == "photo.png"
    win.tool.clear()
    assert win.doc.hints == [] and win.doc.dirty
    win.controller.open_session(path)
    qtbot.waitUntil(lambda: win.doc.hints == hints, timeout=WAIT)
    assert win.doc.history.count() == 0 and not win.doc.dirty    # a fresh document
    wait_idle(qtbot, win)


def test_export_writes_a_file_of_the_original_size(qtbot, win, tmp_path, photo):
    click(win.gray_view, (150, 100))
    out = tmp_path / "out.png"
    assert win.controller.export_to(out, quality=95)
    qtbot.waitUntil(out.exists, timeout=WAIT)
    res = load_image(out).rgb
    orig = load_image(photo).rgb
    assert res.shape == orig.shape
    assert np.abs(rgb_to_l(res) - rgb_to_l(orig)).mean() < 0.5
    wait_idle(qtbot, win)


def test_export_never_overwrites_the_original_without_asking(qtbot, win, photo, monkeypatch):
    before = photo.read_bytes()
    asked = []
    monkeypatch.setattr(win.prompts, "confirm_overwrite_original", lambda name: asked.append(name))
    assert not win.controller.export_to(photo, quality=95)   # the answer is "no"
    assert asked == ["photo.png"] and not win.controller.worker.pending()   # nothing was queued
    assert photo.read_bytes() == before


def test_a_stale_result_does_not_overwrite_a_newer_one(qtbot, win):
    ctl = win.controller
    click(win.gray_view, (60, 60))
    wait_idle(qtbot, win)
    newest = ctl.last_result
    stale = np.zeros_like(newest.rgb)
    ctl.worker.resultReady.emit(Result(ctl.session, newest.generation - 1, stale, 1.0, "preview"))
    ctl.worker.resultReady.emit(Result(object(), newest.generation, stale, 1.0, "preview"))
    assert ctl.last_result is newest                      # older, and made for another session
    # Many requests in a burst: the picture on screen ends as the newest hints' picture.
    for x in range(20, 280, 20):
        click(win.gray_view, (x, 150))
    wait_idle(qtbot, win)
    assert len(win.doc.hints) == 14
    assert np.array_equal(ctl.last_result.rgb, expected_picture(win))


def test_unreadable_image_gives_a_message_and_keeps_the_app_usable(qtbot, win, tmp_path, monkeypatch):
    messages = []
    monkeypatch.setattr(win.prompts, "error", lambda title, msg: messages.append(msg))
    bad = tmp_path / "bad.jpg"
    bad.write_text("not an image")
    win.controller.open_path(bad)
    qtbot.waitUntil(lambda: bool(messages), timeout=WAIT)
    assert "bad.jpg" in messages[0]
    assert win.doc.size == (200, 300)                    # the previous photo is still open
    click(win.gray_view, (100, 100))
    assert len(win.doc.hints) == 1
    wait_idle(qtbot, win)


def test_autosave_writes_unsaved_hints_only(qtbot, win):
    autosave_path().unlink(missing_ok=True)
    win.controller.autosave()
    assert not autosave_path().exists()                   # nothing unsaved: nothing written
    click(win.gray_view, (100, 100))
    win.controller.autosave()
    s = load_session(autosave_path())
    assert len(s.hints) == 1
    win.doc.history.push(RemoveHints(win.doc, [0]))      # deleted again: as saved, nothing to
    win.controller.autosave()                             # recover after a crash
    assert not autosave_path().exists()
    wait_idle(qtbot, win)


def test_eyedropper_from_the_result(qtbot, win):
    click(win.gray_view, (100, 100))
    wait_idle(qtbot, win)
    click(win.result_view, (250, 50), mods=Qt.KeyboardModifier.AltModifier)
    assert len(win.doc.hints) == 1                       # Alt+click samples, adds nothing
    near = {shown_rgb(win.result_view, 250 + dx, 50 + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)}
    assert win.tool.color in near                        # the colour the user sees there


def test_colour_rows_reuse_their_chips(win, qtbot):
    """Painting many hints in new colours must not pile up widgets (it slowed every repaint)."""
    from PySide6.QtWidgets import QToolButton
    for i in range(60):                  # (colours that look different: none replaces another)
        win.tool.set_color((4 * i, 255 - 4 * i, 80 * (i % 4)))
        win.tool.add_hint(10 + 4 * i, 50)
    QApplication.processEvents()   # no deferred deletes are needed for the rows to stay small
    row = win.panel.recent_row
    chips = row.findChildren(QToolButton)
    assert len(chips) <= 12
    visible = [b for b in chips if b.isVisible()]
    assert len(visible) == len(row.colors) == 12
    assert row.colors[0] == (4 * 59, 255 - 4 * 59, 80 * (59 % 4))
    picked = []
    row.colorPicked.connect(picked.append)
    second = row.colors[1]
    before = list(row.colors)
    qtbot.mouseClick(visible[1], Qt.MouseButton.LeftButton)
    assert picked == [second] and win.tool.color == second
    assert row.colors == before                   # a re-used colour keeps its place in the row
    row.set_colors([(1, 2, 3)])
    assert [b.isVisible() for b in chips].count(True) == 1


def test_session_whose_photo_moved_offers_to_locate_it(qtbot, win, tmp_path, photo, monkeypatch):
    from PySide6.QtWidgets import QFileDialog
    win.tool.set_color((220, 40, 40))
    click(win.gray_view, (60, 50))
    hints = list(win.doc.hints)
    session = tmp_path / "trip.colorize.json"
    assert win.controller.write_session(session)
    moved = tmp_path / "elsewhere" / "renamed.png"
    moved.parent.mkdir()
    photo.rename(moved)
    win.tool.clear()
    asked, warnings = [], []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))

    # 1. The user declines: nothing changes, no message box storm, the app stays usable.
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No)
    win.controller.open_session(session)
    assert len(asked) == 1 and "photo.png" in asked[0] and "Locate" in asked[0]
    assert win.doc.hints == [] and warnings == []

    # 2. The user points at a file that is not a photo: one sentence, the old photo stays open.
    junk = tmp_path / "notes.png"
    junk.write_text("not a picture")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(junk), ""))
    win.controller.open_session(session)
    qtbot.waitUntil(lambda: len(warnings) == 1, timeout=WAIT)
    assert "not an image" in warnings[0] and "\n" not in warnings[0].strip()
    assert win.doc.path == photo and win.doc.rgb is not None     # what was open stays open

    # 3. The user locates the moved photo: it opens with the session's hints.
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(moved), ""))
    win.controller.open_session(session)
    qtbot.waitUntil(lambda: win.doc.path == moved and win.doc.hints == hints, timeout=WAIT)
    wait_idle(qtbot, win)
    assert win.controller.last_result is not None and len(warnings) == 1


def test_responsiveness_benchmark_runs_and_ends_on_the_final_hints():
    """`python3 -m colorizer_gui.benchmark` (README numbers) with the bundled model, shortened."""
    import subprocess
    import sys
    r = subprocess.run([sys.executable, "-m", "colorizer_gui.benchmark", "--edits", "40",
                        "--clicks", "3", "--interval-ms", "5", "--export-mp", "1"],
                       cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr
    assert "UI thread blocked (heartbeat gap)" in r.stdout and "click to screen (3 single hints)" in r.stdout
    assert "final picture equals the final hints' preview: True" in r.stdout
    assert "export 1154x865 PNG, command to file written:" in r.stdout and "NO FILE" not in r.stdout
