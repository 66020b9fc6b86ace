"""Saving the editor's work as a session file: Save, Save as, and the session they (and the
autosave) write, with the photo's hash and the model in use so reopening can check both.

The editor controller's ``save``, ``save_as``, ``write_session`` and ``current_session`` run
these, as its ``export_to`` runs :mod:`.exporting`.
"""
from __future__ import annotations

from pathlib import Path

from net.session_file import SUFFIX, Session, SessionError, save_session

from .app_settings import add_recent_file, default_save_dir, remember_session_dir


def session_of(doc, colorizer) -> Session:
    """The session of the document ``doc`` (a photo is open) colorized by ``colorizer``."""
    c = colorizer
    return Session(image=str(doc.path.resolve()), hints=list(doc.hints),
                   image_sha256=doc.photo_sha256, model=c.name if c else "default",
                   hint_reach=doc.hint_reach,
                   model_path=str(Path(c.path).resolve()) if c and c.path else None,
                   model_sha256=(c.meta or {}).get("tensors_sha256") if c else None)


def _has_photo(ctl) -> bool:
    if ctl.doc.path is None:
        ctl.prompts.error("Nothing to save", "Open a photo first.")
        return False
    return True


def save(ctl) -> bool:
    """Save to the session file the work came from, else ask where (:func:`save_as`)."""
    if not _has_photo(ctl):
        return False
    if ctl.doc.session_path is None:
        return ctl.save_as()
    return ctl.write_session(ctl.doc.session_path)


def save_as(ctl) -> bool:
    """Ask where, then save there (the session suffix added when missing)."""
    if not _has_photo(ctl):
        return False
    doc = ctl.doc
    start = str(doc.session_path or default_save_dir(doc.path) / (doc.path.stem + SUFFIX))
    path = ctl.prompts.save_file("Save session", start, f"Colorizer sessions (*{SUFFIX})")
    if not path:
        return False
    low = path.lower()                        # "Oma 12.05.1950" keeps its date; "x.json" is x
    stem = path[:-len(SUFFIX)] if low.endswith(SUFFIX) else \
        path[:-len(".json")] if low.endswith(".json") else path
    path = stem + SUFFIX                      # in lower case: what Open knows a session by
    return ctl.write_session(Path(path))


def write_session(ctl, path: Path) -> bool:
    """Write the session to ``path``; False (and the user told why) when it was not written."""
    try:
        save_session(path, ctl.current_session())
    except SessionError as e:
        ctl.prompts.error("The session was not saved", str(e))
        return False
    add_recent_file(ctl.settings, path)          # reopening it brings the hints back
    remember_session_dir(ctl.settings, path)     # File > Open session starts there
    ctl.doc.mark_saved(path)
    ctl.message.emit(f"Saved {path.name}", 5000)
    ctl.drop_autosave()                          # nothing unsaved left to recover
    return True
