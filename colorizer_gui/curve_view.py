"""The retraining window's loss curve: the trainer's picture at most at a preferred size, and
smaller when the window has less room (never cut, never stretched)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget


class CurveView(QWidget):
    def __init__(self, preferred: tuple[int, int], min_height: int, parent=None):
        super().__init__(parent)
        self.preferred = QSize(*preferred)
        self._pix = QPixmap()
        self._scaled = QPixmap()            # the picture at the size last drawn
        self._mtime: int | None = None      # of the file last read (load_changed)
        self.setMinimumHeight(min_height)
        # At most its preferred size; it gives up height first when the window is short.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def set_pixmap(self, pix: QPixmap) -> None:
        self._pix, self._scaled = pix, QPixmap()
        self.updateGeometry()
        self.update()

    def clear(self) -> None:
        self.set_pixmap(QPixmap())
        self._mtime = None

    def load_changed(self, png: Path | None) -> bool:
        """Read the picture file ``png`` if it changed since last read (the trainer redraws it);
        True when a new picture is shown. A file caught mid-write is read at the next call."""
        try:
            mtime = png.stat().st_mtime_ns if png is not None else None
        except OSError:
            mtime = None
        if mtime is None or mtime == self._mtime:
            return False
        pix = QPixmap(str(png))
        if pix.isNull():
            return False
        self._mtime = mtime
        self.set_pixmap(pix)
        return True

    def pixmap(self) -> QPixmap:
        return self._pix

    def sizeHint(self) -> QSize:
        return QSize() if self._pix.isNull() else self._pix.size().scaled(
            self.preferred, Qt.AspectRatioMode.KeepAspectRatio)

    def shown_rect(self) -> QRect:
        """Where the picture is drawn: as large as fits (up to the preferred size), centred."""
        if self._pix.isNull():
            return QRect()
        size = self._pix.size().scaled(self.size().boundedTo(self.sizeHint()),
                                       Qt.AspectRatioMode.KeepAspectRatio)
        r = QRect(0, 0, size.width(), size.height())
        r.moveCenter(self.rect().center())
        return r

    def paintEvent(self, e):
        r = self.shown_rect()
        if r.isEmpty():
            return
        if self._scaled.size() != r.size():
            self._scaled = self._pix.scaled(r.size(), Qt.AspectRatioMode.IgnoreAspectRatio,
                                            Qt.TransformationMode.SmoothTransformation)
        p = QPainter(self)
        p.drawPixmap(r.topLeft(), self._scaled)
        p.end()
