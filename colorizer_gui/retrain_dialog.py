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

from PySide6.QtCore import QProcess, QProcessEnvironment, Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QProgressBar,
                               QPushButton, QSpinBox, QVBoxLayout, QWidget)

from net.assets import is_local_model, model_name
from net.retraining import (CKPT_NAME, FEW_PHOTOS, PROGRESS_PREFIX, RETRAIN_WINDOW_ENV,
                            HeldOutScores, StoppedRun, count_photos, read_held_out, stopped_run)

from . import app_settings
from .curve_view import CurveView
from .grows_to_fit import GrowsToFit, LogView
from .retrain_commands import resume_command, train_command
from .retrain_progress import RunProgress
from .retrain_texts import (CHOOSE_FOLDER, NO_FOLDER, NO_PHOTOS, NOT_STARTED, STEPS_TIP,
                            decoder_note, decoder_tip, estimate_text, folder_status, last_step,
                            quit_text, run_name, seconds_per_step, stopped_text,
                            training_seconds)

__all__ = ["RetrainDialog", "run_name"]

FOLDER_PAUSE_MS = 300     # the folder field is counted this long after the last keystroke
CURVE_SIZE = (420, 260)   # the loss curve is shown at most this large (pixels)
CURVE_MIN_HEIGHT = 110    # and this tall at least (in a window short of room)


