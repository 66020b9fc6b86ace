"""Help > How to use as a window beside the editor: it stays open while the user tries what it
says (a modal box had to be closed first), and follows the hint reach in use."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


class HelpBox(QMessageBox):
    def __init__(self, html: Callable[[], str], parent: QWidget):
        super().__init__(QMessageBox.Icon.Information, "How to use", "",
                         QMessageBox.StandardButton.Close, parent)
        self._html = html
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.refresh()

    def refresh(self) -> None:
        self.setText(self._html())

    def present(self) -> None:
        """Show it (again) with today's text, in front."""
        self.refresh()
        self.show()
        self.raise_()
        self.activateWindow()
