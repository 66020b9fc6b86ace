"""Undo commands for every hint edit. A drag is one undo step (``mergeWith``)."""
from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from net.hints import Hint

from .document import Document

ADD_ID, EDIT_ID = 1, 2


class AddHintsCommand(QUndoCommand):
    """Append hints; successive additions of the same stroke merge into one step."""

    def __init__(self, doc: Document, hints: list[Hint], stroke: int):
        super().__init__("Add hint" if len(hints) == 1 else "Paint hints")
        self.doc, self.hints, self.stroke = doc, list(hints), stroke
        self.index = len(doc.hints)

    def id(self):
        return ADD_ID

    def redo(self):
        self.doc.insert_hints(self.index, self.hints)

    def undo(self):
        self.doc.remove_hints(self.index, len(self.hints))

    def mergeWith(self, other):
        if not isinstance(other, AddHintsCommand) or other.stroke != self.stroke:
            return False
        self.hints += other.hints
        self.setText("Paint hints")
        return True


class EditHintCommand(QUndoCommand):
    """Move, resize or recolour one hint; the edits of one drag merge into one step."""

    def __init__(self, doc: Document, index: int, new: Hint, gesture: int, text="Edit hint"):
        super().__init__(text)
        self.doc, self.index, self.new, self.gesture = doc, index, new, gesture
        self.old = doc.hints[index]

    def id(self):
        return EDIT_ID

    def redo(self):
        self.doc.replace_hint(self.index, self.new)

    def undo(self):
        self.doc.replace_hint(self.index, self.old)

    def mergeWith(self, other):
        if (not isinstance(other, EditHintCommand) or other.gesture != self.gesture
                or other.index != self.index):
            return False
        self.new = other.new
        return True


class RemoveHintCommand(QUndoCommand):
    def __init__(self, doc: Document, index: int):
        super().__init__("Delete hint")
        self.doc, self.index = doc, index
        self.hint = doc.hints[index]

    def redo(self):
        self.doc.remove_hints(self.index, 1)

    def undo(self):
        self.doc.insert_hints(self.index, [self.hint])


class SetHintsCommand(QUndoCommand):
    """Replace all hints at once (clear all, apply a session's hints)."""

    def __init__(self, doc: Document, hints: list[Hint], text="Clear hints"):
        super().__init__(text)
        self.doc, self.new, self.old = doc, list(hints), list(doc.hints)

    def redo(self):
        self.doc.set_hints(self.new)

    def undo(self):
        self.doc.set_hints(self.old)
