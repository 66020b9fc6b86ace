"""A window that grows to show what it has to say (wrapped texts, a picture) and shrinks back
once that is gone, never past the screen (the retraining window's verdict and loss curve)."""
from __future__ import annotations

from PySide6.QtCore import QSize, QTimer
from PySide6.QtWidgets import QPlainTextEdit

SCREEN_SHARE = 0.85       # the window grows to show its texts and curve up to this share of
                          # the screen's height (a title bar and a taskbar may take the rest)


class LogView(QPlainTextEdit):
    """A log in such a window. It asks for no more height than its minimum (the texts and the
    picture come first) and takes whatever room the window has left. Read-only, it keeps the
    last ``lines`` lines, ``min_height`` pixels tall at least."""

    def __init__(self, lines: int = 500, min_height: int = 60, parent=None):
        super().__init__(parent)
        self.setReadOnly(True)
        self.setMaximumBlockCount(lines)
        self.setMinimumHeight(min_height)

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.minimumHeight())


class GrowsToFit:
    """Mixed into a QWidget window with a layout."""

    _grown: tuple[int, int] | None = None      # (height before, after) fit_height grew it

    def showEvent(self, event):
        """Shown (the first time at its final width): grow to what it already has to say. A
        window opened after a restart on a stopped run, its curve set while it was hidden,
        drew the curve a third of its size (a walkthrough)."""
        super().showEvent(event)
        QTimer.singleShot(0, self.fit_height)

    def shrink_back(self) -> None:
        """Undo fit_height's growth (the curve and the verdict are gone): the window returns to
        the height it had before, unless the user has resized it since."""
        grown, self._grown = self._grown, None
        if grown is None or self.height() != grown[1]:
            return
        self.layout().activate()                   # (its minimum shrinks with the curve gone)
        self.resize(self.width(), max(grown[0], self.minimumSizeHint().height()))

    def fit_height(self) -> None:
        """Grows the window to show its wrapped texts at their width and the curve at its
        preferred size, up to SCREEN_SHARE of the screen's height (below that the curve is
        drawn smaller; the texts and the buttons always show); moved up if it would leave the
        screen."""
        lay = self.layout()
        lay.invalidate()                           # (its minimum has just grown)
        least = need = lay.minimumSize().height()  # least and preferred height, with the
        if lay.hasHeightForWidth():                # wrapped texts' lines at this width
            least = max(least, lay.totalMinimumHeightForWidth(self.width()))
            need = max(least, lay.totalHeightForWidth(self.width()))
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None and screen.height() > 0:
            frame = self.frameGeometry().height() - self.height()
            need = min(need, max(least, int(SCREEN_SHARE * screen.height()) - frame))
        if self.height() < need:                   # the window grows to show all of it
            before = self._grown[0] if self._grown else self.height()
            self.resize(self.width(), need)
            self._grown = (before, self.height())
        if screen is not None and self.frameGeometry().bottom() > screen.bottom():
            self.move(self.x(), max(screen.top(), self.y() - (self.frameGeometry().bottom()
                                                              - screen.bottom())))
