"""The inference worker: a background thread that owns all network and file work.

The UI thread posts jobs and colorization requests; results come back to the UI
thread through queued Qt signals. Every job carries its own context: a job is a
function plus the callbacks for its result or its failure, and a colorization
request names the session (photo + model) it was made for, so a result can never
be applied to another photo or model. For colorization the newest request wins:
overtaken requests are skipped and results that are no longer the newest are dropped.
"""
from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable

import cv2
import numpy as np
from PySide6.QtCore import QObject, Signal

from net.hint_reach import DEFAULT_HINT_REACH


DISPLAY_MAX_SIDE = 2048


def display_lightness(l_full: np.ndarray) -> np.ndarray:
    """The lightness at display size (long side at most DISPLAY_MAX_SIDE)."""
    h, w = l_full.shape
    s = min(1.0, DISPLAY_MAX_SIDE / max(h, w))
    if s >= 1:
        return l_full
    return cv2.resize(l_full, (max(1, round(w * s)), max(1, round(h * s))),
                      interpolation=cv2.INTER_AREA)


@dataclass
class Job:
    run: Callable[[], Any]
    on_done: Callable[[Any], None]
    on_failed: Callable[[str], None]


@dataclass
class _Request:
    generation: int
    session: Any
    display_l: np.ndarray
    hints: list
    hint_reach: str


@dataclass(frozen=True)
class Result:
    """A colorization: the session and generation it was requested for, the picture, the time."""

    session: Any
    generation: int
    rgb: np.ndarray
    ms: float
    kind: str                     # "preview" (working size) | "display" (display size)


class InferenceWorker(QObject):
    resultReady = Signal(object)          # Result
    requestFailed = Signal(int, str)      # generation, one-sentence message
    _jobDone = Signal(object, object)     # Job, result
    _jobFailed = Signal(object, str)      # Job, one-sentence message

    def __init__(self, parent=None):
        super().__init__(parent)
        self._cond = threading.Condition()
        self._latest: _Request | None = None
        self._jobs: list[Job] = []
        self._generation = 0
        self._display_l: dict[int, np.ndarray] = {}
        self._stop = False
        self._busy = False
        self._jobDone.connect(lambda job, result: job.on_done(result))
        self._jobFailed.connect(lambda job, msg: job.on_failed(msg))
        self._thread = threading.Thread(target=self._loop, name="inference", daemon=True)
        self._thread.start()

    # -- called from the UI thread ----------------------------------------------------
    @property
    def generation(self) -> int:
        return self._generation

    def request(self, session, hints, hint_reach: str = DEFAULT_HINT_REACH) -> int:
        """Ask for a colorization of ``session`` with these hints and this hint reach
        (:mod:`net.hint_reach`); returns its generation."""
        with self._cond:
            self._generation += 1
            dl = self._display_l.get(id(session))
            if dl is None:
                dl = display_lightness(session.l_full)
                self._display_l = {id(session): dl}     # only the newest session's is kept
            self._latest = _Request(self._generation, session, dl, list(hints), hint_reach)
            self._cond.notify()
            return self._generation

    def submit(self, run: Callable[[], Any], on_done: Callable[[Any], None],
               on_failed: Callable[[str], None]) -> None:
        """Run ``run()`` on the worker; then ``on_done(result)`` or ``on_failed(message)`` on the UI thread."""
        with self._cond:
            self._jobs.append(Job(run, on_done, on_failed))
            self._cond.notify()

    def pending(self) -> bool:
        with self._cond:
            return self._latest is not None or bool(self._jobs) or self._busy

    def shutdown(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()
        self._thread.join(timeout)

    # -- worker thread ----------------------------------------------------------------------
    def _loop(self):
        while True:
            with self._cond:
                while not self._stop and self._latest is None and not self._jobs:
                    self._cond.wait()
                if self._stop:
                    return
                if self._jobs:
                    job, req = self._jobs.pop(0), None
                else:
                    job, req, self._latest = None, self._latest, None
                self._busy = True
            try:
                if job is not None:
                    self._run_job(job)
                else:
                    self._colorize(req)
            finally:
                with self._cond:
                    self._busy = False

    def _is_current(self, req: _Request) -> bool:
        with self._cond:
            return req.generation == self._generation

    def _run_job(self, job: Job):
        try:
            result = job.run()
        except Exception as e:  # noqa: BLE001 - reported to the user as a sentence
            msg = str(e) or type(e).__name__
            if not isinstance(e, (ValueError, OSError, MemoryError)):
                msg = f"{type(e).__name__}: {msg}"
                traceback.print_exc()
            self._jobFailed.emit(job, msg)
            return
        self._jobDone.emit(job, result)

    def _colorize(self, req: _Request):
        if not self._is_current(req):
            return
        t0 = time.perf_counter()
        try:
            preview = req.session.preview(req.hints, req.hint_reach)
        except Exception as e:  # noqa: BLE001
            traceback.print_exc()
            self.requestFailed.emit(req.generation, f"colorization failed: {e}")
            return
        ms = (time.perf_counter() - t0) * 1000
        if not self._is_current(req):
            return  # a newer request exists: this result is stale
        self.resultReady.emit(Result(req.session, req.generation, preview, ms, "preview"))
        # If nothing newer is waiting, follow up with a sharp display-resolution image.
        with self._cond:
            idle = self._latest is None and not self._jobs
        if idle and req.display_l.shape != preview.shape[:2]:
            sharp = req.session.render_on(req.display_l, req.hints, req.hint_reach)
            if self._is_current(req):
                self.resultReady.emit(Result(req.session, req.generation, sharp, ms, "display"))
