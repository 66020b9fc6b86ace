"""A session opened on a photo that is not the one its hints were made for (a walkthrough:
a cropped scan, or the wrong file picked at "Locate it?", silently lost every hint at the
next Save), and a session whose photo was located elsewhere."""
from pathlib import Path

from PIL import Image
from PySide6.QtWidgets import QFileDialog, QMessageBox

from net.session_file import load_session

from .test_gui import WAIT, click, photo, wait_idle, win  # noqa: F401

YES, NO = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No


def saved_session(win, tmp_path) -> tuple[Path, list]:
    win.tool.set_color((220, 40, 40))
    click(win.gray_view, (60, 50))
    win.tool.set_color((30, 60, 220))
    win.tool.select(None)
    click(win.gray_view, (250, 170))
    session = tmp_path / "trip.colorize.json"
    assert win.controller.write_session(session)
    return session, list(win.doc.hints)


def answer(monkeypatch, reply):
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append((a[1], a[2])) or reply)
    return asked


def test_hints_that_do_not_fit_a_cropped_photo_are_never_saved_away(qtbot, win, tmp_path, photo,
                                                                     monkeypatch):
    session, hints = saved_session(win, tmp_path)
    assert win.windowTitle().startswith("photo.png (trip.colorize.json)")   # where Save writes
    before = session.read_text()
    Image.open(photo).crop((0, 0, 200, 150)).save(photo)       # cropped in another program
    win.tool.clear()

    # 1. Declined: nothing opens, the session file is untouched.
    asked = answer(monkeypatch, NO)
    win.controller.open_session(session)
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=WAIT)
    title, text = asked[0]
    assert title == "The session's hints do not fit this photo"
    assert "hint no. 2 lies at x 250, y 170, outside the 200x150 photo" in text
    assert "cropped or resized" in text and "trip.colorize.json stays as it is" in text
    wait_idle(qtbot, win)
    assert win.doc.hints == [] and win.doc.session_path == session    # what was open stays

    # 2. Accepted: the photo opens alone, tied to no session, so Save asks where to write.
    asked = answer(monkeypatch, YES)
    win.controller.open_session(session)
    qtbot.waitUntil(lambda: win.doc.session_path is None and win.doc.rgb.shape[:2] == (150, 200),
                    timeout=WAIT)
    assert len(asked) == 1 and win.doc.hints == []
    assert win.windowTitle().startswith("photo.png[*]")                    # tied to no session
    where = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: where.append(a) or ("", ""))
    click(win.gray_view, (20, 20))
    win.controller.save()
    assert len(where) == 1                                  # asked for a file name; cancelled
    assert session.read_text() == before and load_session(session).hints == hints
    wait_idle(qtbot, win)


def test_another_photo_of_the_same_size_is_asked_about_before_the_hints_go_on_it(
        qtbot, win, tmp_path, photo, monkeypatch):
    session, hints = saved_session(win, tmp_path)
    Image.open(photo).transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(photo)   # same size
    win.tool.clear()
    asked = answer(monkeypatch, NO)
    win.controller.open_session(session)
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=WAIT)
    title, text = asked[0]
    assert title == "Not the photo the session was saved with"
    assert "photo.png is not the file trip.colorize.json was saved with" in text
    assert "with the session's 2 hints" in text
    wait_idle(qtbot, win)
    assert win.doc.hints == []

    shown = []
    win.controller.message.connect(lambda t, _ms: shown.append(t))
    answer(monkeypatch, YES)
    win.controller.open_session(session)
    qtbot.waitUntil(lambda: win.doc.hints == hints, timeout=WAIT)
    assert any("is not the file the session was saved with" in t for t in shown)
    wait_idle(qtbot, win)


def test_a_located_photo_makes_the_session_unsaved_and_save_records_its_place(
        qtbot, win, tmp_path, photo, monkeypatch):
    session, hints = saved_session(win, tmp_path)
    moved = tmp_path / "elsewhere" / "photo.png"
    moved.parent.mkdir()
    photo.rename(moved)
    win.tool.clear()
    answer(monkeypatch, YES)                                   # "Locate it?"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(moved), ""))
    win.controller.open_session(session)
    qtbot.waitUntil(lambda: win.doc.path == moved and win.doc.hints == hints, timeout=WAIT)
    assert win.doc.session_path == session and win.doc.dirty and "*" in win.windowTitle()
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (_ for _ in ()).throw(AssertionError("asked for a name")))
    assert win.controller.save()
    assert load_session(session).image == "elsewhere/photo.png" and not win.doc.dirty
    wait_idle(qtbot, win)


def test_restored_work_that_does_not_fit_is_set_aside_not_deleted(qtbot, win, photo, tmp_path,
                                                                   monkeypatch):
    """A review: "Open alone" on a crash's work whose photo was cropped left the autosave to
    be overwritten by this run's next autosave, or deleted when the window closed."""
    from colorizer_gui.app_settings import autosave_path, data_dir
    saved_session(win, tmp_path)
    win.tool.set_color((40, 200, 40))
    click(win.gray_view, (270, 180))                      # unsaved work
    win.controller.autosave()
    crashed = autosave_path()
    hints = load_session(crashed).hints
    assert len(hints) == 3
    win.doc.history.set_clean()
    Image.open(photo).crop((0, 0, 200, 150)).save(photo)
    asked = answer(monkeypatch, YES)
    win.controller.restore_autosave(crashed)
    qtbot.waitUntil(lambda: win.doc.rgb.shape[:2] == (150, 200), timeout=WAIT)
    kept = list(data_dir().glob("recovered-*.colorize.json"))
    assert len(kept) == 1 and load_session(kept[0]).hints == hints
    assert f"The restored work is kept in {kept[0]}" in asked[0][1]
    assert win.doc.hints == [] and win.doc.session_path is None
    click(win.gray_view, (20, 20))
    win.controller.autosave()                             # this run's autosave goes on
    win.controller.stop()                                 # and is dropped at a close
    assert load_session(kept[0]).hints == hints           # the crash's work is still there
