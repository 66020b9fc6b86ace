"""Turns mouse gestures on the photo into undoable hint edits.

* click on empty photo: add a circle hint with the current colour and radius;
* drag on empty photo: paint one stroke (a polyline hint), one undo step;
* click on a hint: select it; drag it: move it, strokes as a whole (one undo step);
* the colour and radius controls recolour / resize the selected hint; with none selected they
  only set the brush. While a hint is selected they show its colour and radius, and the brush
  comes back when it is deselected (selecting a hint does not change the colour and size the
  next hint is painted with). A new hint is not selected; a click beside the photo deselects;
* undo and redo select the hint a move, resize or recolour changed, else deselect (adding or
  removing hints may shift the selected index onto another hint);
* eraser mode: click or drag removes the circles the brush touches and cuts strokes
  where it passes (one undo step);
* Alt+click: eyedropper (handled by the window; the tool only reports it).

The radius is in image pixels; it is kept relative to the photo (a fraction of its
long side, :func:`photo_side`), so it means the same on a thumbnail and on a 12 MP photo.
"""
from __future__ import annotations

import itertools
import math

from PySide6.QtCore import QObject, QPointF, Qt, Signal

from net.hints import Hint, Stroke, photo_side

from .commands import AddHints, EditHint, RemoveHints, SetHints
from .document import Document, erased

MIN_RADIUS = 1.0
DEFAULT_FRACTION = 0.02          # radius as a share of the photo's side (photo_side)
HIDDEN_ERASE_TEXT = ("The hints are not shown here, so the eraser leaves them alone: erase on "
                     "the photo with the hints shown (H shows them).")


def max_radius_for(side: int) -> float:
    """Largest radius offered: a quarter of :func:`photo_side` (1000 px on a 12 MP photo), at
    least 50."""
    return max(50.0, side / 4)


