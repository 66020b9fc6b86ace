"""Help > How to use as a window beside the editor: it stays open while the user tries what it
says (a modal box had to be closed first), and follows the hint reach in use. It opens beside
the main window where the screen has room, else over the window where it hides the least of the
photo the user paints on (centred, it covered the photos: a walkthrough); once shown, it stays
where the user puts it."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QMessageBox, QWidget


class HelpBox(QMessageBox):
    def __init__(self, html: Callable[[], str], parent: QWidget,
                 keep_clear: Callable[[], QWidget] | None = None):
        super().__init__(QMessageBox.Icon.Information, "How to use", "",
                         QMessageBox.StandardButton.Close, parent)
        self._html = html
        self._keep_clear = keep_clear          # the widget it should not cover, if it can help it
        self._placed = False
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.refresh()

    def refresh(self) -> None:
        self.setText(self._html())

    def present(self) -> None:
        """Show it (again) with today's text, in front."""
        self.refresh()
        self.show()
        if not self._placed:
            self.move(self.place())
            self._placed = True
        self.raise_()
        self.activateWindow()

    def place(self) -> QPoint:
        """Where it opens (its frame's top left, global): right of the main window, left of it,
        or inside it at the bottom right or left, whichever fits the screen and covers least of
        the widget to keep clear (in that order on a tie)."""
        win = self.parentWidget().window()
        frame, size = win.frameGeometry(), self.frameGeometry().size()
        screen = (win.screen() or self.screen()).availableGeometry()
        w, h = size.width(), size.height()
        clear = self._keep_clear() if self._keep_clear else None
        avoid = (QRect(clear.mapToGlobal(QPoint(0, 0)), clear.size())
                 if clear is not None and clear.isVisible() else QRect())
        best = None
        for x, y in ((frame.right() + 1, frame.top()), (frame.left() - w, frame.top()),
                     (frame.right() - w, frame.bottom() - h), (frame.left(), frame.bottom() - h)):
            x = max(screen.left(), min(x, screen.right() + 1 - w))
            y = max(screen.top(), min(y, screen.bottom() + 1 - h))
            cut = QRect(QPoint(x, y), size).intersected(avoid)
            covered = 0 if cut.isEmpty() else cut.width() * cut.height()
            if best is None or covered < best[0]:
                best = (covered, QPoint(x, y))
        return best[1]
