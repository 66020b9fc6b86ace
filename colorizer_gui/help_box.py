"""Help > How to use as a window beside the editor: it stays open while the user tries what it
says (a modal box had to be closed first), and follows the hint reach in use. Each time it opens
it goes beside the main window where the screen has room for it, else over the window where it
hides the least of the photo being painted on, preferring the result beside it to the colour
panel (centred, it covered the photos: a walkthrough); while open it stays where the user puts
it. Only the main window's screen is considered."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QMessageBox, QWidget


class HelpBox(QMessageBox):
    def __init__(self, html: Callable[[], str], parent: QWidget,
                 keep_clear: Callable[[], QWidget | None] | None = None,
                 room: Callable[[], QWidget | None] | None = None):
        super().__init__(QMessageBox.Icon.Information, "How to use", "",
                         QMessageBox.StandardButton.Close, parent)
        self._html = html
        self._keep_clear = keep_clear          # the widget it should not cover, if it can help it
        self._room = room                      # the widget it may cover if it must cover one
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.refresh()

    def refresh(self) -> None:
        self.setText(self._html())

    def present(self) -> None:
        """Show it (again) with today's text, in front; placed anew unless it is open."""
        self.refresh()
        opening = not self.isVisible()
        self.show()
        if opening:
            self.move(self.place())
        self.raise_()
        self.activateWindow()

    def place(self) -> QPoint:
        """Where it opens now (its frame's top left, global)."""
        win = self.parentWidget().window()
        # Its frame before the window manager has framed it: its size plus the main window's
        # frame margins.
        margins = win.frameGeometry().size() - win.size()
        size = self.size() + QSize(max(0, margins.width()), max(0, margins.height()))
        return help_position(win.frameGeometry(), size, win.screen().availableGeometry(),
                             _global_rect(self._room() if self._room else None),
                             _global_rect(self._keep_clear() if self._keep_clear else None))


def help_position(frame: QRect, size: QSize, screen: QRect, room: QRect | None,
                  avoid: QRect | None) -> QPoint:
    """The top left for a window of ``size`` (frame included) opening over or beside the main
    window's ``frame`` on ``screen``: right or left of the main window if it fits there whole;
    else inside it, at the bottom right of ``room`` (the result beside the photo, if shown), of
    the main window, or at its bottom left; whichever covers least of ``avoid`` (the photo
    painted on), in that order on a tie. Over the colour panel it hid the controls the help
    talks about, so the window's bottom right comes after the result's."""
    w, h = size.width(), size.height()
    beside = [QPoint(frame.right() + 1, frame.top()), QPoint(frame.left() - w, frame.top())]
    inside = ([QPoint(room.right() + 1 - w, room.bottom() + 1 - h)] if room is not None else []) + [
        QPoint(frame.right() + 1 - w, frame.bottom() + 1 - h),
        QPoint(frame.left(), frame.bottom() + 1 - h)]
    best = None
    for p in [p for p in beside if screen.contains(QRect(p, size))] + inside:
        p = QPoint(max(screen.left(), min(p.x(), screen.right() + 1 - w)),
                   max(screen.top(), min(p.y(), screen.bottom() + 1 - h)))
        cut = QRect(p, size).intersected(avoid) if avoid is not None else QRect()
        covered = 0 if cut.isEmpty() else cut.width() * cut.height()
        if best is None or covered < best[0]:
            best = (covered, p)
    return best[1]


def _global_rect(widget: QWidget | None) -> QRect | None:
    """A shown widget's rectangle on the screen; None for none or a hidden one."""
    if widget is None or not widget.isVisible():
        return None
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())
