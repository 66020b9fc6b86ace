"""Model > Manage retrained models: the user's retrained models listed with what each was
trained on, to use, rename, show in their folder or delete (to the trash).

A retrained model is its run folder in the app's data folder (``runs/NAME/model.safetensors``,
named after the photos' folder and the time: :func:`retrain_texts.run_name`); its name is the
folder's, so renaming renames the folder. Sessions made with a renamed model still find it by
its weights (:func:`app_settings.session_model_file`).
"""
from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QFile, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout)

from net.assets import model_name
from net.retraining import CKPT_NAME, read_held_out, run_options, stopped_runs_from

from . import app_settings
from .prompts import Prompts
from .retrain_texts import last_step

NAME_MAX = 80            # characters of a model name (a folder name on every platform)
NAME_BYTES = 240         # and its bytes in UTF-8 (file systems count bytes: ext4 allows 255)
BAD_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')   # characters no folder name may hold everywhere
RESERVED = re.compile(r"(con|prn|aux|nul|com\d|lpt\d)(\..*)?", re.IGNORECASE)   # Windows's own


def describe_run(model: Path) -> str:
    """One line on a retrained model: when it was written, on which photos, how long."""
    try:
        written = time.strftime("%Y-%m-%d %H:%M", time.localtime(model.stat().st_mtime))
    except OSError:
        written = "date unknown"
    options = run_options(model.parent) or {}
    data = options.get("data")
    folders = [Path(str(d)).name for d in (data if isinstance(data, list) else [])]
    steps = options.get("steps")
    parts = [written]
    if folders:
        parts.append("on " + ", ".join(folders))
    if isinstance(steps, int):
        parts.append(f"{steps} steps")
    scores = read_held_out(model.parent)
    if scores is not None:
        init = options.get("init")
        parts.append(scores.brief(model_name(str(init)) if init else None))
    return " · ".join(parts)


def name_problem(name: str, run: Path) -> str:
    """Why ``name`` cannot be the new name of the retrained model in run folder ``run`` ("" if
    it can)."""
    if not name:
        return "The name is empty."
    if name == run.name:
        return ""
    if BAD_NAME.search(name) or name.startswith(".") or name.endswith((" ", ".")) or \
            RESERVED.fullmatch(name):
        return (f"\"{name}\" cannot be a model's name: it names a folder, which cannot hold "
                "/ \\ : * ? \" < > |, begin with a dot, end with a dot or a space, or be a name "
                "Windows keeps for itself (CON, NUL, COM1...).")
    if len(name) > NAME_MAX or len(name.encode("utf-8")) > NAME_BYTES:
        return (f"The name is too long (at most {NAME_MAX} characters, fewer of some kinds, "
                "such as emoji).")
    if app_settings.model_named(name) is not None:
        return f"A model named \"{name}\" is already there; choose another."
    target = run.parent / name
    if target.exists() and not same_file(target, run):   # (not the run itself, in other case)
        return f"A folder named \"{name}\" is already there; choose another."
    return ""


def same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


