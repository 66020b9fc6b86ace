"""What the retraining window shows of a run: its progress bar, status line and loss curve,
while it runs (read from the trainer's log CSV and redrawn curve), when a stopped run waits
for Resume, and the verdict on a finished one. A mixin of :class:`colorizer_gui.retrain_dialog.RetrainDialog`, whose widgets
(``progress``, ``status``, ``curve``, ``log``) and run state it reads."""
from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QProcess

from net.retraining import HeldOutScores, StoppedRun

from .models_dialog import same_file
from .retrain_texts import (NOT_STARTED, last_step, progress_text, stopped_text,
                            training_seconds, verdict_after_choice, verdict_text)


class RunProgress:
    def show_curve(self):
        """The run's loss curve, reloaded when the trainer has redrawn it."""
        if self.curve.load_changed(self.out / "loss.png" if self.out is not None else None):
            self.curve.show()
            self.fit_height()

    def clear_run(self) -> None:
        """Forget the last run's progress, curve and log (the verdict goes with the status
        line's next text): a new run, or another folder, starts afresh."""
        self._run_folder = None
        self._verdict = None
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.setFormat(NOT_STARTED)
        self.curve.hide()
        self.curve.clear()
        self.log.clear()
        self.shrink_back()

    def poll(self):
        if self.proc is None or self.proc.state() == QProcess.ProcessState.NotRunning:
            return
        self.show_curve()
        step, loss = last_step(self.out / "log.csv")
        total = self._total
        elapsed = int(time.monotonic() - self._t0)
        if step >= total and self._activity:         # trained: measuring on held-out photos
            self.progress.setRange(0, 0)
            self.status.setText(f"{self._activity}… {elapsed} s")
        elif step > self._step_at_launch:
            if self._step0 is None:
                self._step0 = (step, time.monotonic())
            self.progress.setRange(0, 100)
            self.progress.setValue(int(100 * step / total))
            first, t_first = self._step0
            rate = (step - first) / max(1e-9, time.monotonic() - t_first)
            # (the run's time so far: a resumed run's earlier sittings too, as "Done in" says)
            self.status.setText(progress_text(step, total, loss, self._seconds_before + elapsed,
                                              (total - step) / rate if rate > 0 else None))
        else:
            self.status.setText(f"{self._activity or 'Reading photos'}… {elapsed} s")
        self.progressed.emit(f"Retraining: {min(100, 100 * step // total)} %" if step
                             else "Retraining: starting")

    def _show_stopped(self, run: StoppedRun) -> None:
        """A stopped run on the folder: where it stopped, in words, on the bar and as its loss
        curve so far (a walkthrough: after a restart the bar said "Not started" and no curve
        showed until Resume)."""
        step = last_step(run.path / "log.csv")[0]
        self.status.setText(stopped_text(run, step))
        self.progress.setRange(0, 100)
        self.progress.setValue(int(100 * min(step, run.steps) / max(1, run.steps)))
        self.progress.setFormat("%p % (stopped)")
        if self.curve.load_changed(run.path / "loss.png"):
            self.curve.show()
            self.fit_height()

    def finished_seconds(self) -> float:
        # A resumed run's time is all its sittings' (the log's), not this one's alone.
        return max(time.monotonic() - self._t0, training_seconds(self.out / "log.csv"))

    def finished_text(self, scores: HeldOutScores | None, loaded: bool) -> str:
        return verdict_text(int(self.finished_seconds()), self.out.name, self._started_from,
                            self.in_use, self.in_use != self._in_use_at_start, scores, loaded)

    def _say_choice_after_verdict(self, path: str | None) -> None:
        """The finished run's verdict, said again when the user chose another model since it
        (a walkthrough: after Manage > Use it still said the old model stays loaded)."""
        if self._verdict is None or path == self._verdict[1]:
            return
        scores, _, seconds = self._verdict
        self._verdict = (scores, path, seconds)
        chosen = path is not None and same_file(Path(path), self.out / "model.safetensors")
        self.status.setText(verdict_after_choice(int(seconds), self.out.name,
                                                 self._started_from, path, chosen, scores))
