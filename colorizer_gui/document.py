"""The Qt-free document model: one photo and its list of hints.

Views and the inference worker observe it through listeners; every edit goes
through the undo commands in :mod:`colorizer_gui.commands`, which call the
mutators here. ``revision`` increases on every change (autosave uses it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from net.hints import Hint


@dataclass
class Document:
    rgb: np.ndarray | None = None           # the photo as loaded (colour or gray), HxWx3 uint8
    path: Path | None = None
    has_color: bool = False
    hints: list[Hint] = field(default_factory=list)
    revision: int = 0
    _listeners: list[Callable[[str], None]] = field(default_factory=list, repr=False)

    # -- observation ----------------------------------------------------------
    def subscribe(self, fn: Callable[[str], None]) -> None:
        self._listeners.append(fn)

    def _changed(self, kind: str) -> None:
        self.revision += 1
        for fn in list(self._listeners):
            fn(kind)

    # -- queries --------------------------------------------------------------
    @property
    def size(self) -> tuple[int, int]:
        """(height, width), or (0, 0) with no image."""
        return (0, 0) if self.rgb is None else tuple(self.rgb.shape[:2])

    def contains(self, x: float, y: float) -> bool:
        h, w = self.size
        return 0 <= x < w and 0 <= y < h

    def hint_at(self, x: float, y: float, slack: float = 0.0) -> int | None:
        """Index of the topmost hint whose circle contains (x, y), or None."""
        for i in range(len(self.hints) - 1, -1, -1):
            h = self.hints[i]
            if (h.x - x) ** 2 + (h.y - y) ** 2 <= (h.radius + slack) ** 2:
                return i
        return None

    def original_rgb_at(self, x: float, y: float) -> tuple[int, int, int] | None:
        if self.rgb is None or not self.has_color or not self.contains(x, y):
            return None
        return tuple(int(c) for c in self.rgb[int(y), int(x)])

    # -- mutators (called by undo commands) ----------------------------------------
    def set_image(self, rgb: np.ndarray, path: Path | None, has_color: bool) -> None:
        self.rgb, self.path, self.has_color = rgb, path, has_color
        self.hints = []
        self._changed("image")

    def set_hints(self, hints: list[Hint]) -> None:
        self.hints = list(hints)
        self._changed("hints")

    def insert_hints(self, index: int, hints: list[Hint]) -> None:
        self.hints[index:index] = hints
        self._changed("hints")

    def remove_hints(self, index: int, count: int) -> list[Hint]:
        removed = self.hints[index:index + count]
        del self.hints[index:index + count]
        self._changed("hints")
        return removed

    def replace_hint(self, index: int, hint: Hint) -> None:
        self.hints[index] = hint
        self._changed("hints")
