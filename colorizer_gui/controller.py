"""The editor controller: open, save, autosave, export and model switching.

Everything slow runs as a worker job that carries its own context (which photo,
which model, which session file) and hands its result to a typed callback; a
callback whose context is no longer current does nothing. The controller keeps
the invariant that the colorization session belongs to the document's photo and
the current model, re-opening it whenever a job leaves them apart.
"""
from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from net import Colorizer, load_image
from net.atomic import file_sha256
from net.color import rgb_to_l
from net.assets import model_name
from net.hints import Hint
from net.session_file import SUFFIX, Session, SessionError

from . import saving, session_opening
from .app_settings import (add_recent_file, preferred_hint_reach, remember_hint_reach,
                           remember_opened, session_model_switch)
from .autosave import Autosave
from .help_text import ALONE, KEEP, opened_message
from .commands import SetHintReach
from .document import Document, Photo
from .exporting import start_export
from .inference import InferenceWorker, Result
from .prompts import CANCEL, SAVE, Prompts

AUTOSAVE_MS = 3000


def _load_photo(path: Path, colorizer: Colorizer | None):
    """Worker side of opening: decode, hash the file once, lightness, and the model's session."""
    img = load_image(path, incomplete_ok=True)     # the user sees what is missing; told so
    try:
        sha = file_sha256(path)
    except OSError:
        sha = None
    session = colorizer.open(img.rgb) if colorizer is not None else None
    l_full = session.l_full if session is not None else rgb_to_l(img.rgb)  # never convert twice
    return Photo(img.rgb, img.path, img.has_color, l_full, sha, img.rgb16, img.bit_depth,
                 img.flattened, img.metadata, img.incomplete), session


