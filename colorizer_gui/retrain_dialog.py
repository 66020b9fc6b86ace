"""Tools > Retrain HNet on a folder: runs ``colorizer-train hnet`` in a separate process.

The training process writes its log CSV; the dialog follows it with a progress
bar and loads the new weights when the process finishes.
"""
from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

from PySide6.QtCore import QProcess, QStandardPaths, QTimer, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QPlainTextEdit, QProgressBar, QPushButton,
                               QSpinBox, QVBoxLayout, QWidget)


def runs_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".hint-colorizer") / "runs"


def last_step(csv_path: Path) -> tuple[int, str]:
    """(latest step, latest loss text) from a training log, (0, '') when absent."""
    try:
        with open(csv_path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError:
        return 0, ""
    if not rows:
        return 0, ""
    r = rows[-1]
    try:
        return int(r["step"]), r.get("train_loss", "")
    except (KeyError, ValueError):
        return 0, ""


class RetrainDialog(QDialog):
    modelReady = Signal(str)

    def __init__(self, init_weights: str | None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Retrain HNet on a folder of photos")
        self.init_weights = init_weights
        self.proc: QProcess | None = None
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.folder = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.folder)
        row.addWidget(browse)
        w = QWidget()
        w.setLayout(row)
        form.addRow("Photo folder", w)
        self.steps = QSpinBox()
        self.steps.setRange(10, 1_000_000)
        self.steps.setValue(1000)
        form.addRow("Steps", self.steps)
        form.addRow("Start from", QLabel(Path(init_weights).name if init_weights else "(no model loaded)"))
        lay.addLayout(form)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        lay.addWidget(self.progress)
        self.status = QLabel("Choose a folder of colour photos (yours: similar subjects work best).")
        lay.addWidget(self.status)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(500)
        lay.addWidget(self.log)
        self.buttons = QDialogButtonBox()
        self.start_btn = self.buttons.addButton("Start", QDialogButtonBox.ButtonRole.AcceptRole)
        self.stop_btn = self.buttons.addButton("Stop", QDialogButtonBox.ButtonRole.RejectRole)
        self.close_btn = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.stop_btn.setEnabled(False)
        self.start_btn.clicked.connect(self.start)
        self.stop_btn.clicked.connect(self.stop)
        self.close_btn.clicked.connect(self.close)
        lay.addWidget(self.buttons)
        self.timer = QTimer(self, interval=1000, timeout=self.poll)
        self.resize(560, 420)

    def browse(self):
        d = QFileDialog.getExistingDirectory(self, "Folder of colour photos")
        if d:
            self.folder.setText(d)

    def command(self, out: Path) -> list[str]:
        return ["-m", "training.train", "hnet", "--data", self.folder.text(), "--init",
                str(self.init_weights), "--out", str(out), "--steps", str(self.steps.value()),
                "--no-progress", "--val-every", str(max(10, self.steps.value() // 10)),
                "--ckpt-every", "50"]

    def start(self):
        if not self.init_weights:
            self.status.setText("Load a model first (Model menu).")
            return
        if not Path(self.folder.text()).is_dir():
            self.status.setText("That folder does not exist.")
            return
        self.out = runs_dir() / time.strftime("hnet-%Y%m%d-%H%M%S")
        self.proc = QProcess(self)
        self.proc.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        self.proc.readyReadStandardOutput.connect(self.read_output)
        self.proc.finished.connect(self.finished)
        self.proc.start(sys.executable, self.command(self.out))
        self.start_btn.setEnabled(False)
        self.stop_btn.setEnabled(True)
        self.status.setText("Reading photos…")
        self.timer.start()

    def read_output(self):
        text = bytes(self.proc.readAllStandardOutput()).decode("utf-8", "replace")
        for line in text.splitlines():
            if line.strip():
                self.log.appendPlainText(line)

    def poll(self):
        step, loss = last_step(self.out / "log.csv")
        total = self.steps.value()
        self.progress.setValue(int(100 * step / total))
        if step:
            self.status.setText(f"Step {step} of {total}, loss {loss}")

    def stop(self):
        if self.proc is not None and self.proc.state() != QProcess.ProcessState.NotRunning:
            self.proc.terminate()   # the trainer checkpoints on SIGTERM

    def finished(self, code, _status):
        self.timer.stop()
        self.poll()
        self.start_btn.setEnabled(True)
        self.stop_btn.setEnabled(False)
        model = self.out / "model.safetensors"
        if code == 0 and model.is_file():
            self.progress.setValue(100)
            self.status.setText(f"Done: {model}. Loaded into the app.")
            self.modelReady.emit(str(model))
        else:
            last = self.log.toPlainText().strip().splitlines()[-1:] or ["(no output)"]
            self.status.setText(f"Training stopped: {last[0]}")

    def closeEvent(self, e):
        self.stop()
        if self.proc is not None:
            self.proc.waitForFinished(5000)
        super().closeEvent(e)
