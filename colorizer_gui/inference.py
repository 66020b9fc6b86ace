"""The inference worker: a background thread that owns all network work.

The UI thread only posts requests and receives results through Qt signals
(queued to the UI thread). For colorization the newest request wins: requests
that were overtaken are skipped, and results whose generation is no longer the
newest are dropped. Opening a photo, switching models and full-resolution
renders are jobs too, so the UI never waits for the network.
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

from net.color import merge_l_ab

DISPLAY_MAX_SIDE = 2048


@dataclass
class _Job:
    kind: str                # "colorize" | "call"
    generation: int
    payload: Any = None
    tag: str = ""


class InferenceWorker(QObject):
    # generation, uint8 RGB (working-size preview, or display-size image), milliseconds, kind
    resultReady = Signal(int, object, float, str)
    # tag, result object  (for "call" jobs: open, load model, export render, ...)
    callDone = Signal(str, object)
    # tag, one-sentence message
    callFailed = Signal(str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._cond = threading.Condition()
        self._latest: _Job | None = None        # newest colorize request, replaces older ones
        self._calls: list[_Job] = []            # other jobs, run in order
        self._generation = 0
        self._session = None
        self._display_l: np.ndarray | None = None
        self._stop = False
        self.busy = False
        self._thread = threading.Thread(target=self._loop, name="inference", daemon=True)
        self._thread.start()

    # -- called from the UI thread ----------------------------------------------
    @property
    def generation(self) -> int:
        return self._generation

    def set_session(self, session) -> None:
        with self._cond:
            self._session = session
            self._display_l = None
            self._generation += 1
            self._latest = None
            if session is not None:
                h, w = session.size
                s = min(1.0, DISPLAY_MAX_SIDE / max(h, w))
                self._display_l = (session.l_full if s >= 1 else cv2.resize(
                    session.l_full, (max(1, round(w * s)), max(1, round(h * s))),
                    interpolation=cv2.INTER_AREA))

    def request(self, hints) -> int:
        """Ask for a colorization of the current session with these hints; returns its generation."""
        with self._cond:
            self._generation += 1
            self._latest = _Job("colorize", self._generation, list(hints))
            self._cond.notify()
            return self._generation

    def call(self, tag: str, fn: Callable[[], Any]) -> None:
        """Run fn() on the worker; emits callDone(tag, result) or callFailed(tag, message)."""
        with self._cond:
            self._calls.append(_Job("call", self._generation, fn, tag))
            self._cond.notify()

    def shutdown(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()
        self._thread.join(timeout)

    def pending(self) -> bool:
        with self._cond:
            return self._latest is not None or bool(self._calls) or self.busy

    # -- worker thread -----------------------------------------------------------------
    def _loop(self):
        while True:
            with self._cond:
                while not self._stop and self._latest is None and not self._calls:
                    self._cond.wait()
                if self._stop:
                    return
                if self._calls:
                    job = self._calls.pop(0)
                else:
                    job, self._latest = self._latest, None
                session, display_l = self._session, self._display_l
                self.busy = True
            try:
                if job.kind == "call":
                    self._run_call(job)
                elif session is not None:
                    self._run_colorize(job, session, display_l)
            finally:
                with self._cond:
                    self.busy = False

    def _is_current(self, job: _Job) -> bool:
        with self._cond:
            return job.generation == self._generation

    def _run_call(self, job: _Job):
        try:
            result = job.payload()
        except Exception as e:  # noqa: BLE001 - reported to the user as a sentence
            msg = str(e) or type(e).__name__
            if not isinstance(e, (ValueError, OSError, MemoryError)):
                msg = f"{type(e).__name__}: {msg}"
                traceback.print_exc()
            self.callFailed.emit(job.tag, msg)
            return
        self.callDone.emit(job.tag, result)

    def _run_colorize(self, job: _Job, session, display_l):
        if not self._is_current(job):
            return
        t0 = time.perf_counter()
        try:
            preview = session.preview(job.payload)
        except Exception as e:  # noqa: BLE001
            traceback.print_exc()
            self.callFailed.emit("colorize", f"colorization failed: {e}")
            return
        ms = (time.perf_counter() - t0) * 1000
        if not self._is_current(job):
            return  # a newer request exists: this result is stale
        self.resultReady.emit(job.generation, preview, ms, "preview")
        # If nothing newer is waiting, follow up with a sharp display-resolution image.
        with self._cond:
            idle = self._latest is None and not self._calls
        if idle and display_l is not None and display_l.shape != preview.shape[:2]:
            sharp = merge_l_ab(display_l, session.predict_ab(job.payload))
            if self._is_current(job):
                self.resultReady.emit(job.generation, sharp, ms, "display")