class HintTool(QObject):
    selectionChanged = Signal(object)     # index or None
    radiusChanged = Signal(float)
    colorChanged = Signal(tuple)
    hintPainted = Signal(tuple)           # a new hint in this colour (the brush's)
    modeChanged = Signal(str)             # "paint" | "erase"
    notice = Signal(str)                  # why a gesture did nothing (for the status bar)
    eyedropper = Signal(QPointF, object)  # image point, the view's object name

    def __init__(self, doc: Document, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.color: tuple[int, int, int] = (200, 40, 40)
        self.radius = 8.0
        self.fraction = DEFAULT_FRACTION
        self.max_radius = 500.0
        self.mode = "paint"
        self.selected: int | None = None
        self._brush = None          # (colour, radius, fraction) kept while a hint is selected
        self._gesture = None
        self._ids = itertools.count(1)
        self._resize_gesture = next(self._ids)   # radius steps on one selection merge
        self._colour_drag = None    # the gesture of a drag through the colour picker in progress
        doc.subscribe(self._on_doc_changed)

    @property
    def history(self):
        return self.doc.history

    # -- state -----------------------------------------------------------------------
    def set_color(self, rgb, dragging: bool = False) -> bool:
        """The brush colour, and the selected hint's. ``dragging``: one more colour of a drag
        through the colour picker, which is one undo step with the colour it ends on (the call
        without ``dragging`` ends it). True when this call changed the selected hint's colour
        (a drag's last call: when the drag did)."""
        rgb = tuple(int(c) for c in rgb)
        self.color = rgb
        self.colorChanged.emit(rgb)
        if self.selected is None:
            return False
        gesture = self._colour_drag or next(self._ids)
        self._colour_drag = gesture if dragging else None
        self._edit_selected(lambda h: h.with_rgb(rgb), "Recolour hint", gesture)
        # The gesture's step is on top exactly when it changed the hint: a choice of the same
        # colour pushes none, and a drag back to its first colour is dropped by the history.
        top = self.history.next_undo()
        return top is not None and top.gesture == gesture

    def set_radius(self, r: float) -> None:
        r = float(min(self.max_radius, max(MIN_RADIUS, r)))
        if r == self.radius:
            return
        self.radius = r
        h, w = self.doc.size
        if h and self.selected is None:          # the brush's size, kept relative to the photo
            self.fraction = r / photo_side(h, w)
        self.radiusChanged.emit(r)
        if self.selected is not None:
            self._edit_selected(lambda hint: hint.with_radius(r), "Resize hint",
                                self._resize_gesture)

    def step_radius(self, direction: int) -> None:
        self.set_radius(self.radius * (1.15 if direction > 0 else 1 / 1.15))

    def set_mode(self, mode: str) -> None:
        if mode not in ("paint", "erase"):
            raise ValueError(f"unknown tool mode {mode!r}")
        if mode != self.mode:
            self.mode = mode
            if mode == "erase":
                self.select(None)
            self.modeChanged.emit(mode)

    def select(self, index: int | None) -> None:
        if index is not None and not (0 <= index < len(self.doc.hints)):
            index = None
        if index is not None and self._brush is None:
            self._brush = (self.color, self.radius, self.fraction)
        self.selected = index
        self._resize_gesture = next(self._ids)
        self._colour_drag = None
        if index is not None:
            h = self.doc.hints[index]
            self._show(h.rgb, h.radius)
        else:
            self._restore_brush()
        self.selectionChanged.emit(index)

    def _show(self, rgb, radius: float) -> None:
        """The colour and radius controls show ``rgb`` and ``radius``."""
        self.color, self.radius = rgb, radius
        self.colorChanged.emit(rgb)
        self.radiusChanged.emit(radius)

    def _restore_brush(self) -> None:
        """Nothing is selected any more: the controls show the brush again."""
        if self._brush is not None:
            rgb, radius, self.fraction = self._brush
            self._brush = None
            self._show(rgb, radius)

    def _on_doc_changed(self, kind: str) -> None:
        if kind == "image":
            h, w = self.doc.size
            self.max_radius = max_radius_for(photo_side(h, w))
            self.selected = None
            self._restore_brush()
            self.selectionChanged.emit(None)
            r = min(self.max_radius, max(MIN_RADIUS, self.fraction * photo_side(h, w)))
            if r != self.radius:
                self.radius = r
                self.radiusChanged.emit(r)
        elif self.selected is not None and self.selected >= len(self.doc.hints):
            self.selected = None
            self._restore_brush()
            self.selectionChanged.emit(None)

    def _edit_selected(self, make, text: str, gesture: int | None = None) -> None:
        """Replace the selected hint by ``make(hint)``: one undo step, or merged into the step
        of the same ``gesture`` on top of the history (None: a step of its own)."""
        i = self.selected
        new = make(self.doc.hints[i])
        if new != self.doc.hints[i]:
            self.history.push(EditHint(self.doc, i, new,
                                       next(self._ids) if gesture is None else gesture, text))

    # -- commands ------------------------------------------------------------------------
    def undo(self) -> None:
        """Undo and redo select the hint a move, resize or recolour they take back or repeat
        changed (such edits keep the list's order), so the next colour or radius goes to it
        again; any other step deselects: adding or removing hints may shift the selected index
        onto another hint (and the next colour would recolour that one)."""
        self._step(self.history.undo, self.history.next_undo())

    def redo(self) -> None:
        self._step(self.history.redo, self.history.next_redo())

    def _step(self, step, cmd) -> None:
        self.select(None)
        step()
        if isinstance(cmd, EditHint) and cmd.index < len(self.doc.hints) and self.mode == "paint":
            self.select(cmd.index)                  # (the eraser keeps nothing selected)

    def delete_selected(self) -> None:
        if self.selected is not None:
            i = self.selected
            self.select(None)
            self.history.push(RemoveHints(self.doc, [i]))

    def clear(self) -> None:
        if self.doc.hints:
            self.select(None)
            self.history.push(SetHints(self.doc, [], "Clear all hints"))

    def add_hint(self, x: float, y: float) -> None:
        self._paint(x, y, next(self._ids))

    def _paint(self, x: float, y: float, gesture: int) -> None:
        """A new hint at (x, y) with the brush's radius and colour, as its own undo step."""
        self.history.push(AddHints(self.doc, [Hint(x, y, self.radius, self.color)], gesture))
        self.hintPainted.emit(self.color)

    def erase_at(self, x: float, y: float, gesture: int | None = None) -> bool:
        """Erase under the brush at (x, y): circles it touches go, strokes are cut where it
        passes (:func:`colorizer_gui.document.erased`). True if anything changed."""
        return self._erase([(x, y)], gesture)

    def _erase_along(self, a, b, gesture: int) -> None:
        """Erase along the segment a -> b in steps of half the brush's radius, so a fast drag
        (a few far-apart mouse events) erases all it passes over, not only where events fell;
        one edit of the document for the whole segment."""
        n = max(1, math.ceil(math.hypot(b[0] - a[0], b[1] - a[1]) / max(0.5 * self.radius, 0.5)))
        self._erase([(a[0] + (b[0] - a[0]) * k / n, a[1] + (b[1] - a[1]) * k / n)
                     for k in range(1, n + 1)], gesture)

    def _erase(self, points, gesture: int | None) -> bool:
        hints = self.doc.hints
        for x, y in points:
            after = erased(hints, x, y, self.radius)
            hints = hints if after is None else after
        if hints is self.doc.hints:
            return False
        self.select(None)
        self.history.push(SetHints(self.doc, hints, "Erase hints",
                                   gesture if gesture is not None else next(self._ids)))
        return True

    # -- gestures (image coordinates) --------------------------------------------------------
    def press(self, p: QPointF, button, modifiers, view_name: str = "",
              hints_shown: bool = True) -> None:
        """A press in a view at image point ``p``. In a view that does not show the hints
        (``hints_shown`` False: the result beside the photo, or hints hidden by H) a press
        paints: it does not pick up a hint the user cannot see, nor erase one (:attr:`notice`
        says why)."""
        if self.doc.rgb is None or button != Qt.MouseButton.LeftButton:
            return
        if modifiers & Qt.KeyboardModifier.AltModifier:
            self.eyedropper.emit(p, view_name)
            return
        x, y = p.x(), p.y()
        if self.mode == "erase":
            if not hints_shown:
                self.notice.emit(HIDDEN_ERASE_TEXT)
                return
            g = next(self._ids)
            self.erase_at(x, y, g)
            self._gesture = ("erase", g, (x, y))
            return
        idx = self.doc.hint_at(x, y) if hints_shown else None
        if idx is not None:
            self.select(idx)
            self._gesture = ("move", next(self._ids), idx, (x, y), self.doc.hints[idx])
            return
        if self.selected is not None:
            self.select(None)
        if not self.doc.contains(x, y):
            return
        g = next(self._ids)
        self._paint(x, y, g)
        self._gesture = ("stroke", g, len(self.doc.hints) - 1, (x, y))

    def drag(self, p: QPointF) -> None:
        g = self._gesture
        if g is None:
            return
        if g[0] == "erase":       # (beside the photo too: the brush reaches onto it)
            self._erase_along(g[2], (p.x(), p.y()), g[1])
            self._gesture = ("erase", g[1], (p.x(), p.y()))
            return
        h_img, w_img = self.doc.size
        x, y = min(max(p.x(), 0.0), w_img - 1e-3), min(max(p.y(), 0.0), h_img - 1e-3)
        if g[0] == "stroke":
            _, gid, idx, (lx, ly) = g
            if idx >= len(self.doc.hints) or math.hypot(x - lx, y - ly) < max(1.0, 0.3 * self.radius):
                return
            cur = self.doc.hints[idx]
            new = cur.extended(x, y) if isinstance(cur, Stroke) else \
                Stroke(((cur.x, cur.y), (x, y)), cur.radius, cur.rgb)
            self.history.push(EditHint(self.doc, idx, new, gid, "Paint stroke"))
            self._gesture = ("stroke", gid, idx, (x, y))
        else:
            _, gid, idx, (x0, y0), orig = g
            if idx >= len(self.doc.hints):
                self._gesture = None
                return
            xs, ys = [q[0] for q in orig.points], [q[1] for q in orig.points]
            # keep every point on the photo (a session refuses hints outside it)
            dx = min(max(x - x0, -min(xs)), w_img - max(xs))
            dy = min(max(y - y0, -min(ys)), h_img - max(ys))
            new = orig.translated(dx, dy)
            if new != self.doc.hints[idx]:
                self.history.push(EditHint(self.doc, idx, new, gid, "Move hint"))

    def release(self, p: QPointF) -> None:
        self._gesture = None
        self._resize_gesture = next(self._ids)
