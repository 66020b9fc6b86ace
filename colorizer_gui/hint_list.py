"""The list of hints: select one (then the colour controls recolour it), delete it; a click on
empty space below the hints deselects."""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from net.hints import Stroke

SWATCH = 14                         # a hint's colour square in the list, pixels


def describe(h) -> str:
    if isinstance(h, Stroke):
        return f"stroke, {len(h.points)} points, r {h.radius:.0f}"
    return f"circle at {h.x:.0f}, {h.y:.0f}, r {h.radius:.0f}"


def swatch_icon(rgb) -> QIcon:
    """A hint's colour as a list icon, the same when its row is selected (Qt's default tints a
    selected icon with the highlight: an orange hint showed khaki, a blue one vanished)."""
    pix = QPixmap(SWATCH, SWATCH)
    pix.fill(QColor(*rgb))
    p = QPainter(pix)
    p.setPen(QColor(128, 128, 128))                 # an outline for colours near the highlight
    p.drawRect(0, 0, SWATCH - 1, SWATCH - 1)
    p.end()
    icon = QIcon(pix)
    icon.addPixmap(pix, QIcon.Mode.Selected)
    return icon


class _List(QListWidget):
    def sizeHint(self) -> QSize:
        """As tall as its minimum: the panel's scroll area asks the panel's preferred height,
        and the list's default (192 px) made it scroll in a 1400x820 window (a walkthrough).
        The list still takes the panel's spare height (its stretch)."""
        return QSize(super().sizeHint().width(), self.minimumSizeHint().height())

    def focusInEvent(self, e):
        """Qt makes the first row current when a list without one gains the keyboard other than
        by a click (a closed dialog, the window activated again): that selected hint no. 1 by
        itself, and the next colour or radius chosen changed it (a walkthrough, session 29)."""
        if self.currentRow() >= 0 or e.reason() == Qt.FocusReason.MouseFocusReason:
            super().focusInEvent(e)
            return
        self.blockSignals(True)
        try:
            super().focusInEvent(e)
            self.setCurrentRow(-1)
            self.clearSelection()
        finally:
            self.blockSignals(False)

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
        head = QHBoxLayout()            # the count beside Delete: one row fewer in the panel
        self.label = QLabel("No hints")
        self.label.setWordWrap(True)    # "N hints · no. K selected (Esc deselects)"
        head.addWidget(self.label, 1)
        self.delete_btn = QPushButton("Delete")
        self.delete_btn.setEnabled(False)
        self.delete_btn.setToolTip("Delete the selected hint (Del)")
        self.delete_btn.clicked.connect(self.deleteRequested)
        head.addWidget(self.delete_btn, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(head)
        self.list = _List()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setToolTip("Your hints: select one to recolour or resize it with the controls "
                             "above, or delete it; click empty space (or Esc) to "
                             "deselect")
        lay.addWidget(self.list)
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
                    item.setIcon(swatch_icon(h.rgb))
                    item.setData(Qt.ItemDataRole.UserRole, str(h.rgb))
            self.list.setCurrentRow(-1 if selected is None else selected)
            self.delete_btn.setEnabled(selected is not None)
        finally:
            self._updating = False
