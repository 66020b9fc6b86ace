"""The list of hints: select one (then the colour controls recolour it), delete it; a click on
empty space below the hints deselects."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QListWidget, QListWidgetItem,
                               QPushButton, QVBoxLayout, QWidget)

from net.hints import Stroke


def describe(h) -> str:
    if isinstance(h, Stroke):
        return f"stroke, {len(h.points)} points, r {h.radius:.0f}"
    return f"circle at {h.x:.0f}, {h.y:.0f}, r {h.radius:.0f}"


class _List(QListWidget):
    def mousePressEvent(self, e):
        if self.itemAt(e.position().toPoint()) is None:
            self.setCurrentRow(-1)          # empty space: no hint selected
            return
        super().mousePressEvent(e)


class HintList(QWidget):
    selected = Signal(object)        # index or None
    deleteRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.list = _List()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setToolTip("Your hints: select one to recolour or resize it with the controls "
                             "above, or delete it; click empty space (or Esc) to "
                             "deselect")
        lay.addWidget(self.list)
        row = QHBoxLayout()
        self.delete_btn = QPushButton("Delete")
        self.delete_btn.setEnabled(False)
        self.delete_btn.clicked.connect(self.deleteRequested)
        row.addStretch(1)
        row.addWidget(self.delete_btn)
        lay.addLayout(row)
        self._updating = False
        self.list.currentRowChanged.connect(self._row_changed)

    def _row_changed(self, row: int):
        self.delete_btn.setEnabled(row >= 0)
        if not self._updating:
            self.selected.emit(row if row >= 0 else None)

    def set_hints(self, hints, selected) -> None:
        self._updating = True
        try:
            while self.list.count() > len(hints):
                self.list.takeItem(self.list.count() - 1)
            for i, h in enumerate(hints):
                item = self.list.item(i)
                if item is None:
                    item = QListWidgetItem()
                    self.list.addItem(item)
                text = f"{i + 1}. {describe(h)}"
                if item.text() != text or item.data(Qt.ItemDataRole.UserRole) != str(h.rgb):
                    item.setText(text)
                    pix = QPixmap(14, 14)
                    pix.fill(QColor(*h.rgb))
                    item.setIcon(QIcon(pix))
                    item.setData(Qt.ItemDataRole.UserRole, str(h.rgb))
            self.list.setCurrentRow(-1 if selected is None else selected)
            self.delete_btn.setEnabled(selected is not None)
        finally:
            self._updating = False
