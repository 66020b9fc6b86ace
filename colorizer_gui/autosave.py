"""The autosave file: the unsaved work of this run, offered again after a crash, and deleted
once that work is saved or discarded."""
from __future__ import annotations

import time
from pathlib import Path

from net.session_file import SUFFIX, Session, SessionError, load_session, save_session

from .app_settings import autosave_path, autosave_session_key, take_autosave_slot


def restore_question(autosave: Path, now: float | None = None) -> str:
    """What "Restore unsaved work?" asks: which photo, how many hints, and when the work was
    last autosaved, so the user can tell what they are agreeing to."""
    text = "The colorizer did not close normally last time. Restore the hints you were working on"
    try:
        session = load_session(autosave)
        when = autosave.stat().st_mtime
    except (SessionError, OSError):
        return text + "?"
    n = len(session.hints)
    stamp, today = time.localtime(when), time.localtime(time.time() if now is None else now)
    day = "" if stamp[:3] == today[:3] else f" on {stamp.tm_mday} {time.strftime('%B %Y', stamp)}"
    return (f"{text}: {n} hint{'s' if n != 1 else ''} on {Path(session.image).name}, "
            f"autosaved{day} at {time.strftime('%H:%M', stamp)}?")


class Autosave:
    def __init__(self, settings):
        self.settings = settings
        self.restored_from: Path | None = None    # the autosave the unsaved work came from
        take_autosave_slot()     # this run's file, taken at start: a second app gets another

    def write(self, session: Session, session_path: Path | None) -> None:
        """Raises SessionError."""
        path = autosave_path()
        save_session(path, session)
        self.settings.setValue(autosave_session_key(path), str(session_path or ""))

    def saved_to(self, autosave: Path) -> Path | None:
        """The session file the autosaved work belongs to, if it recorded one of its photo."""
        target = self.settings.value(autosave_session_key(autosave), "")
        if not target:
            return None
        target = Path(str(target))
        try:         # the recorded session must be of the autosave's photo (one settings, many runs)
            same = load_session(target).image_path(target).resolve() == \
                load_session(autosave).image_path(autosave).resolve()
        except (SessionError, OSError):
            return None
        return target if same else None

    def set_aside(self) -> Path | None:
        """Move the autosave the work was restored from out of the autosaves' way, to a
        session file named after the time in the data folder (never offered again, never
        overwritten or deleted by this run); its new path, or None when it could not move."""
        src = self.restored_from
        if src is None or not src.is_file():
            return None
        dst = src.parent / time.strftime(f"recovered-%Y%m%d-%H%M%S{SUFFIX}")
        try:
            src.replace(dst)
        except OSError:
            return None
        self.restored_from = None
        return dst

    def remove(self, offered: Path | None = None) -> str | None:
        """Delete this run's autosave, the one the work was restored from and the ``offered``
        one (declined); the error of the first that could not be deleted, or None."""
        error = None
        for p in dict.fromkeys([autosave_path(), self.restored_from, offered]):
            try:
                if p is not None:
                    p.unlink(missing_ok=True)
            except OSError as e:
                error = error or f"The autosave {p} could not be deleted: {e.strerror or e}"
        self.restored_from = None
        return error