class EditorController(QObject):
    photoOpened = Signal()                 # the document holds a new photo
    modelChanged = Signal()                # a model was loaded (or failed to)
    resultShown = Signal(object)           # Result now on screen
    message = Signal(str, int)             # status-bar text, milliseconds (0: until replaced)
    startupReady = Signal()                # the first model load ended (either way)

    def __init__(self, settings, prompts: Prompts, device: str = "auto", parent=None):
        super().__init__(parent)
        self.settings, self.prompts, self.device = settings, prompts, device
        self.doc = Document()
        self.worker = InferenceWorker(self)
        self.worker.resultReady.connect(self._on_result)
        self.worker.requestFailed.connect(self._on_request_failed)
        self.colorizer: Colorizer | None = None
        self.session = None                  # ColorizeSession of (self._session_photo, self.colorizer)
        self._session_photo: Photo | None = None
        self._opening = 0                    # token of the newest open; older ones are dropped
        self._reopening = False
        self._model_loads = 0                # model loads submitted, not yet answered
        self._loading: list[str] = []        # the weights files of those loads
        self._model_asked = 0                # model loads ever asked for
        self._shown_gen = self.worker.generation       # newest request answered (or failed)
        self._request_t: dict[int, float] = {}
        self.last_result: Result | None = None
        self.last_latency_ms: float | None = None
        self._autosaved_rev = -1
        self.autosave_file = Autosave(settings)
        self._autosave = QTimer(self, interval=AUTOSAVE_MS, timeout=self.autosave)
        self._autosave.start()
        # An empty window already shows the reach a photo opened without a session will get.
        self.doc.hint_reach = preferred_hint_reach(settings)
        self.doc.subscribe(self._on_doc_changed)

    # ------------------------------------------------------------------ state
    def idle(self) -> bool:
        """No job is waiting or running and the newest request's result is on screen."""
        return (not self.worker.pending() and not self._model_loads and not self._reopening
                and self._shown_gen == self.worker.generation)

    def _on_doc_changed(self, kind: str):
        if kind == "reach":        # chosen, undone or redone: what the user sees is the choice
            remember_hint_reach(self.settings, self.doc.hint_reach)
        if kind in ("hints", "image", "reach"):
            self.request()

    def request(self):
        if self.session is None or self._session_photo is not self.doc.photo:
            return
        gen = self.worker.request(self.session, self.doc.hints, self.doc.hint_reach)
        self._request_t[gen] = time.perf_counter()
        if len(self._request_t) > 256:
            for k in sorted(self._request_t)[:-64]:
                del self._request_t[k]

    def _on_result(self, r: Result):
        if r.session is not self.session or r.generation != self.worker.generation:
            return  # stale, or made for another photo or model
        self._shown_gen = r.generation
        self.last_result = r
        t0 = self._request_t.pop(r.generation, None) if r.kind == "display" else \
            self._request_t.get(r.generation)
        if t0 is not None and r.kind == "preview":
            self.last_latency_ms = (time.perf_counter() - t0) * 1000
        self.resultShown.emit(r)

    def _on_request_failed(self, generation: int, message: str):
        self._shown_gen = max(self._shown_gen, generation)
        self.prompts.error("Colorization failed", message)

    def _set_session(self, session, photo: Photo | None):
        self.session, self._session_photo = session, photo
        self.last_result = None
        self._shown_gen = self.worker.generation
        self.request()

    def _ensure_session(self):
        """Re-open the colorization session when the photo or the model moved on without it."""
        photo, colorizer = self.doc.photo, self.colorizer
        if photo is None or colorizer is None or self._reopening:
            return
        if self.session is not None and self._session_photo is photo \
                and self.session.colorizer is colorizer:
            return
        self._reopening = True

        def done(session):
            self._reopening = False
            if photo is self.doc.photo and colorizer is self.colorizer:
                self._set_session(session, photo)
            else:
                self._ensure_session()

        def failed(msg):
            self._reopening = False
            self.prompts.error("The photo could not be prepared for the model", msg)

        self.worker.submit(lambda: colorizer.open(photo.rgb), done, failed)

    # ------------------------------------------------------------------ replacing the document
    def confirm_replace(self, action: str) -> bool:
        """Ask before unsaved hints would be replaced; True when it is fine to go on."""
        if not self.doc.has_unsaved_hints:
            return True
        answer = self.prompts.save_changes(action)
        if answer == CANCEL:
            return False
        if answer == SAVE:
            return self.save()
        self.drop_autosave()                        # the user discarded this work
        return True

    def open_path(self, path, hints: list[Hint] | None = None, session_path: Path | None = None,
                  expected_sha: str | None = None, ask: bool = True, unsaved: bool = False,
                  hint_reach: str | None = None, model: tuple | None = None,
                  moved: bool = False) -> bool:
        """Open a photo (or a session file); False when nothing was started.

        The photo is decoded first; only when it is about to replace the current one are
        unsaved hints asked about (``ask``), so a file that is no photo costs no question. A
        photo opened without a session's ``hint_reach`` gets the one last chosen. A session's
        hints that do not fit the photo, or a photo that is not the file the session was saved
        with, are asked about first (:func:`.session_opening.session_fits`). ``moved``: the user located the
        session's photo elsewhere, so the session counts as changed (Save records the place)."""
        path = Path(path)
        if path.name.endswith(SUFFIX):
            return self.open_session(path, ask=ask)
        self._opening += 1
        token, colorizer, asked = self._opening, self.colorizer, self._model_asked

        def done(result):
            if token != self._opening:
                return                      # a newer open replaced this one
            photo, session = result
            fits = session_opening.session_fits(self, photo, hints or [], session_path,
                                                expected_sha, unsaved)
            if fits is None:
                self.message.emit("", 0)
                return
            if fits == ALONE:                   # the photo without the session's hints
                hints_, session_, sha_, unsaved_, moved_ = [], None, None, False, False
            else:
                hints_, session_, sha_, unsaved_, moved_ = hints or [], session_path, \
                    expected_sha, unsaved, moved
            opening = session_ if session_ is not None and not unsaved_ else path
            if ask and not self.confirm_replace(f"opening {opening.name}"):
                self.message.emit("", 0)
                return
            # A model chosen while the photo was read wins over the session's.
            self._finish_open(photo, session, colorizer, hints_, session_, sha_, unsaved_,
                              hint_reach if fits == KEEP else None,
                              model if asked == self._model_asked and fits == KEEP else None,
                              moved_)

        def failed(msg):
            if token == self._opening:
                self.prompts.error("The photo could not be opened", msg)
                self.message.emit("", 0)

        self.message.emit(f"Opening {path.name}…", 0)
        self.worker.submit(lambda: _load_photo(path, colorizer), done, failed)
        return True

    def _finish_open(self, photo: Photo, session, colorizer, hints, session_path, expected_sha,
                     unsaved: bool, hint_reach: str | None = None, model: tuple | None = None,
                     moved: bool = False):
        h, w = photo.rgb.shape[:2]
        self.doc.load(photo, hints, session_path, unsaved=(unsaved or moved) and bool(hints),
                      hint_reach=hint_reach or preferred_hint_reach(self.settings))
        # A saved session is what to reopen (its hints come with it), else the photo.
        add_recent_file(self.settings, session_path if session_path and not unsaved else photo.path)
        remember_opened(self.settings, photo.path, session_path if not unsaved else None)
        self._set_session(session if colorizer is self.colorizer else None, photo)
        self._ensure_session()
        changed = session_opening.other_file(photo, expected_sha)
        self.photoOpened.emit()
        text = opened_message(photo.path.name, (h, w), len(hints), session_path and
                              session_path.name, unsaved, photo.has_color, changed,
                              photo.bit_depth, photo.flattened, photo.incomplete)
        if moved and hints and not unsaved:
            text += ". Save records the photo's new place in the session"
        self.message.emit(text, 20000 if photo.incomplete else 8000)
        self._use_session_model(model)

    def open_session(self, path: Path, remember: bool = True, ask: bool = True,
                     save_to: Path | None = None) -> bool:
        """Open a session file (:func:`.session_opening.open_session`)."""
        return session_opening.open_session(self, path, remember, ask, save_to)

    def _use_session_model(self, model: tuple | None) -> None:
        """Switch to the model a session was saved with, ``(name, path, sha256)``, when another
        is in use and that one is here; a model that is not here is a warning."""
        switch = session_model_switch(model, self.colorizer)
        if switch.path is not None:           # said once loaded (a new model clears the status)
            self.load_model(str(switch.path), note="" if switch.warn else switch.note)
        if switch.warn:
            self.prompts.error("The session's model is not here", switch.note)

    def restore_autosave(self, path: Path) -> bool:
        """Reopen the work a crashed run left; Save then writes to the session file that work
        came from, when the autosave recorded one for the same photo."""
        self.autosave_file.restored_from = path
        return self.open_session(path, remember=False, ask=False,
                                 save_to=self.autosave_file.saved_to(path))

    def drop_autosave(self, offered: Path | None = None) -> None:
        """The unsaved work was saved or discarded (or the ``offered`` autosave declined):
        delete the autosave and the one the work was restored from, if another."""
        error = self.autosave_file.remove(offered)
        if error:
            self.message.emit(error, 15000)

    # ------------------------------------------------------------------ model
    def models_in_use(self) -> list[str]:
        """The weights file the app uses and those it is loading (not to be moved or deleted)."""
        path = self.colorizer.path if self.colorizer is not None else None
        return ([str(path)] if path else []) + self.models_loading()

    def models_loading(self) -> list[str]:
        """The weights files being loaded now."""
        return list(self._loading)

    def load_model(self, model: str | None, initial: bool = False, note: str = ""):
        """Load ``model`` (None: the bundled default) in the background; ``note``: a status
        message once it is in use."""
        device, photo = self.device, self.doc.photo
        self._model_loads += 1
        self._model_asked += 1
        asked = [str(model)] if model else []
        self._loading += asked

        def answered():
            self._model_loads -= 1
            for p in asked:
                self._loading.remove(p)

        def run():
            c = Colorizer.load(model, device=device)
            return c, (c.open(photo.rgb) if photo is not None else None)

        def done(result):
            answered()
            colorizer, session = result
            self.colorizer = colorizer
            self.settings.setValue("model", str(colorizer.path))
            if photo is not None and photo is self.doc.photo:
                self._set_session(session, photo)
            else:
                self.session = None
                self._ensure_session()
            self.modelChanged.emit()
            if note:
                self.message.emit(note, 15000)
            if initial:
                self.startupReady.emit()

        def failed(msg):
            answered()
            self.message.emit("", 0)                     # not "Loading model…" any more
            self.prompts.error("The model could not be loaded", msg.rstrip(".") + "." + (
                "" if self.colorizer is None else "\nThe previous model stays in use."))
            self.modelChanged.emit()
            if initial and self.settings.value("model", None):
                # A remembered model that no longer loads: fall back to the bundled default.
                self.settings.remove("model")
                self.load_model(None, initial=True)
            elif initial:
                self.startupReady.emit()

        self.message.emit(f"Loading model {model_name(model) if model else 'default'}…", 0)
        self.worker.submit(run, done, failed)

    def set_hint_reach(self, reach: str) -> None:
        """How far the hints' colour reaches (net.hint_reach); an undoable edit of the document."""
        remember_hint_reach(self.settings, reach)
        if reach != self.doc.hint_reach:
            self.doc.history.push(SetHintReach(self.doc, reach))

    def set_device(self, name: str):
        self.device = name
        self.load_model(str(self.colorizer.path) if self.colorizer else None)

    # ------------------------------------------------------------------ sessions (:mod:`.saving`)
    def current_session(self) -> Session:
        return saving.session_of(self.doc, self.colorizer)

    def save(self) -> bool:
        return saving.save(self)

    def save_as(self) -> bool:
        return saving.save_as(self)

    def write_session(self, path: Path) -> bool:
        return saving.write_session(self, path)

    def autosave(self) -> None:
        """Write unsaved hints to the autosave file (only unsaved work; never an empty photo)."""
        if self.doc.path is not None and not self.doc.dirty and self._autosaved_rev >= 0:
            self._autosaved_rev = -1        # edited back to the saved hints: nothing to recover
            self.drop_autosave()
        if self.doc.path is None or not self.doc.dirty or self.doc.revision == self._autosaved_rev:
            return
        try:
            self.autosave_file.write(self.current_session(), self.doc.session_path)
            self._autosaved_rev = self.doc.revision
        except SessionError as e:
            self.message.emit(f"Autosave failed: {e}", 8000)

    def stop(self) -> None:
        """The window closes after the user saved or discarded: no recovery needed."""
        self._autosave.stop()
        self.drop_autosave()
        self.worker.shutdown()

    # ------------------------------------------------------------------ export
    def export_to(self, path: Path, quality: int | None = None, confirm: bool = True,
                  agreed: bool = False) -> bool:
        """Render at full resolution and write ``path`` (:mod:`.exporting`); False when nothing
        was started."""
        return start_export(self, Path(path), quality, confirm, agreed)

    def likely_colours_at(self, x: float, y: float, count: int = 3) -> list:
        """The model's likely automatic colours at an image point (empty without a classifier)."""
        if self.session is None or self._session_photo is not self.doc.photo:
            return []
        return self.session.likely_colours_at(x, y, count)

    def result_rgb_at(self, x: float, y: float):
        """The colour now shown in the result at an image point, or None."""
        if self.last_result is None:
            return None
        h, w = self.doc.size
        img = self.last_result.rgb
        rh, rw = img.shape[:2]
        return tuple(int(c) for c in img[min(rh - 1, int(y * rh / h)), min(rw - 1, int(x * rw / w))])

