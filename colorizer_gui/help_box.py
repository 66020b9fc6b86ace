"""Help > How to use as a window beside the editor: it stays open while the user tries what it
says (a modal box had to be closed first), and follows the hint reach in use. It opens beside
the main window where the screen has room, else over the window where it hides the least of the
photo the user paints on and none of the colour panel (centred, it covered the photos: a
walkthrough); once shown, it stays where the user puts it."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QMessageBox, QWidget


class HelpBox(QMessageBox):
    def __init__(self, html: Callable[[], str], parent: QWidget,
                 keep_clear: Callable[[], QWidget] | None = None,
                 room: Callable[[], QWidget] | None = None):
        super().__init__(QMessageBox.Icon.Information, "How to use", "",
                         QMessageBox.StandardButton.Close, parent)
        self._html = html
        self._keep_clear = keep_clear          # the widget it should not cover, if it can help it
        self._room = room                      # the widget it may cover if it must cover one
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
        """Where it opens (its frame's top left, global): right or left of the main window if it
        fits there whole; else inside the window, at the bottom right of the widget it may cover
        (``room``: the result), of the window, or the window's bottom left, whichever covers
        least of the widget to keep clear (the photo painted on), in that order on a tie. Over
        the colour panel it hid the controls the help talks about, so that comes second."""
        win = self.parentWidget().window()
        frame, size = win.frameGeometry(), self.frameGeometry().size()
        screen = (win.screen() or self.screen()).availableGeometry()
        w, h = size.width(), size.height()
        beside = [QPoint(frame.right() + 1, frame.top()), QPoint(frame.left() - w, frame.top())]
        fits = [p for p in beside if screen.contains(QRect(p, size))]
        room = _global_rect(self._room() if self._room else None) or frame
        inside = [QPoint(room.right() + 1 - w, room.bottom() + 1 - h),
                  QPoint(frame.right() + 1 - w, frame.bottom() + 1 - h),
                  QPoint(frame.left(), frame.bottom() + 1 - h)]
        avoid = _global_rect(self._keep_clear() if self._keep_clear else None) or QRect()
        best = None
        for p in fits + inside:
            p = QPoint(max(screen.left(), min(p.x(), screen.right() + 1 - w)),
                       max(screen.top(), min(p.y(), screen.bottom() + 1 - h)))
            cut = QRect(p, size).intersected(avoid)
            covered = 0 if cut.isEmpty() else cut.width() * cut.height()
            if best is None or covered < best[0]:
                best = (covered, p)
        return best[1]


def _global_rect(widget: QWidget | None) -> QRect | None:
    """A shown widget's rectangle on the screen; None for none or a hidden one."""
    if widget is None or not widget.isVisible():
        return None
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())
