"""Colour choosing widgets: current swatch, ab gamut picker, rows of recent/suggested colours."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import (QColorDialog, QGridLayout, QLabel, QSizePolicy, QToolButton,
                               QVBoxLayout, QWidget)

from net.color import AB_SCALE, lab_to_rgb, rgb_to_lab

from .app_settings import MAX_RECENT_COLORS

GAMUT_RES = 96


GAMUT_AB_TOLERANCE = 3.0   # a colour whose 8-bit RGB comes back this close (ab units) exists


def _shown(l: float, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """8-bit RGB of the colours (l, a, b) and whether each one exists at lightness l."""
    lab = np.stack([np.full_like(a, l), a, b], axis=-1)
    rgb = lab_to_rgb(lab)
    back = rgb_to_lab(rgb)
    return rgb, np.hypot(back[..., 1] - a, back[..., 2] - b) < GAMUT_AB_TOLERANCE


def gamut_image(l: float, res: int = GAMUT_RES) -> tuple[np.ndarray, np.ndarray]:
    """RGB picture of the ab plane at lightness l, and a mask of the in-gamut colours.

    a runs left to right, b bottom to top, both over [-AB_SCALE, AB_SCALE].
    """
    ab = np.linspace(-AB_SCALE, AB_SCALE, res, dtype=np.float32)
    a, b = np.meshgrid(ab, ab[::-1])
    return _shown(l, a, b)


def strongest_in_gamut(l: float, a: float, b: float, steps: int = 14) -> tuple[float, float]:
    """The colour of hue (a, b) with the most chroma, up to (a, b)'s own, that exists at
    lightness l (by the plane's own test), found by bisecting the chroma."""
    lo, hi = 0.0, 1.0
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        if _shown(l, np.float32([[a * mid]]), np.float32([[b * mid]]))[1][0, 0]:
            lo = mid
        else:
            hi = mid
    return a * lo, b * lo


def rgb_for(l: float, a: float, b: float) -> tuple[int, int, int]:
    px = lab_to_rgb(np.array([[[l, a, b]]], np.float32))[0, 0]
    return tuple(int(c) for c in px)


def gamut_shift(l: float, rgb) -> float:
    """How far (in ab units) the chroma of ``rgb`` moves when it is placed at lightness ``l``.

    The app keeps the photo's lightness and lowers the chroma to stay in sRGB; a large
    shift means the chosen colour cannot exist there (e.g. a saturated blue on a
    nearly white wall) and will come out grayer than chosen.
    """
    a, b = rgb_to_lab(np.array([[rgb]], np.uint8))[0, 0, 1:]
    back = rgb_to_lab(np.array([[rgb_for(float(np.clip(l, 0, 100)), float(a), float(b))]],
                               np.uint8))[0, 0]
    return float(np.hypot(back[1] - a, back[2] - b))


GAMUT_WARN_AB = 12.0


class ColorSwatch(QToolButton):
    """The current colour; click opens the colour dialog."""

    colorPicked = Signal(tuple)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setToolTip("Current hint colour (C): click to choose")
        self.setFixedSize(QSize(56, 32))
        self.rgb = (200, 40, 40)
        self.clicked.connect(self.choose)

    def set_rgb(self, rgb) -> None:
        self.rgb = tuple(rgb)
        self.update()

    def choose(self) -> None:
        c = QColorDialog.getColor(QColor(*self.rgb), self, "Hint colour")
        if c.isValid():
            self.colorPicked.emit((c.red(), c.green(), c.blue()))

    def paintEvent(self, e):
        super().paintEvent(e)
        p = QPainter(self)
        p.setBrush(QColor(*self.rgb))
        p.setPen(QPen(QColor(0, 0, 0), 1))
        p.drawRoundedRect(self.rect().adjusted(4, 4, -5, -5), 3, 3)


class AbPicker(QWidget):
    """The ab plane at the luminance under the cursor; only in-gamut colours are offered (a
    click or drag into the gray area outside them takes the nearest one of the same hue)."""

    colorPicked = Signal(tuple)      # a click, or where a drag ended
    colorDragged = Signal(tuple)     # each colour a drag passes (colorPicked follows at its end)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._dragged: tuple | None = None     # the last colour of a drag in progress
        self.setMinimumSize(160, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setToolTip("Colours that exist at the lightness written in its corner (under the "
                        "cursor, at the selected hint, else the photo's median); click to pick")
        self.l = 50.0
        self.where = ""
        self.marker: tuple[float, float] | None = None
        self._render()

    def set_lightness(self, l: float, where: str = "") -> None:
        """Show the plane at lightness ``l``; ``where``: whose lightness it is, written after
        it ("L = 54 (under cursor)"; a walkthrough read a bare "L = 25" and could not tell)."""
        l = float(np.clip(l, 1.0, 99.0))
        if where != self.where:
            self.where = where
            self.update()
        if abs(l - self.l) >= 0.5:
            self.l = l
            self._render()
            self.update()

    def lightness_text(self) -> str:
        return f"L = {self.l:.0f}" + (f" ({self.where})" if self.where else "")

    def set_marker_rgb(self, rgb) -> None:
        lab = rgb_to_lab(np.array([[rgb]], np.uint8))[0, 0]
        self.marker = (float(lab[1]), float(lab[2]))
        self.update()

    def _render(self) -> None:
        rgb, inside = gamut_image(self.l)
        img = np.where(inside[..., None], rgb, np.uint8(64)).astype(np.uint8)
        self._inside = inside
        self._img = QImage(np.ascontiguousarray(img).data, img.shape[1], img.shape[0],
                           3 * img.shape[1], QImage.Format.Format_RGB888).copy()

    def _square(self):
        s = min(self.width(), self.height())
        return (self.width() - s) // 2, (self.height() - s) // 2, s

    def _ab_at(self, pos: QPointF, clamp: bool = False):
        """The colour at ``pos``: a point outside the gamut (the gray area) gives the most
        saturated colour of its hue that exists at this lightness (:func:`strongest_in_gamut`).
        Outside the square: None, or with ``clamp`` (a drag leaving it) its nearest edge."""
        x0, y0, s = self._square()
        u, v = (pos.x() - x0) / s, (pos.y() - y0) / s
        if not (0 <= u < 1 and 0 <= v < 1):
            if not clamp:
                return None
            u, v = min(max(u, 0.0), 0.999), min(max(v, 0.0), 0.999)
        a, b = (u * 2 - 1) * AB_SCALE, (1 - v * 2) * AB_SCALE
        if self._inside[int(v * GAMUT_RES), int(u * GAMUT_RES)]:
            return a, b
        return strongest_in_gamut(self.l, a, b)

    def mousePressEvent(self, e):
        """A press shows its colour at once; the release picks the colour it ends on, so a
        drag is one choice (one undo step, one recent colour), not one per mouse move."""
        ab = self._ab_at(e.position())
        if ab is not None and e.button() == Qt.MouseButton.LeftButton:
            self._end_drag()                 # one whose release never came (a dialog took it)
            self._dragged = rgb_for(self.l, *ab)
            self.colorDragged.emit(self._dragged)

    def mouseMoveEvent(self, e):
        if self._dragged is not None and e.buttons() & Qt.MouseButton.LeftButton:
            rgb = rgb_for(self.l, *self._ab_at(e.position(), clamp=True))
            if rgb != self._dragged:
                self._dragged = rgb
                self.colorDragged.emit(rgb)

    def mouseReleaseEvent(self, e):
        if e.button() == Qt.MouseButton.LeftButton:
            self._end_drag()

    def hideEvent(self, e):
        super().hideEvent(e)
        self._end_drag()                     # (the panel hidden mid-drag: no release follows)

    def _end_drag(self) -> None:
        if self._dragged is not None:
            rgb, self._dragged = self._dragged, None
            self.colorPicked.emit(rgb)

    def paintEvent(self, e):
        p = QPainter(self)
        x0, y0, s = self._square()
        p.drawImage(self.rect().adjusted(x0, y0, -x0 - (self.width() - 2 * x0 - s),
                                         -y0 - (self.height() - 2 * y0 - s)), self._img)
        p.setPen(QPen(QColor(160, 160, 160), 1))
        p.drawLine(x0 + s // 2, y0, x0 + s // 2, y0 + s)
        p.drawLine(x0, y0 + s // 2, x0 + s, y0 + s // 2)
        if self.marker is not None:
            a, b = self.marker
            cx = x0 + (a / AB_SCALE + 1) / 2 * s
            cy = y0 + (1 - b / AB_SCALE) / 2 * s
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(QColor(255, 255, 255), 2))
            p.drawEllipse(QPointF(cx, cy), 5, 5)
            p.setPen(QPen(QColor(0, 0, 0), 1))
            p.drawEllipse(QPointF(cx, cy), 7, 7)
        p.setPen(QColor(220, 220, 220))
        p.drawText(x0 + 4, y0 + 14, self.lightness_text())


class ColorRow(QWidget):
    """A titled grid of clickable colour chips (recent colours, suggestions).

    The grid has a fixed number of columns, so a fuller row wraps instead of widening
    the panel (and shrinking the photo views under the cursor), and the rows for
    ``capacity`` chips are reserved from the start, so the colours arriving never push the
    colour plane around under the cursor.
    """

    colorPicked = Signal(tuple)
    COLUMNS = 8
    CHIP = 22

    def __init__(self, title: str, tooltip: str, capacity: int, parent=None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        label = self.title = QLabel(title)
        lay.addWidget(label)
        self._grid = QGridLayout()
        self._grid.setSpacing(3)
        rows = max(1, -(-capacity // self.COLUMNS))
        self.capacity = capacity
        self.setFixedHeight(label.sizeHint().height() + lay.spacing() + rows * (self.CHIP + 3))
        self._grid.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        lay.addLayout(self._grid)
        self.setToolTip(tooltip)
        self.colors: list[tuple] = []
        self._pending = None                   # (colors, labels) held while the mouse is over
        self._chips: list[QToolButton] = []    # reused: a colour change restyles, never re-creates
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def _chip(self, k: int) -> QToolButton:
        while len(self._chips) <= k:
            b = QToolButton(self)
            b.setFixedSize(self.CHIP, self.CHIP)
            i = len(self._chips)
            b.clicked.connect(lambda _=False, i=i: self.colorPicked.emit(self.colors[i]))
            self._grid.addWidget(b, i // self.COLUMNS, i % self.COLUMNS)
            self._chips.append(b)
        return self._chips[k]

    def set_colors(self, colors, labels=None) -> None:
        """Show these chips; while the mouse is over the row they wait until it leaves, so a
        chip never changes colour under a click (a new result reorders the suggestions)."""
        if self.underMouse() and self.colors and len(colors):   # (an empty row: at once)
            self._pending = (colors, labels)
            return
        self._pending = None
        self._show(colors, labels)

    def leaveEvent(self, e):
        super().leaveEvent(e)
        if self._pending is not None:
            colors, labels = self._pending
            self._pending = None
            self._show(colors, labels)

    def _show(self, colors, labels) -> None:
        colors = [tuple(int(v) for v in c) for c in colors][:self.capacity]
        for k, c in enumerate(colors):
            b = self._chip(k)
            if k >= len(self.colors) or self.colors[k] != c:
                # (A selector: a bare rule would style the chip's tooltip too, its text
                # then unreadable on the chip's own colour.)
                b.setStyleSheet(f"QToolButton {{ background-color: rgb{c}; "
                                f"border: 1px solid #222; }}")
            b.setToolTip((labels[k] + " " if labels else "") + "rgb(%d, %d, %d)" % c)
            b.setVisible(True)
        for b in self._chips[len(colors):]:
            b.setVisible(False)
        self.colors = colors


NEAR_DUPLICATE_DE = 3.0    # colours closer than this (CIE76 Delta E, Lab) look the same


def _lab(colors) -> np.ndarray:
    return rgb_to_lab(np.array([colors], np.uint8))[0].astype(np.float64)


class RecentColors:
    """Recently used colours, newest first; a colour already in the row keeps its place.

    (Moving a re-used colour to the front would shuffle the chips under the mouse.) A new
    colour that looks the same as some in the row (closer than NEAR_DUPLICATE_DE) takes their
    place at the front instead of adding a chip that looks like one already there.
    """

    def __init__(self, colors=(), limit: int = MAX_RECENT_COLORS):
        self.limit = limit
        self.colors = [tuple(c) for c in colors][:limit]

    def use(self, rgb) -> bool:
        """Remember ``rgb``; True when the row changed."""
        rgb = tuple(int(c) for c in rgb)
        if rgb in self.colors:
            return False
        kept = self.colors
        if kept:
            lab = _lab([rgb] + kept)
            far = np.linalg.norm(lab[1:] - lab[0], axis=1) >= NEAR_DUPLICATE_DE
            kept = [c for c, keep in zip(kept, far) if keep]
        self.colors = [rgb] + kept[:self.limit - 1]
        return True
