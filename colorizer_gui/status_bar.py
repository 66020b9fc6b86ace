"""The status bar: messages on the left; the cursor's spot, the timing and the model on the right.

In a small window the texts give up width instead of overlapping: each but the cursor's short
spot ends in "…" when it does not fit, and its tooltip then shows it whole. The message is
shown by a label of its own (QStatusBar would cut it off without a sign): every message
(``showMessage``, a menu's status tip, a timeout) reaches it through ``messageChanged``.
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QStatusBar

MIN_CHARS = "Abcd…"          # an elided text keeps at least about this much
MESSAGE_KEEP = 200           # px of a message kept before the timing and the model give up theirs


class ElidedLabel(QLabel):
    """A one-line label that may get narrower than its text, down to ``keep`` px (or a few
    characters): the text then ends in "…" and the tooltip shows it whole."""

    def __init__(self, keep: int = 0, parent=None):
        super().__init__(parent)
        self.keep = keep
        self.setTextFormat(Qt.TextFormat.PlainText)      # painted as it is (drawItemText)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if not self.text():
            return QSize(0, hint.height())
        keep = max(self.keep, self.fontMetrics().horizontalAdvance(MIN_CHARS))
        return QSize(min(hint.width(), keep), hint.height())

    def elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def shown_text(self) -> str:
        """The text as painted: whole, or cut with "…" to the label's width."""
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight,
                                             self.contentsRect().width())

    def setText(self, text: str) -> None:
        super().setText(text)
        self._sync_tip()

    def resizeEvent(self, e):
        super().resizeEvent(e)
        self._sync_tip()

    def _sync_tip(self) -> None:
        tip = self.text() if self.elided() else ""
        if self.toolTip() != tip:
            self.setToolTip(tip)

    def paintEvent(self, e):
        p = QPainter(self)
        self.style().drawItemText(p, self.contentsRect(), int(self.alignment()), self.palette(),
                                  self.isEnabled(), self.shown_text(), self.foregroundRole())


class StatusBar(QStatusBar):
    """``message``: the current message; ``spot``: x, y and L under the cursor (short, never
    cut); ``training``: a retraining run's progress, while one runs; ``time``: how long colouring took; ``model``: the model and device.

    Short of room, the timing and the model give up width first, down to a few characters, while
    the message keeps up to MESSAGE_KEEP px; past that the message is cut too."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.message, self.time, self.model = ElidedLabel(MESSAGE_KEEP), ElidedLabel(), ElidedLabel()
        self.spot = QLabel()
        self.training = QLabel()        # a retraining run's progress (Tools > Retrain shows it)
        self.training.setToolTip("A retraining run is going: Tools > Retrain shows it")
        self.training.hide()
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # All permanent, so QStatusBar leaves no room of its own to draw a message in; the
        # message label (a stretch: the layout gives it its minimum, then all room left over)
        # comes first, at the left.
        self.addPermanentWidget(self.message, 1)
        for w in (self.spot, self.training, self.time, self.model):
            self.addPermanentWidget(w)
        self.messageChanged.connect(self.message.setText)

    def set_training(self, text: str) -> None:
        """Shows a retraining run's progress (even with its window closed); "" hides it."""
        self.training.setText(text)
        self.training.setVisible(bool(text))
