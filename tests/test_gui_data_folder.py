"""The app's data folder: what an earlier version left in hint-colorizer/Hint Colorizer (an
autosave, retrained runs, the remembered model) is moved, found, offered and deleted without
losing work or stopping the app."""
import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QStatusBar

from net.hints import Hint
from net.session_file import Session, load_session, save_session

from colorizer_gui import app_settings
from colorizer_gui.main_window import MainWindow

from .test_gui import WAIT, photo, wait_idle  # noqa: F401


@pytest.fixture
def old(tmp_path, monkeypatch):
    """An empty data folder of its own; returns the earlier versions' folder inside it."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("APPDATA", raising=False)
    return app_settings.legacy_data_dirs()[0]


def autosave(path: Path, photo: Path, n: int) -> None:
    save_session(path, Session(image=str(photo), hints=[Hint(10 + 20 * i, 30, 6, (200, 30, 30))
                                                       for i in range(n)]))


def refuse_to_move(monkeypatch, path: Path) -> None:
    """``path`` cannot move (as onto another drive, where a rename fails and so may a copy)."""
    for mod, name in ((shutil, "move"), (os, "replace")):
        real = getattr(mod, name)

        def refuse(src, dst, *a, real=real, **k):
            if Path(src) == path:
                raise OSError(18, "Invalid cross-device link", str(src))
            return real(src, dst, *a, **k)
        monkeypatch.setattr(mod, name, refuse)


def start(qtbot, monkeypatch, model, restore: bool, startup: Path | None = None) -> MainWindow:
    """A window as the app starts it; "Restore unsaved work?" is answered ``restore``."""
    answer = QMessageBox.StandardButton.Yes if restore else QMessageBox.StandardButton.No
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: answer)
    w = MainWindow(model=model, device="cpu", ask_restore=True)
    qtbot.addWidget(w)
    w.set_startup_path(startup)
    w.show()
    qtbot.waitUntil(lambda: w.colorizer is not None, timeout=WAIT)
    return w


def close(qtbot, w):
    wait_idle(qtbot, w)
    w.doc.history.set_clean()         # nothing to ask: the work is discarded
    w.close()


def test_the_remembered_model_follows_its_run_to_the_new_folder(qtbot, old, local_weights,
                                                                  monkeypatch):
    run = old / "runs" / "hnet-mine"
    run.mkdir(parents=True)
    shutil.copy(local_weights, run / "model.safetensors")
    shutil.copy(local_weights.with_suffix(".json"), run / "model.json")
    app_settings.settings().setValue("model", str(run / "model.safetensors"))
    errors = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: errors.append(a[2]))
    w = start(qtbot, monkeypatch, None, restore=False)
    moved = app_settings.runs_dir() / "hnet-mine" / "model.safetensors"
    assert not run.exists() and moved.is_file()
    assert errors == [] and w.colorizer.path == moved
    assert app_settings.settings().value("model") == str(moved)
    close(qtbot, w)


def test_with_an_autosave_in_both_folders_each_is_offered_in_turn(qtbot, old, local_weights,
                                                                  photo, monkeypatch):
    """The rule: the autosave in the data folder is offered first (the old one cannot move
    onto it and stays); once that work is saved or discarded, the next start moves and offers
    the old one. Nothing is lost or overwritten."""
    autosave(app_settings.autosave_path(), photo, 1)
    autosave(old / "autosave.colorize.json", photo, 2)
    w = start(qtbot, monkeypatch, str(local_weights), restore=True)
    qtbot.waitUntil(lambda: len(w.doc.hints) == 1, timeout=WAIT)
    assert len(load_session(old / "autosave.colorize.json").hints) == 2    # still there
    close(qtbot, w)
    assert not app_settings.autosave_path().exists()
    w = start(qtbot, monkeypatch, str(local_weights), restore=True)
    qtbot.waitUntil(lambda: len(w.doc.hints) == 2, timeout=WAIT)
    assert not (old / "autosave.colorize.json").exists()
    close(qtbot, w)
    assert app_settings.pending_autosave() is None


def test_an_old_autosave_that_cannot_move_is_deleted_once_declined(qtbot, old, local_weights,
                                                                   photo, monkeypatch):
    stuck = old / "autosave.colorize.json"
    autosave(stuck, photo, 2)
    refuse_to_move(monkeypatch, stuck)
    real_unlink = Path.unlink

    def unlink(p, missing_ok=False):                  # the first try to delete it fails
        if p == stuck and not getattr(unlink, "failed", False):
            unlink.failed = True
            raise PermissionError(13, "Permission denied")
        real_unlink(p, missing_ok=missing_ok)
    monkeypatch.setattr(Path, "unlink", unlink)
    shown = []
    real_show = QStatusBar.showMessage
    monkeypatch.setattr(QStatusBar, "showMessage", lambda bar, text, ms=0: shown.append(text) or
                        real_show(bar, text, ms))
    w = start(qtbot, monkeypatch, str(local_weights), restore=False, startup=photo)
    qtbot.waitUntil(lambda: w.doc.path == photo, timeout=WAIT)      # the photo still opens
    assert stuck.exists() and any("could not be deleted" in t for t in shown)
    close(qtbot, w)
    w = start(qtbot, monkeypatch, str(local_weights), restore=False, startup=photo)
    qtbot.waitUntil(lambda: w.doc.path == photo, timeout=WAIT)
    assert not stuck.exists() and app_settings.pending_autosave() is None
    close(qtbot, w)


def test_work_restored_from_an_old_autosave_that_cannot_move_is_deleted_once_saved(
        qtbot, old, local_weights, photo, tmp_path, monkeypatch):
    stuck = old / "autosave.colorize.json"
    autosave(stuck, photo, 2)
    refuse_to_move(monkeypatch, stuck)
    w = start(qtbot, monkeypatch, str(local_weights), restore=True)
    qtbot.waitUntil(lambda: len(w.doc.hints) == 2, timeout=WAIT)
    assert w.controller.write_session(tmp_path / "kept.colorize.json")
    assert not stuck.exists() and app_settings.pending_autosave() is None
    close(qtbot, w)


def test_an_unreadable_old_folder_does_not_stop_the_app(qtbot, old, local_weights, photo,
                                                        monkeypatch):
    (old / "runs" / "hnet-old").mkdir(parents=True)
    real_iterdir = Path.iterdir

    def iterdir(p):
        if p == old / "runs":
            raise PermissionError(13, "Permission denied", str(p))
        return real_iterdir(p)
    monkeypatch.setattr(Path, "iterdir", iterdir)
    w = start(qtbot, monkeypatch, str(local_weights), restore=False, startup=photo)
    qtbot.waitUntil(lambda: w.doc.path == photo, timeout=WAIT)
    close(qtbot, w)
