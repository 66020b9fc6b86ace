"""The Qt-free document: one photo, where it came from, its hints, and whether they are saved.

Every edit goes through an undo command (:mod:`colorizer_gui.commands`) pushed on
``doc.history``; the commands call the mutators here. Observers (views, the
controller) subscribe to changes: ``"image"`` when a photo replaces the previous
one, ``"hints"`` on every hint edit, ``"reach"`` when the hints' reach changes
(:mod:`net.hint_reach`), ``"saved"`` when the saved state changes.
``revision`` increases on every change (autosave uses it).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from net.hint_reach import DEFAULT_HINT_REACH, check_hint_reach
from net.image_metadata import NO_METADATA, ImageMetadata
from net.hints import Hint, Stroke

from .commands import History

AnyHint = Hint | Stroke


@dataclass(frozen=True)
class Photo:
    """A decoded photo and what was computed from it once, off the UI thread."""

    rgb: np.ndarray                  # HxWx3 uint8 as loaded (colour or gray)
    path: Path
    has_color: bool
    l_full: np.ndarray               # HxW float32 lightness, [0, 100]
    sha256: str | None               # of the file, for sessions (None if unreadable)
    rgb16: np.ndarray | None = None  # HxWx3 uint16 of a 16-bit file (for export), else None
    bit_depth: int = 8               # bits per channel of the file
    flattened: bool = False          # transparent pixels were put on white (net.load_image)
    metadata: ImageMetadata = NO_METADATA  # resolution and EXIF, for export (net.load_image)
    incomplete: bool = False         # the file ends early; the rest is filling (net.load_image)


def touching(hints, x: float, y: float, radius: float) -> list[int]:
    """Indices of the hints that a brush of ``radius`` at (x, y) touches."""
    return [i for i, h in enumerate(hints) if h.distance(x, y) <= h.radius + radius]


def erased(hints, x: float, y: float, radius: float) -> list[AnyHint] | None:
    """``hints`` after a brush of ``radius`` at (x, y) erases: the circles it touches go, the
    strokes it touches are cut where it passes (their pieces keep their place in the order).
    None when it changes nothing."""
    hit = set(touching(hints, x, y, radius))
    if not hit:
        return None
    out = []
    for i, h in enumerate(hints):
        if i not in hit:
            out.append(h)
        elif isinstance(h, Stroke):
            out.extend(h.outside(x, y, h.radius + radius))
    return out if out != list(hints) else None


class Document:
    def __init__(self):
        self.photo: Photo | None = None
        self.session_path: Path | None = None
        self.hints: list[AnyHint] = []
        self.hint_reach = DEFAULT_HINT_REACH     # how far the hints' colour reaches
        self.revision = 0
        self.history = History(on_change=self._history_changed)
        self._saved_state: tuple | None = self._state()   # None: no state here is saved
        self._listeners: list[Callable[[str], None]] = []

    # -- observation ----------------------------------------------------------------
    def subscribe(self, fn: Callable[[str], None]) -> None:
        self._listeners.append(fn)

    def _changed(self, kind: str) -> None:
        self.revision += 1
        for fn in list(self._listeners):
            fn(kind)

    def _history_changed(self) -> None:
        if self.history.is_clean():                  # saved here (or told to count as saved)
            self._saved_state = self._state()
        for fn in list(self._listeners):
            fn("history")

    # -- queries ------------------------------------------------------------------------
    @property
    def rgb(self) -> np.ndarray | None:
        return None if self.photo is None else self.photo.rgb

    @property
    def path(self) -> Path | None:
        return None if self.photo is None else self.photo.path

    @property
    def has_color(self) -> bool:
        return self.photo is not None and self.photo.has_color

    @property
    def photo_sha256(self) -> str | None:
        return None if self.photo is None else self.photo.sha256

    @property
    def size(self) -> tuple[int, int]:
        """(height, width), or (0, 0) with no photo."""
        return (0, 0) if self.photo is None else tuple(self.photo.rgb.shape[:2])

    def _state(self) -> tuple:
        """What a session file keeps of the edits: the hints and their reach."""
        return tuple(self.hints), self.hint_reach

    @property
    def dirty(self) -> bool:
        """The hints differ from what was last saved (or opened), however they got there:
        by undo, or by edits that put back what the file holds. Never without a photo: there
        is nothing to save (the empty window's reach is a preference, not work)."""
        return self.photo is not None and self._saved_state != self._state()

    @property
    def has_unsaved_hints(self) -> bool:
        """Replacing this document would lose work: unsaved edits and some hints to lose."""
        return self.dirty and bool(self.hints)

    def contains(self, x: float, y: float) -> bool:
        h, w = self.size
        return 0 <= x < w and 0 <= y < h

    def hint_at(self, x: float, y: float, slack: float = 0.0) -> int | None:
        """Index of the topmost hint (circle or stroke) under (x, y), or None."""
        for i in range(len(self.hints) - 1, -1, -1):
            h = self.hints[i]
            if h.distance(x, y) <= h.radius + slack:
                return i
        return None

    def hints_touching(self, x: float, y: float, radius: float) -> list[int]:
        """Indices of every hint that a brush of ``radius`` at (x, y) touches."""
        return touching(self.hints, x, y, radius)

    def erased(self, x: float, y: float, radius: float) -> list[AnyHint] | None:
        """The hints after a brush of ``radius`` at (x, y) erases (:func:`erased`)."""
        return erased(self.hints, x, y, radius)

    def lightness_at(self, x: float, y: float) -> float | None:
        if self.photo is None or not self.contains(x, y):
            return None
        return float(self.photo.l_full[int(y), int(x)])

    def original_rgb_at(self, x: float, y: float) -> tuple[int, int, int] | None:
        if self.photo is None or not self.has_color or not self.contains(x, y):
            return None
        return tuple(int(c) for c in self.photo.rgb[int(y), int(x)])

    # -- replacing the photo (not undoable) ---------------------------------------------------
    def load(self, photo: Photo, hints: list[AnyHint] = (), session_path: Path | None = None,
             unsaved: bool = False, hint_reach: str = DEFAULT_HINT_REACH) -> None:
        """A new photo with these hints; the history starts empty. The state counts as saved
        unless ``unsaved`` (hints recovered from an autosave, which nothing else holds)."""
        self.photo = photo
        self.session_path = session_path
        self.hints = list(hints)
        self.hint_reach = check_hint_reach(hint_reach)
        self.history.clear()
        if unsaved:
            self.history.set_unreachable_clean()
            self._saved_state = None
        self._changed("image")

    def mark_saved(self, session_path: Path) -> None:
        self.session_path = session_path
        self.history.set_clean()
        self._changed("saved")

    # -- mutators (called by undo commands) ---------------------------------------------------
    def set_hints(self, hints: list[AnyHint]) -> None:
        self.hints = list(hints)
        self._changed("hints")

    def insert_hints(self, index: int, hints: list[AnyHint]) -> None:
        self.hints[index:index] = hints
        self._changed("hints")

    def remove_hints(self, index: int, count: int) -> list[AnyHint]:
        removed = self.hints[index:index + count]
        del self.hints[index:index + count]
        self._changed("hints")
        return removed

    def set_hint_reach(self, reach: str) -> None:
        self.hint_reach = check_hint_reach(reach)
        self._changed("reach")

    def replace_hint(self, index: int, hint: AnyHint) -> None:
        self.hints[index] = hint
        self._changed("hints")
