"""Tools > Retrain on a folder: runs ``colorizer-train hnet`` (and the decoder) in a separate process.

The dialog is not modal: the editor stays usable during the run. It follows the
trainer's output and log CSV (what it is doing, elapsed time, progress) and, when
the process finishes, hands the new weights to the window, which loads them. Runs
live in the app's data folder; the Model menu lists them as "Retrained: <run>".
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QProcess, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QProgressBar,
                               QPushButton, QSpinBox, QVBoxLayout, QWidget)

from net.assets import describe_model, model_name
from net.retraining import (CKPT_NAME, FEW_PHOTOS, LEVEL, HeldOutScores, count_photos,
                            read_held_out)
from net.weights import WeightsError

from . import app_settings
from .curve_view import CurveView
from .retrain_texts import (CHOOSE_FOLDER, NO_FOLDER, NO_PHOTOS, NOT_STARTED, folder_status,
                            last_step, measured_text, photos_text, run_name)

__all__ = ["RetrainDialog", "is_local_model", "run_name"]

FOLDER_PAUSE_MS = 300     # the folder field is counted this long after the last keystroke
CURVE_SIZE = (420, 260)   # the loss curve is shown at most this large (pixels)
CURVE_MIN_HEIGHT = 110    # and this tall at least (in a window short of room)
SCREEN_SHARE = 0.85       # the window grows to show its texts and curve up to this share of
                          # the screen's height (a title bar and a taskbar may take the rest)


def is_local_model(path: str | None) -> bool:
    """Whether the weights are a local model (whose decoder can adapt too)."""
    try:
        return bool(path) and describe_model(path).variant == "local"
    except WeightsError:
        return False


class LogView(QPlainTextEdit):
    """The trainer's output. It asks for no more height than its minimum (the verdict and the
    curve come first) and takes whatever room the window has left."""

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.minimumHeight())


class RetrainDialog(QDialog):
    modelReady = Signal(str)

    def __init__(self, init_weights: str | None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Retrain on a folder of photos")
        self.setModal(False)
        self._t0 = 0.0
        self._activity = ""
        self.init_weights = init_weights
        self.in_use = init_weights              # the model the app uses now
        self.proc: QProcess | None = None
        self.out: Path | None = None          # the run folder of the last Start
        self._run_folder: str | None = None   # the photo folder whose run the window shows
        self._grown: tuple[int, int] | None = None   # (height before, after) fit_height grew it
        lay = QVBoxLayout(self)
        self.form = form = QFormLayout()
        self.folder = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)         # in line with its label and the rows below
        row.addWidget(self.folder)
        row.addWidget(browse)
        w = QWidget()
        w.setLayout(row)
        form.addRow("Photo folder", w)
        self.steps = QSpinBox()
        self.steps.setRange(10, 1_000_000)
        self.steps.setValue(1000)
        form.addRow("Steps", self.steps)
        self.start_from = QLabel()
        form.addRow("Start from", self.start_from)
        self.decoder = QCheckBox("Also adapt the colour decoder (stronger)")
        form.addRow("", self.decoder)
        self._decoder_choice: tuple[str, bool] | None = None   # (folder, ticked) by the user
        self.decoder.clicked.connect(self._decoder_clicked)
        self.folder_note = QLabel()
        self.folder_note.setWordWrap(True)
        # (a label widget, even empty: without one the form gives the wrapped note the height
        # of its unwrapped size hint, twice its lines, and centres the text in it)
        form.addRow(QLabel(), self.folder_note)
        form.setRowVisible(self.folder_note, False)      # shown when it has something to say
        # The folder is counted once typing pauses, not on every keystroke (a walk of a large
        # tree on the GUI thread), and at once by Start.
        self.folder_timer = QTimer(self, singleShot=True, interval=FOLDER_PAUSE_MS,
                                   timeout=self.on_folder_changed)
        self.folder.textChanged.connect(lambda _text: self.folder_timer.start())
        self.set_init_weights(init_weights)
        lay.addLayout(form)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.setFormat(NOT_STARTED)      # empty, it looked like a text field
        lay.addWidget(self.progress)
        self.status = QLabel(CHOOSE_FOLDER)
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)    # its paragraphs, a name's "<"
        lay.addWidget(self.status)
        # The trainer redraws its loss curve (RUN/loss.png) at every validation.
        self.curve = CurveView(CURVE_SIZE, CURVE_MIN_HEIGHT)
        self.curve.setToolTip("Loss on your photos while training (lower is better): the "
                              "validation points are photos it does not train on")
        self.curve.hide()
        self._curve_mtime = None
        lay.addWidget(self.curve)
        self.log = LogView()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(500)
        self.log.setMinimumHeight(60)
        lay.addWidget(self.log)
        self.buttons = QDialogButtonBox()
        self.start_btn = self.buttons.addButton("Start", QDialogButtonBox.ButtonRole.AcceptRole)
        self.stop_btn = self.buttons.addButton("Stop", QDialogButtonBox.ButtonRole.RejectRole)
        self.close_btn = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.stop_btn.setEnabled(False)
        self.start_btn.setEnabled(False)         # until the folder field holds photos
        self.start_btn.clicked.connect(self.start)
        self.stop_btn.clicked.connect(self.stop)
        self.close_btn.clicked.connect(self.close)
        self.close_btn.setToolTip("Close this window; a running training continues and its "
                                  "model is loaded when it ends")
        lay.addWidget(self.buttons)
        self.timer = QTimer(self, interval=1000, timeout=self.poll)
        self.resize(560, 420)

    def set_init_weights(self, path: str | None) -> None:
        """The model a new run starts from: the one the window has loaded. A running training
        keeps the model it started from (and its result is not loaded over another model the
        user chose meanwhile)."""
        self.in_use = path
        if self.running():
            return
        self.init_weights = path
        self.start_from.setText(model_name(path) if path else "(no model loaded)")
        local = is_local_model(path)
        self.decoder.setEnabled(local)
        self.decoder.setChecked(local and self._chosen_decoder(True))
        self.decoder.setToolTip(
            "Trains the palette network and the local model's decoder on your photos "
            "(measured on scene photos: +0.05-0.4 dB, against +0.02-0.07 dB for the palette "
            "network alone). Only a local model has a decoder that sees your hints."
            if local else "Only a local model has a decoder to adapt.")
        if self.folder_text():
            self.on_folder_changed(announce=False)    # (the status may report the last run)

    def on_folder_changed(self, announce: bool = True) -> None:
        """Says what the typed or chosen folder holds (in the status line, if ``announce``).
        Below FEW_PHOTOS photos adapting the decoder too is not worth it (measured), so only
        the palette network adapts unless the user ticks the box again."""
        self.folder_timer.stop()
        if self.running():
            return
        folder = self.folder_text()
        is_dir = bool(folder) and Path(folder).is_dir()
        n = count_photos(folder) if is_dir else 0
        self.start_btn.setEnabled(n > 0)
        if announce:
            if self._run_folder is not None and folder != self._run_folder:
                self.clear_run()                        # another folder: a fresh start
            self.status.setText(folder_status(folder, is_dir, n))
        few = 0 < n < FEW_PHOTOS and self.decoder.isEnabled()    # enabled: a local model
        if self.decoder.isEnabled():
            self.decoder.setChecked(self._chosen_decoder(not few))
        self.folder_note.setText(
            f"Only {photos_text(n)}: below {FEW_PHOTOS}, adapting the decoder too colours photos "
            f"like these no better than the palette network alone and other photos worse, so "
            f"only the palette network adapts. Tick the box to adapt the decoder anyway." if few else "")
        self.form.setRowVisible(self.folder_note, few)

    def _decoder_clicked(self, on: bool) -> None:
        self._decoder_choice = (self.folder_text(), on)

    def _chosen_decoder(self, default: bool) -> bool:
        """The box's state: what the user ticked or unticked for the folder now typed, else
        ``default`` (the folder rule). A choice made for another folder is forgotten."""
        if self._decoder_choice is None:
            return default
        folder, on = self._decoder_choice
        if folder != self.folder_text():
            self._decoder_choice = None
            return default
        return on

    def browse(self):
        d = QFileDialog.getExistingDirectory(self, "Folder of colour photos")
        if d:
            self.folder.setText(d)

    def folder_text(self) -> str:
        return self.folder.text().strip()

    def command(self, out: Path) -> list[str]:
        return ["-m", "training.train", "hnet", "--data", self.folder_text(), "--init",
                str(self.init_weights), "--out", str(out), "--steps", str(self.steps.value()),
                "--no-progress", "--val-every", str(max(10, self.steps.value() // 10)),
                "--ckpt-every", "50",
                "--train", "hnet,decoder" if self.decoder.isChecked() else "hnet"]

    def start(self):
        if not self.init_weights:
            self.status.setText("Load a model first (Model menu).")
            return
        if not self.folder_text():
            self.status.setText("Choose the folder of photos to train on first (Browse…).")
            return
        if not Path(self.folder_text()).is_dir():
            self.status.setText(NO_FOLDER)
            return
        if self.folder_timer.isActive():           # typed just now: its rule applies first
            self.on_folder_changed()
        if count_photos(self.folder_text(), stop_at=1) == 0:
            self.status.setText(NO_PHOTOS)
            return
        self.clear_run()
        self._run_folder = self.folder_text()
        self.out = app_settings.runs_dir() / run_name(self.folder_text())
        self.proc = QProcess(self)
        self.proc.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        self.proc.readyReadStandardOutput.connect(self.read_output)
        # (QDialog has its own ``finished`` signal: the handler must not be called that)
        self.proc.finished.connect(self.on_process_finished)
        self.proc.errorOccurred.connect(self.on_process_error)
        self.proc.start(sys.executable, self.command(self.out))
        self.start_btn.setEnabled(False)
        self.stop_btn.setEnabled(True)
        self.progress.setRange(0, 0)          # busy until the first step is logged
        self.progress.setFormat("%p %")
        self._t0 = time.monotonic()
        self._activity = "Starting the trainer"
        self.poll()
        self.timer.start()

    def read_output(self):
        text = bytes(self.proc.readAllStandardOutput()).decode("utf-8", "replace")
        for line in text.splitlines():
            if line.strip():
                self.log.appendPlainText(line)
                self._activity = line.strip()[:120]
        self.poll()

    def show_curve(self):
        """The run's loss curve, reloaded when the trainer has redrawn it."""
        png = self.out / "loss.png" if self.out is not None else None
        try:
            mtime = png.stat().st_mtime_ns if png is not None else None
        except OSError:
            mtime = None
        if mtime is None or mtime == self._curve_mtime:
            return
        pix = QPixmap(str(png))
        if pix.isNull():              # caught mid-write: the next poll reads it
            return
        self._curve_mtime = mtime
        self.curve.set_pixmap(pix)
        self.curve.show()
        self.fit_height()

    def clear_run(self) -> None:
        """Forget the last run's progress, curve and log (the verdict goes with the status
        line's next text): a new run, or another folder, starts afresh."""
        self._run_folder = None
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.setFormat(NOT_STARTED)
        self.curve.hide()
        self.curve.set_pixmap(QPixmap())
        self._curve_mtime = None
        self.log.clear()
        self.shrink_back()

    def shrink_back(self) -> None:
        """Undo fit_height's growth (the curve and the verdict are gone): the window returns to
        the height it had before, unless the user has resized it since."""
        grown, self._grown = self._grown, None
        if grown is None or self.height() != grown[1]:
            return
        self.layout().activate()                   # (its minimum shrinks with the curve gone)
        self.resize(self.width(), max(grown[0], self.minimumSizeHint().height()))

    def fit_height(self) -> None:
        """Grows the window to show its wrapped texts at their width and the curve at its
        preferred size, up to SCREEN_SHARE of the screen's height (below that the curve is
        drawn smaller; the texts and the buttons always show); moved up if it would leave the
        screen."""
        lay = self.layout()
        lay.invalidate()                           # (its minimum has just grown)
        least = need = lay.minimumSize().height()  # least and preferred height, with the
        if lay.hasHeightForWidth():                # wrapped texts' lines at this width
            least = max(least, lay.totalMinimumHeightForWidth(self.width()))
            need = max(least, lay.totalHeightForWidth(self.width()))
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None and screen.height() > 0:
            frame = self.frameGeometry().height() - self.height()
            need = min(need, max(least, int(SCREEN_SHARE * screen.height()) - frame))
        if self.height() < need:                   # the window grows to show all of it
            before = self._grown[0] if self._grown else self.height()
            self.resize(self.width(), need)
            self._grown = (before, self.height())
        if screen is not None and self.frameGeometry().bottom() > screen.bottom():
            self.move(self.x(), max(screen.top(), self.y() - (self.frameGeometry().bottom()
                                                              - screen.bottom())))

    def poll(self):
        if self.proc is None or self.proc.state() == QProcess.ProcessState.NotRunning:
            return
        self.show_curve()
        step, loss = last_step(self.out / "log.csv")
        total = self.steps.value()
        elapsed = int(time.monotonic() - self._t0)
        if step >= total and self._activity:         # trained: measuring on held-out photos
            self.progress.setRange(0, 0)
            self.status.setText(f"{self._activity}… {elapsed} s")
        elif step:
            self.progress.setRange(0, 100)
            self.progress.setValue(int(100 * step / total))
            self.status.setText(f"Step {step} of {total}, loss {loss} · {elapsed} s")
        else:
            self.status.setText(f"{self._activity or 'Reading photos'}… {elapsed} s")

    def stop(self):
        if self.proc is not None and self.proc.state() != QProcess.ProcessState.NotRunning:
            self.proc.terminate()   # the trainer checkpoints on SIGTERM

    def on_process_error(self, error):
        if error == QProcess.ProcessError.FailedToStart:
            self.on_process_finished(-1, None)
            self.status.setText(f"The trainer could not be started: {self.proc.errorString()}")

    def on_process_finished(self, code, _status):
        self.timer.stop()
        self.stop_btn.setEnabled(False)
        self.on_folder_changed(announce=False)     # Start again if the folder holds photos
        self.progress.setRange(0, 100)
        model = self.out / "model.safetensors"
        self.show_curve()
        if code == 0 and model.is_file():
            self.progress.setValue(100)
            # A finished run needs no resumable state (tens of MB per run in the data folder).
            (self.out / CKPT_NAME).unlink(missing_ok=True)
            scores = read_held_out(self.out)
            load = (scores is None or scores.helped) and self.in_use == self.init_weights
            self.status.setText(self.finished_text(scores, load))
            if not self.isVisible():       # closed during the run: the verdict comes back
                self.show()
            self.fit_height()              # the verdict's lines and the curve, all in view
            if load:
                self.modelReady.emit(str(model))
        else:
            last = self.log.toPlainText().strip().splitlines()[-1:] or ["(no output)"]
            self.status.setText(f"Training stopped: {last[0]}")

    def finished_text(self, scores: HeldOutScores | None, loaded: bool) -> str:
        """What the window says when a run has written its model: whether it is loaded and
        why, then (a paragraph of its own: a walkthrough found the two run together hard to
        read) how it coloured the photos it held out from training, where it could measure."""
        done = f"Done in {int(time.monotonic() - self._t0)} s."
        listed = f"the Model menu lists it as \"Retrained: {self.out.name}\""
        before = model_name(self.init_weights)
        measured = measured_text(scores, before)
        if loaded:
            # Measured (README, "Retraining on a few photos"): a model adapted to a folder
            # colours that kind of photo better and other kinds worse.
            why = (", as it scored higher on average, if only a little"
                   if scores is not None and scores.outcome == LEVEL else "")
            return (f"{done} Loaded into the app{why}; {listed}. It is made for photos like "
                    f"these: for other photos, {before} may colour better.\n\n{measured}")
        if self.in_use != self.init_weights:
            now = model_name(self.in_use) if self.in_use else "no model"
            return (f"{done} The app uses {now} now, chosen during the run, so the new model "
                    f"was not loaded; {listed}.\n\n{measured}")
        why = (", as the new one scored no higher"
               if scores is not None and scores.outcome == LEVEL else "")
        return f"{done} {before} stays loaded{why}; {listed} if you want it anyway.\n\n{measured}"

    def running(self) -> bool:
        return self.proc is not None and self.proc.state() != QProcess.ProcessState.NotRunning

    def shutdown(self):
        """The app quits: stop a running trainer (it checkpoints on SIGTERM)."""
        self.stop()
        if self.proc is not None:
            self.proc.waitForFinished(5000)
