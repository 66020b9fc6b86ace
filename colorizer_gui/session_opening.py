"""Opening a session file in the editor: reading it, finding its photo (or asking the user to
locate it), and deciding whether its hints go on the photo that was opened.

The editor controller's ``open_session`` runs :func:`open_session`, and its ``open_path`` asks
:func:`session_fits` once the photo is decoded, as its ``save`` runs :mod:`.saving`.
"""
from __future__ import annotations

import os
from pathlib import Path

from net.formats import read_filter
from net.session_file import SessionError, check_hints_fit, load_session

from .document import Photo
from .help_text import ALONE, KEEP, hints_misfit_text, other_photo_text


def other_file(photo: Photo, expected_sha: str | None) -> bool:
    """Whether ``photo`` is known not to be the file a session recorded (its SHA-256)."""
    return bool(expected_sha and photo.sha256 and expected_sha != photo.sha256)


def session_fits(ctl, photo: Photo, hints, session_path: Path | None,
                 expected_sha: str | None, restoring: bool = False) -> str | None:
    """Whether a session's ``hints`` go on ``photo``: KEEP (they fit, and it is the file the
    session was saved with, or the user says to use them all the same), ALONE (some lie
    outside it and the user opens the photo without them, tied to no session file, so no
    Save can empty the session) or None (open nothing). Without hints: KEEP. Work
    ``restoring`` from a crash's autosave that does not go on the photo is first set aside
    as a session file of its own (:meth:`Autosave.set_aside`), which the question names:
    this run's autosave would overwrite it, closing the window delete it."""
    if not hints:
        return KEEP
    name = session_path.name if session_path is not None and not restoring \
        else "the restored work"
    try:
        check_hints_fit(hints, photo.rgb.shape[:2])
    except SessionError as e:
        kept = ctl.autosave_file.set_aside() if restoring else None
        return ALONE if ctl.prompts.yes_no(
            "The session's hints do not fit this photo",
            hints_misfit_text(name, photo.path.name, str(e), kept)) else None
    if other_file(photo, expected_sha):
        if ctl.prompts.yes_no("Not the photo the session was saved with",
                              other_photo_text(name, photo.path.name, len(hints))):
            return KEEP
        kept = ctl.autosave_file.set_aside() if restoring else None
        if kept is not None:
            ctl.message.emit(f"The restored work is kept in {kept}", 0)
        return None
    return KEEP


def open_session(ctl, path: Path, remember: bool = True, ask: bool = True,
                 save_to: Path | None = None) -> bool:
    """Open a session file in the editor ``ctl``; False when nothing was started.
    ``remember=False`` (an autosave) opens its hints as unsaved work, which Save writes to
    ``save_to`` (else it asks where)."""
    try:
        s = load_session(path)
    except SessionError as e:
        name = Path(path).name
        ctl.prompts.error("The session could not be opened",
                          str(e) if name in str(e) else f"{name}: {e}")
        return False
    img = Path(os.path.normpath(s.image_path(path)))
    moved = False
    if not img.is_file():
        if not ctl.prompts.yes_no("Photo not found", f"The session's photo {img.name} was not "
                                  f"found in\n{img.parent}\n\nLocate it?"):
            return False
        found = ctl.prompts.open_file(f"Locate {img.name}", str(Path(path).parent),
                                      f"{read_filter()};;All files (*)")
        if not found:
            return False
        img, moved = Path(found), True
    return ctl.open_path(img, hints=s.hints, session_path=Path(path) if remember else save_to,
                         expected_sha=s.image_sha256, ask=ask, unsaved=not remember,
                         hint_reach=s.hint_reach, model=(s.model, s.model_path, s.model_sha256),
                         moved=moved and remember)