class ModelsDialog(QDialog):
    """The list and its buttons. ``in_use()``: the weights the app uses, or is loading (they
    are not deleted; a rename reloads the model in use from its new place); ``loading()``: those
    it is loading (not renamed until loaded: the load under way reads the old place);
    ``busy()``: the files a retraining in progress reads or writes (its run folder, the model
    it started from: left alone until it ends)."""

    useModel = Signal(str)        # load these weights

    def __init__(self, in_use: Callable[[], list[str]], busy: Callable[[], list[Path]],
                 loading: Callable[[], list[str]] = list, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Retrained models")
        self.prompts = Prompts(self)          # (its questions over this window, not behind it)
        self.in_use, self.busy, self.loading = in_use, busy, loading
        self._running = False                 # a retraining was under way at the last look
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("The models Tools > Retrain made, newest first (double-click one to "
                             "use it):"))
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setSpacing(3)
        self.list.currentRowChanged.connect(lambda _row: self.update_buttons())
        self.list.itemDoubleClicked.connect(lambda _item: self.use())
        lay.addWidget(self.list)
        self.note = QLabel()
        self.note.setWordWrap(True)
        lay.addWidget(self.note)
        row = QHBoxLayout()
        self.use_btn = QPushButton("&Use")
        self.rename_btn = QPushButton("&Rename…")
        self.show_btn = QPushButton("&Show in folder")
        self.delete_btn = QPushButton("&Delete…")
        for b, slot in ((self.use_btn, self.use), (self.rename_btn, self.rename),
                        (self.show_btn, self.show_folder), (self.delete_btn, self.delete)):
            b.clicked.connect(slot)
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        lay.addWidget(close)
        # A retraining ends, a model finishes loading: the buttons follow while it is open.
        self.watch = QTimer(self, interval=1000, timeout=self.update_buttons)
        self.resize(560, 360)
        self.refresh()

    def showEvent(self, event):
        self.watch.start()
        super().showEvent(event)

    def hideEvent(self, event):
        self.watch.stop()
        super().hideEvent(event)

    def on_model_changed(self) -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self, select: Path | None = None) -> None:
        """List the retrained models afresh (newest first), keeping ``select`` or the row chosen."""
        keep = select or self.selected()
        self.list.clear()
        for p in app_settings.retrained_models():
            mark = "  (in use)" if self._in_use(p) else ""
            item = QListWidgetItem(f"{model_name(p)}{mark}\n{describe_run(p)}")
            item.setData(Qt.ItemDataRole.UserRole, str(p))
            item.setToolTip(str(p.parent))
            self.list.addItem(item)
            if keep is not None and p == keep:
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self.update_buttons()

    def _show_note(self) -> None:
        """Below the list: a retraining under way (a walkthrough looked for it here), or how
        to make a first model. When the run ends, its model joins the list at once."""
        busy = self.busy()
        ended, self._running = bool(self._running) and not busy, bool(busy)
        if ended:
            self.refresh()                  # (which comes back here, with nothing running)
            return
        if busy:
            run = Path(busy[0])
            step = last_step(run / "log.csv")[0]
            steps = (run_options(run) or {}).get("steps")
            where = f"step {step} of {steps}" if step and steps else "starting"
            self.note.setText(f"A retraining is under way ({run.name}, {where}): its model "
                              f"joins this list when it ends.")
        else:
            self.note.setText("" if self.list.count() else
                              "No retrained models yet: Tools > Retrain on a folder makes one.")

    def selected(self) -> Path | None:
        item = self.list.currentItem()
        return Path(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _in_use(self, model: Path) -> bool:
        return any(same_file(Path(p), model) for p in self.in_use() if p)

    def _is_loading(self, model: Path) -> bool:
        return any(same_file(Path(p), model) for p in self.loading() if p)

    def _is_busy(self, model: Path) -> bool:
        return any(same_file(Path(b), model.parent) or same_file(Path(b), model)
                   for b in self.busy())

    def update_buttons(self) -> None:
        self._show_note()
        p = self.selected()
        chosen = p is not None and p.is_file()
        in_use = chosen and self._in_use(p)
        busy = chosen and self._is_busy(p)
        loading = chosen and self._is_loading(p)
        self.use_btn.setEnabled(chosen and not in_use)
        self.show_btn.setEnabled(p is not None)
        self.rename_btn.setEnabled(chosen and not busy and not loading)
        self.delete_btn.setEnabled(chosen and not in_use and not busy)
        self.delete_btn.setToolTip(
            "A retraining is still using it" if busy else
            "The model in use cannot be deleted: use another one first" if in_use
            else "Move the model and its run folder to the trash")
        self.rename_btn.setToolTip("A retraining is still using it" if busy else
                                   "It is being loaded: rename it once it is in use" if loading
                                   else "Give the model another name (its run folder's)")

    def _chosen(self, button: QPushButton) -> Path | None:
        """The selected model, if ``button`` may act on it now (checked afresh: a retraining
        may have started or a model load begun since the buttons were last set)."""
        self.update_buttons()
        return self.selected() if button.isEnabled() else None

    def use(self) -> None:
        p = self._chosen(self.use_btn)
        if p is not None:
            self.useModel.emit(str(p))
            self.note.setText(f"Loading {model_name(p)}…")

    def show_folder(self) -> None:
        p = self.selected()
        if p is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(p.parent)))

    def rename(self) -> None:
        p = self._chosen(self.rename_btn)
        if p is None:
            return
        old = model_name(p)
        name = self.prompts.text("Rename the model", "New name:", old)
        if name is None:
            return
        name = name.strip()
        problem = name_problem(name, p.parent)
        if problem or name == old:
            if problem:
                self.prompts.error("The model was not renamed", problem)
            return
        p = self._chosen(self.rename_btn)        # (the question took time)
        if p is None:
            return
        was_in_use = self._in_use(p)
        target = p.parent.parent / name
        try:
            os.rename(p.parent, target)      # one step: the folder is there under one name
        except OSError as e:
            self.prompts.error("The model was not renamed",
                               f"{p.parent} could not be renamed to {name}: {e.strerror or e}.")
            return
        moved = target / p.name
        app_settings.run_moved(p.parent, target)   # the remembered model and stopped runs follow
        if was_in_use:          # the app's model file moved with it: use it from where it is
            self.useModel.emit(str(moved))
        self.refresh(select=moved)

    def delete(self) -> None:
        p = self._chosen(self.delete_btn)
        if p is None:
            return
        name, run = model_name(p), p.parent
        stopped = stopped_runs_from(app_settings.runs_dir(), run)
        also = (f"\n\nThe stopped run{'s' if len(stopped) > 1 else ''} "
                f"{', '.join(r.name for r in stopped)} started from it: Resume still continues "
                f"{'them' if len(stopped) > 1 else 'it'}, but cannot measure the result against "
                f"it." if stopped else "")
        if not self.prompts.yes_no("Delete the model?",
                                   f"Move the retrained model {name} and its run folder to the "
                                   f"trash?\n\n{run}{also}"):
            return
        if self._chosen(self.delete_btn) != p:
            return
        moved = QFile.moveToTrash(str(run))     # (bool, or (bool, path) in some bindings)
        if not (moved[0] if isinstance(moved, tuple) else moved):
            if not self.prompts.yes_no(
                    "Delete the model for good?",
                    f"{name} could not be moved to the trash. Delete its run folder for good? "
                    f"This cannot be undone.\n\n{run}"):
                return
            try:
                (run / CKPT_NAME).unlink(missing_ok=True)   # first: never a half run to resume
                shutil.rmtree(run)
            except OSError as e:
                self.prompts.error("The model was not deleted",
                                   f"{run} could not be deleted: {e.strerror or e}.")
        self.refresh()
