"""Turns mouse gestures on the photo into undoable hint edits.

* click on empty photo: add a hint with the current colour and radius;
* drag on empty photo: paint a stroke of hints (spaced by ~0.75 radius), one undo step;
* click on a hint: select it; drag it: move it (one undo step);
* Alt+click: eyedropper (handled by the window; the tool only reports it).
"""
from __future__ import annotations

import itertools
import math

from PySide6.QtCore import QObject, QPointF, Qt, Signal
from PySide6.QtGui import QUndoStack

from net.hints import Hint

from .commands import AddHintsCommand, EditHintCommand, RemoveHintCommand, SetHintsCommand
from .document import Document

MIN_RADIUS, MAX_RADIUS = 1.0, 500.0


class HintTool(QObject):
    selectionChanged = Signal(object)     # index or None
    radiusChanged = Signal(float)
    colorChanged = Signal(tuple)
    eyedropper = Signal(QPointF, object)  # image point, the view's object name

    def __init__(self, doc: Document, undo: QUndoStack, parent=None):
        super().__init__(parent)
        self.doc, self.undo = doc, undo
        self.color: tuple[int, int, int] = (200, 40, 40)
        self.radius = 8.0
        self.selected: int | None = None
        self._gesture = None          # ("stroke", id, last point) | ("move", id, index, offset)
        self._ids = itertools.count(1)
        self._resize_gesture = next(self._ids)   # radius steps on one selection merge
        doc.subscribe(self._on_doc_changed)

    # -- state ------------------------------------------------------------------
    def set_color(self, rgb) -> None:
        rgb = tuple(int(c) for c in rgb)
        self.color = rgb
        self.colorChanged.emit(rgb)
        if self.selected is not None:
            self._edit_selected(lambda h: Hint(h.x, h.y, h.radius, rgb), "Recolour hint")

    def set_radius(self, r: float) -> None:
        r = float(min(MAX_RADIUS, max(MIN_RADIUS, r)))
        if r == self.radius:
            return
        self.radius = r
        self.radiusChanged.emit(r)
        if self.selected is not None:
            self._edit_selected(lambda h: Hint(h.x, h.y, r, h.rgb), "Resize hint", merge=True)

    def step_radius(self, direction: int) -> None:
        self.set_radius(self.radius * (1.15 if direction > 0 else 1 / 1.15))

    def select(self, index: int | None) -> None:
        if index is not None and not (0 <= index < len(self.doc.hints)):
            index = None
        self.selected = index
        self._resize_gesture = next(self._ids)
        if index is not None:
            h = self.doc.hints[index]
            self.color, self.radius = h.rgb, h.radius
            self.colorChanged.emit(h.rgb)
            self.radiusChanged.emit(h.radius)
        self.selectionChanged.emit(index)

    def _on_doc_changed(self, kind: str) -> None:
        if self.selected is not None and self.selected >= len(self.doc.hints):
            self.selected = None
            self.selectionChanged.emit(None)

    def _edit_selected(self, make, text: str, merge: bool = False) -> None:
        i = self.selected
        new = make(self.doc.hints[i])
        if new != self.doc.hints[i]:
            gesture = self._resize_gesture if merge else next(self._ids)
            self.undo.push(EditHintCommand(self.doc, i, new, gesture, text))

    # -- commands -------------------------------------------------------------------
    def delete_selected(self) -> None:
        if self.selected is not None:
            i = self.selected
            self.select(None)
            self.undo.push(RemoveHintCommand(self.doc, i))

    def clear(self) -> None:
        if self.doc.hints:
            self.select(None)
            self.undo.push(SetHintsCommand(self.doc, [], "Clear all hints"))

    def add_hint(self, x: float, y: float, stroke: int | None = None) -> None:
        hint = Hint(x, y, self.radius, self.color)
        self.undo.push(AddHintsCommand(self.doc, [hint], stroke if stroke is not None else next(self._ids)))

    # -- gestures (image coordinates) --------------------------------------------------
    def press(self, p: QPointF, button, modifiers, view_name: str = "") -> None:
        if self.doc.rgb is None or button != Qt.MouseButton.LeftButton:
            return
        if modifiers & Qt.KeyboardModifier.AltModifier:
            self.eyedropper.emit(p, view_name)
            return
        x, y = p.x(), p.y()
        idx = self.doc.hint_at(x, y)
        if idx is not None:
            self.select(idx)
            h = self.doc.hints[idx]
            self._gesture = ("move", next(self._ids), idx, (h.x - x, h.y - y))
            return
        if not self.doc.contains(x, y):
            return
        if self.selected is not None:
            self.select(None)
        stroke = next(self._ids)
        self.add_hint(x, y, stroke)
        self._gesture = ("stroke", stroke, (x, y))

    def drag(self, p: QPointF) -> None:
        g = self._gesture
        if g is None:
            return
        x, y = p.x(), p.y()
        h_img, w_img = self.doc.size
        x, y = min(max(x, 0.0), w_img - 1e-3), min(max(y, 0.0), h_img - 1e-3)
        if g[0] == "stroke":
            lx, ly = g[2]
            step = max(1.0, 0.75 * self.radius)
            d = math.hypot(x - lx, y - ly)
            if d < step:
                return
            n = int(d // step)
            pts = [(lx + (x - lx) * k * step / d, ly + (y - ly) * k * step / d) for k in range(1, n + 1)]
            self.undo.push(AddHintsCommand(self.doc, [Hint(px, py, self.radius, self.color)
                                                      for px, py in pts], g[1]))
            self._gesture = ("stroke", g[1], pts[-1])
        else:
            _, gid, idx, (ox, oy) = g
            if idx >= len(self.doc.hints):
                self._gesture = None
                return
            h = self.doc.hints[idx]
            new = Hint(x + ox, y + oy, h.radius, h.rgb)
            if new != h:
                self.undo.push(EditHintCommand(self.doc, idx, new, gid, "Move hint"))

    def release(self, p: QPointF) -> None:
        self._gesture = None
        self._resize_gesture = next(self._ids)
