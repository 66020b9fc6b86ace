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

from PySide6.QtCore import QFile, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout)

from net.assets import bundled_models, model_name
from net.retraining import read_held_out, run_options

from . import app_settings
from .prompts import Prompts

NAME_MAX = 80            # characters of a model name (a folder name on every platform)
BAD_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')   # characters no folder name may hold everywhere


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
        parts.append(f"{round(scores.gain, 2) + 0.0:+.2f} dB against the model it started from, "
                     "on photos it did not train on")
    return " · ".join(parts)


def name_problem(name: str, runs: Path, current: str) -> str:
    """Why ``name`` cannot be a retrained model's new name ("" if it can)."""
    if not name:
        return "The name is empty."
    if name == current:
        return ""
    if BAD_NAME.search(name) or name in (".", "..") or name.startswith(".") or \
            name.endswith((" ", ".")):
        return (f"\"{name}\" cannot be a model's name: it names a folder, which cannot hold "
                "/ \\ : * ? \" < > | or begin with a dot.")
    if len(name) > NAME_MAX:
        return f"The name is too long ({len(name)} characters; at most {NAME_MAX})."
    if name in bundled_models():
        return f"\"{name}\" is the name of a bundled model; choose another."
    if (runs / name).exists() or any(model_name(p) == name for p in
                                     app_settings.retrained_models()):
        return f"A retrained model named \"{name}\" is already there; choose another."
    return ""


class ModelsDialog(QDialog):
    """The list and its buttons. ``in_use()``: the weights the app uses (Delete and Rename act
    on it with care); ``busy()``: the run folder a retraining writes now (left alone)."""

    useModel = Signal(str)        # load these weights

    def __init__(self, prompts: Prompts, in_use: Callable[[], str | None],
                 busy: Callable[[], Path | None], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Retrained models")
        self.prompts, self.in_use, self.busy = prompts, in_use, busy
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
        self.resize(560, 360)
        self.refresh()

    def refresh(self, select: Path | None = None) -> None:
        """List the retrained models afresh (newest first), keeping ``select`` or the row chosen."""
        keep = select or self.selected()
        self.list.clear()
        in_use = self._in_use()
        for p in app_settings.retrained_models():
            mark = "  (in use)" if in_use is not None and p.resolve() == in_use else ""
            item = QListWidgetItem(f"{model_name(p)}{mark}\n{describe_run(p)}")
            item.setData(Qt.ItemDataRole.UserRole, str(p))
            item.setToolTip(str(p.parent))
            self.list.addItem(item)
            if keep is not None and p == keep:
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self.note.setText("" if self.list.count() else
                          "No retrained models yet: Tools > Retrain on a folder makes one.")
        self.update_buttons()

    def selected(self) -> Path | None:
        item = self.list.currentItem()
        return Path(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _in_use(self) -> Path | None:
        path = self.in_use()
        return Path(path).resolve() if path else None

    def _is_busy(self, model: Path) -> bool:
        busy = self.busy()
        return busy is not None and Path(busy).resolve() == model.parent.resolve()

    def update_buttons(self) -> None:
        p = self.selected()
        chosen = p is not None
        in_use = chosen and p.resolve() == self._in_use()
        busy = chosen and self._is_busy(p)
        self.use_btn.setEnabled(chosen and not in_use)
        self.show_btn.setEnabled(chosen)
        self.rename_btn.setEnabled(chosen and not busy)
        self.delete_btn.setEnabled(chosen and not in_use and not busy)
        self.delete_btn.setToolTip("The model in use cannot be deleted: use another one first"
                                   if in_use else "A retraining is still writing it" if busy
                                   else "Move the model and its run folder to the trash")

    def use(self) -> None:
        p = self.selected()
        if p is not None and self.use_btn.isEnabled():
            self.useModel.emit(str(p))
            self.note.setText(f"Loading {model_name(p)}…")

    def show_folder(self) -> None:
        p = self.selected()
        if p is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(p.parent)))

    def rename(self) -> None:
        p = self.selected()
        if p is None or not self.rename_btn.isEnabled():
            return
        old = model_name(p)
        name = self.prompts.text("Rename the model", "New name:", old)
        if name is None:
            return
        name = name.strip()
        problem = name_problem(name, p.parent.parent, old)
        if problem:
            self.prompts.error("The model was not renamed", problem)
            return
        if name == old:
            return
        was_in_use = p.resolve() == self._in_use()
        target = p.parent.parent / name
        try:
            os.rename(p.parent, target)      # one step: the folder is there under one name
        except OSError as e:
            self.prompts.error("The model was not renamed",
                               f"{p.parent} could not be renamed to {name}: {e.strerror or e}.")
            return
        moved = target / p.name
        if was_in_use:          # the app's model file moved with it: use it from where it is
            self.useModel.emit(str(moved))
        self.refresh(select=moved)

    def delete(self) -> None:
        p = self.selected()
        if p is None or not self.delete_btn.isEnabled():
            return
        name, run = model_name(p), p.parent
        if not self.prompts.yes_no("Delete the model?",
                                   f"Move the retrained model {name} and its run folder to the "
                                   f"trash?\n\n{run}"):
            return
        moved = QFile.moveToTrash(str(run))     # (bool, or (bool, path) in some bindings)
        if not (moved[0] if isinstance(moved, tuple) else moved):
            if not self.prompts.yes_no(
                    "Delete the model for good?",
                    f"{name} could not be moved to the trash. Delete its run folder for good? "
                    f"This cannot be undone.\n\n{run}"):
                return
            try:
                shutil.rmtree(run)
            except OSError as e:
                self.prompts.error("The model was not deleted",
                                   f"{run} could not be deleted: {e.strerror or e}.")
        self.refresh()