class RetrainDialog(RunProgress, GrowsToFit, QDialog):
    modelReady = Signal(str)
    progressed = Signal(str)      # a short note on the run for the main window ("" when it ends)

    def __init__(self, init_weights: str | None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Retrain on a folder of photos")
        self.setModal(False)
        self._t0 = 0.0
        self._seconds_before = 0.0
        self._speeds: dict[str, float | None] = {}   # seconds a step of the runs here, by parts
        self._activity = ""
        self.init_weights = init_weights
        self.in_use = init_weights              # the model the app uses now
        self.proc: QProcess | None = None
        self.out: Path | None = None          # the run folder of the last Start
        self._run_folder: str | None = None   # the photo folder whose run the window shows
        self.stopped: StoppedRun | None = None     # the folder's run that stopped before its end
        self._in_use_at_start: str | None = None    # the app's model when the run started
        self._started_from: str | None = None       # the model the run started from
        self._total, self._step_at_launch = 0, 0     # the run's steps; its step when launched
        self._step0: tuple[int, float] | None = None  # (step, time) first seen: for the ETA
        self._seen_step = 0                         # the last step the trainer printed
        self._few = 0                               # the folder's photos, when fewer than FEW_PHOTOS
        # The verdict shown on the last finished run: (its scores, the model in use it names,
        # its seconds); None once the status line says something else.
        self._verdict: tuple[HeldOutScores | None, str | None, float] | None = None
        lay = QVBoxLayout(self)
        self.form = form = QFormLayout()
        self.folder = QLineEdit()
        browse = QPushButton("Browse…", autoDefault=False)    # (Enter in the field: no dialog)
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)         # in line with its label and the rows below
        row.addWidget(self.folder)
        row.addWidget(browse)
        w = QWidget()
        w.setLayout(row)
        form.addRow("Photo folder", w)
        self.steps = QSpinBox(minimum=10, maximum=1_000_000, value=1000, toolTip=STEPS_TIP)
        form.addRow("Steps", self.steps)
        self.estimate = QLabel()                  # how long, from the last run's speed
        form.addRow("", self.estimate)
        self.start_from = QLabel()
        self.start_from.setToolTip("The model the app uses now: a new run adapts it (the Model "
                                   "menu chooses another)")
        form.addRow("Start from", self.start_from)
        self.decoder = QCheckBox("Also adapt the colouring network (stronger)")
        form.addRow("", self.decoder)
        self._decoder_choice: tuple[str, bool] | None = None   # (folder, ticked) by the user
        self.decoder.clicked.connect(self._decoder_clicked)
        self.decoder.toggled.connect(self.show_estimate)
        self.steps.valueChanged.connect(self.show_estimate)
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
        lay.addWidget(self.curve)
        self.log = LogView()
        lay.addWidget(self.log)
        self.buttons = QDialogButtonBox()
        self.resume_btn = self.buttons.addButton("Resume", QDialogButtonBox.ButtonRole.ActionRole)
        self.resume_btn.setToolTip("Continue the run on this folder that stopped before its end")
        self.resume_btn.hide()                   # shown when the folder has a stopped run
        self.resume_btn.clicked.connect(self.resume)
        self.start_btn = self.buttons.addButton("Start", QDialogButtonBox.ButtonRole.ActionRole)
        self.stop_btn = self.buttons.addButton("Stop", QDialogButtonBox.ButtonRole.RejectRole)
        self.close_btn = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        for b in self.buttons.buttons():    # (action buttons, none of them the default: Enter in
            b.setAutoDefault(False)         # the folder field never starts an hour of training)
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
        self._restore_form()

    def set_init_weights(self, path: str | None) -> None:
        """The model a new run starts from: the one the window has loaded. A running training
        keeps the model it started from (and its result is not loaded over another model the
        user chose meanwhile)."""
        self.in_use = path
        if self.running():
            return
        self._say_choice_after_verdict(path)
        self.init_weights = path
        self.start_from.setText(model_name(path) if path else "(no model loaded)")
        local = is_local_model(path)
        self.decoder.setEnabled(local)
        self.decoder.setChecked(local and self._chosen_decoder(True))
        self.decoder.setToolTip(decoder_tip(local))
        self.show_estimate()
        if self.folder_text():
            self.on_folder_changed(announce=False)    # (the status may report the last run)

    def _restore_form(self) -> None:
        """The folder and steps of the last run started here, also after a restart (where a
        stopped run is offered to Resume): a run is often started again on the same folder."""
        folder, steps = app_settings.retrain_form()
        if steps:
            self.steps.setValue(steps)
        if folder and Path(folder).is_dir():
            self.folder.setText(folder)
            self.on_folder_changed()

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
        self.stopped = stopped_run(app_settings.runs_dir(), folder) if n else None
        self.resume_btn.setVisible(self.stopped is not None)
        if announce:
            self._verdict = None
            if self._run_folder is not None and folder != self._run_folder:
                self.clear_run()                        # another folder: a fresh start
            if self.stopped is None:
                self.status.setText(folder_status(folder, is_dir, n))
            else:
                self._show_stopped(self.stopped)
        few = 0 < n < FEW_PHOTOS and self.decoder.isEnabled()    # enabled: a local model
        if self.decoder.isEnabled():
            self.decoder.setChecked(self._chosen_decoder(not few))
        self._show_decoder_note(n if few else 0)

    def show_estimate(self, *_):
        """How long the run Start would begin takes, at the speed of the newest run here that
        adapted the same parts (no row before there is one, nor during a run: the status line
        then says how long is left)."""
        parts = "hnet,decoder" if self.decoder.isChecked() else "hnet"
        if parts not in self._speeds:          # (read once, not on every step typed)
            self._speeds[parts] = seconds_per_step(app_settings.runs_dir(), parts)
        text = "" if self.running() else estimate_text(self.steps.value(), self._speeds[parts])
        self.estimate.setText(text)
        self.form.setRowVisible(self.estimate, bool(text))

    def _show_decoder_note(self, few: int) -> None:
        """Below FEW_PHOTOS photos (``few``; 0: not so few), what the box's state means."""
        self._few = few
        self.folder_note.setText(decoder_note(few, self.decoder.isChecked()) if few else "")
        self.form.setRowVisible(self.folder_note, bool(few))

    def _decoder_clicked(self, on: bool) -> None:
        self._decoder_choice = (self.folder_text(), on)
        self._show_decoder_note(self._few)          # the note says what the box does now

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
        here = self.folder_text()       # the folder typed, else the user's home (not the app's)
        d = QFileDialog.getExistingDirectory(self, "Folder of colour photos",
                                             here if Path(here).is_dir() else str(Path.home()))
        if d:
            self.folder.setText(d)

    def folder_text(self) -> str:
        return self.folder.text().strip()

    def command(self, out: Path) -> list[str]:
        return train_command(self.folder_text(), self.init_weights, out, self.steps.value(),
                             self.decoder.isChecked())

    def resume_command(self, run: StoppedRun) -> list[str]:
        return resume_command(run)

    def start(self):
        if not self.init_weights:
            self.status.setText("Load a model first (Model menu).")
            return
        if not self._folder_ready():
            return
        self._launch(app_settings.runs_dir() / run_name(self.folder_text()), self.command,
                     self.init_weights, self.steps.value())

    def resume(self):
        """Continue the folder's stopped run (a Stop, a quit) where its checkpoint left it."""
        if not self._folder_ready() or self.stopped is None:
            return
        # Its own model, steps and parts (the form is for Start), read again: a rename in
        # Model > Manage may have moved the model it started from.
        run = self.stopped = stopped_run(app_settings.runs_dir(), self.folder_text()) or \
            self.stopped
        self._launch(run.path, lambda _out: self.resume_command(run), run.init, run.steps)

    def _folder_ready(self) -> bool:
        """The folder field names a folder with photos (else the status line says what is wrong)."""
        if not self.folder_text():
            self.status.setText("Choose the folder of photos to train on first (Browse…).")
            return False
        if not Path(self.folder_text()).is_dir():
            self.status.setText(NO_FOLDER)
            return False
        if self.folder_timer.isActive():           # typed just now: its rule applies first
            self.on_folder_changed()
        if count_photos(self.folder_text(), stop_at=1) == 0:
            self.status.setText(NO_PHOTOS)
            return False
        return True

    def _launch(self, out: Path, command, started_from: str | None, total: int) -> None:
        """Run the trainer (``command(out)``: its arguments) into the run folder ``out``: a run
        of ``total`` steps from the model ``started_from``."""
        self.clear_run()
        self._run_folder = self.folder_text()
        app_settings.remember_retrain_form(str(Path(self._run_folder).absolute()),
                                           self.steps.value())
        self.out, self._started_from, self._total = out, started_from, total
        self._in_use_at_start = self.in_use
        self._step_at_launch = last_step(out / "log.csv")[0]     # a resume's log goes on
        self.proc = QProcess(self)
        self.proc.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        env = QProcessEnvironment.systemEnvironment()
        env.insert(RETRAIN_WINDOW_ENV, "1")            # its messages in this window's words
        self.proc.setProcessEnvironment(env)
        self.proc.readyReadStandardOutput.connect(self.read_output)
        # (QDialog has its own ``finished`` signal: the handler must not be called that)
        self.proc.finished.connect(self.on_process_finished)
        self.proc.errorOccurred.connect(self.on_process_error)
        self.proc.start(sys.executable, command(self.out))
        self.show_estimate()                  # (hidden while it runs)
        self.start_btn.setEnabled(False)
        self.resume_btn.hide()
        self.stop_btn.setEnabled(True)
        self.progress.setRange(0, 0)          # busy until the first step is logged
        self.progress.setFormat("%p %")
        self._t0, self._step0, self._seen_step = time.monotonic(), None, 0
        self._seconds_before = training_seconds(out / "log.csv")    # a resume's earlier sittings
        self._activity = "Starting the trainer"
        self.poll()
        self.timer.start()

    def read_output(self):
        text = bytes(self.proc.readAllStandardOutput()).decode("utf-8", "replace")
        for line in text.splitlines():
            if line.strip():
                self.log.appendPlainText(line)
                # (a progress line: the bar and status say it; nothing newer to report)
                progress = line.startswith(PROGRESS_PREFIX)
                self._activity = "" if progress else line.strip()[:120]
                step = line[len(PROGRESS_PREFIX):].split(" ", 1)[0] if progress else ""
                self._seen_step = int(step) if step.isdigit() else self._seen_step
        self.poll()

    def stop(self):
        if self.proc is not None and self.proc.state() != QProcess.ProcessState.NotRunning:
            self.proc.terminate()   # the trainer checkpoints on SIGTERM

    def on_process_error(self, error):
        if error == QProcess.ProcessError.FailedToStart:
            self.on_process_finished(-1, None)
            self.status.setText(f"The trainer could not be started: {self.proc.errorString()}")

    def on_process_finished(self, code, status):
        self.timer.stop()
        self.progressed.emit("")
        self.stop_btn.setEnabled(False)
        self._speeds.clear()                 # this run's speed is the newest
        self.set_init_weights(self.in_use)   # the next run starts from the model in use now
        self.on_folder_changed(announce=False)     # Start again if the folder holds photos
        self.progress.setRange(0, 100)
        model = self.out / "model.safetensors"
        self.show_curve()
        if code == 0 and model.is_file():
            self.progress.setValue(100)
            # A finished run needs no resumable state (tens of MB per run in the data folder).
            (self.out / CKPT_NAME).unlink(missing_ok=True)
            scores = read_held_out(self.out)
            # Loaded only over the model it was measured against, if the user kept that one.
            load = (scores is None or scores.helped) and \
                self.in_use == self._in_use_at_start == self._started_from
            self.status.setText(self.finished_text(scores, load))
            self._verdict = (scores, self.in_use if not load else str(model),
                             self.finished_seconds())
            if not self.isVisible():       # closed during the run: the verdict comes back
                self.show()
            self.fit_height()              # the verdict's lines and the curve, all in view
            if load:
                self.modelReady.emit(str(model))
        else:
            last = [x for x in self.log.toPlainText().strip().splitlines()
                    if not x.startswith(PROGRESS_PREFIX)][-1:] or ["(no output)"]
            # Stopped (Stop, a quit: SIGTERM, 143), not failed: Resume is the way on.
            signalled = code in (130, 143) or status == QProcess.ExitStatus.CrashExit
            stopped = signalled and self.stopped is not None and self.stopped.path == self.out
            self.status.setText(stopped_text(self.stopped, last_step(self.out / "log.csv")[0],
                                             just_now=True) if stopped
                                else f"Training stopped: {last[0]}")

    def running(self) -> bool:
        return self.proc is not None and self.proc.state() != QProcess.ProcessState.NotRunning

    def paths_in_use(self) -> list[Path]:
        """What a run in progress reads and writes: its folder and the model it started from
        (which it scores against at its end); nothing between runs."""
        if not self.running():
            return []
        return [self.out] + ([Path(self._started_from)] if self._started_from else [])

    def quit_question(self) -> str:
        """What quitting the app during a run asks (it stops the run, which can be resumed)."""
        step = last_step(self.out / "log.csv")[0] if self.out is not None else 0
        # (the trainer prints a step more often than it logs one: the question names the newer)
        return quit_text(Path(self._run_folder or "").name, max(step, self._seen_step),
                         self._total)

    def shutdown(self):
        """The app quits: stop a running trainer (it checkpoints on SIGTERM)."""
        self.stop()
        if self.proc is not None:
            self.proc.waitForFinished(15000)      # (the step under way, then its checkpoint)
