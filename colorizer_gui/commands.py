"""Undo commands for every hint edit, and the undo history (Qt-free).

A gesture (one drag, one run of radius steps) is one undo step: commands that
carry the same ``gesture`` merge into the command on top of the history, as
QUndoStack's ``mergeWith`` does. A command does not merge into the saved
state, so "saved" stays exact.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from .document import AnyHint, Document


class Command:
    text = "Edit"
    gesture: int | None = None

    def redo(self) -> None:
        raise NotImplementedError

    def undo(self) -> None:
        raise NotImplementedError

    def merge(self, newer: "Command") -> bool:
        """Absorb ``newer`` (already applied) into this command; False if they stay separate."""
        return False

    def changes_nothing(self) -> bool:
        """True when this (merged) command leaves the document as it found it."""
        return False


class History:
    def __init__(self, on_change: Callable[[], None] | None = None):
        self._done: list[Command] = []
        self._undone: list[Command] = []
        self._clean: int | None = 0         # len(_done) at the saved state; None: unreachable
        self._on_change = on_change

    def _notify(self):
        if self._on_change is not None:
            self._on_change()

    def push(self, cmd: Command) -> None:
        cmd.redo()
        if self._clean is not None and self._clean > len(self._done):
            self._clean = None              # the saved state was in the discarded redo branch
        self._undone.clear()
        top = self._done[-1] if self._done else None
        if (top is not None and cmd.gesture is not None and top.gesture == cmd.gesture
                and self._clean != len(self._done) and top.merge(cmd)):
            if top.changes_nothing():       # e.g. a colour drag back to where it started
                self._done.pop()
            self._notify()
            return
        self._done.append(cmd)
        self._notify()

    def undo(self) -> None:
        self._move(self._done, self._undone, "undo")

    def redo(self) -> None:
        self._move(self._undone, self._done, "redo")

    def _move(self, source: list, target: list, action: str) -> None:
        if source:
            cmd = source.pop()
            getattr(cmd, action)()
            target.append(cmd)
            self._notify()

    def next_undo(self) -> Command | None:
        """The command :meth:`undo` would take back (None: nothing to undo)."""
        return self._done[-1] if self._done else None

    def next_redo(self) -> Command | None:
        return self._undone[-1] if self._undone else None

    def can_undo(self) -> bool:
        return bool(self._done)

    def can_redo(self) -> bool:
        return bool(self._undone)

    def undo_text(self) -> str:
        return self._done[-1].text if self._done else ""

    def redo_text(self) -> str:
        return self._undone[-1].text if self._undone else ""

    def count(self) -> int:
        return len(self._done) + len(self._undone)

    def clear(self) -> None:
        self._done.clear()
        self._undone.clear()
        self._clean = 0
        self._notify()

    def set_clean(self) -> None:
        self._clean = len(self._done)
        self._notify()

    def set_unreachable_clean(self) -> None:
        """No state in this history is saved (e.g. hints restored from an autosave)."""
        self._clean = None
        self._notify()

    def is_clean(self) -> bool:
        return self._clean == len(self._done)


class AddHints(Command):
    """Append hints. A stroke grows by merging ``EditHint`` commands of its gesture."""

    def __init__(self, doc: "Document", hints: list["AnyHint"], gesture: int | None = None):
        self.doc, self.hints, self.gesture = doc, list(hints), gesture
        self.index = len(doc.hints)
        self.text = "Add hint" if len(self.hints) == 1 else "Add hints"

    def redo(self):
        self.doc.insert_hints(self.index, self.hints)

    def undo(self):
        self.doc.remove_hints(self.index, len(self.hints))

    def merge(self, newer):
        if isinstance(newer, EditHint) and len(self.hints) == 1 and newer.index == self.index:
            self.hints = [newer.new]
            if newer.new.kind == "stroke":
                self.text = "Paint stroke"
            return True
        return False


class EditHint(Command):
    """Move, resize, recolour or extend one hint; the edits of one gesture merge."""

    def __init__(self, doc: "Document", index: int, new: "AnyHint", gesture: int | None = None,
                 text: str = "Edit hint"):
        self.doc, self.index, self.new, self.gesture, self.text = doc, index, new, gesture, text
        self.old = doc.hints[index]

    def redo(self):
        self.doc.replace_hint(self.index, self.new)

    def undo(self):
        self.doc.replace_hint(self.index, self.old)

    def merge(self, newer):
        if isinstance(newer, EditHint) and newer.index == self.index:
            self.new = newer.new
            return True
        return False

    def changes_nothing(self) -> bool:
        return self.new == self.old


class RemoveHints(Command):
    """Delete hints by index (the Delete key)."""

    def __init__(self, doc: "Document", indices, text: str = "Delete hint"):
        self.doc, self.text = doc, text
        self.removed = sorted((i, doc.hints[i]) for i in set(indices))

    def redo(self):
        for i, _ in reversed(self.removed):
            self.doc.remove_hints(i, 1)

    def undo(self):
        for i, h in self.removed:
            self.doc.insert_hints(i, [h])


class SetHints(Command):
    """Replace all hints at once (clear all; the eraser, whose drag is one step)."""

    def __init__(self, doc: "Document", hints: list["AnyHint"], text: str = "Clear hints",
                 gesture: int | None = None):
        self.doc, self.new, self.old, self.text = doc, list(hints), list(doc.hints), text
        self.gesture = gesture

    def redo(self):
        self.doc.set_hints(self.new)

    def undo(self):
        self.doc.set_hints(self.old)

    def merge(self, newer):
        if not isinstance(newer, SetHints):
            return False
        self.new = newer.new
        return True

    def changes_nothing(self) -> bool:
        return self.new == self.old


class SetHintReach(Command):
    """How far the hints' colour reaches (:mod:`net.hint_reach`): it changes the result and is
    saved with the session, so it is undone like a hint edit."""

    def __init__(self, doc: "Document", reach: str):
        self.doc, self.reach, self.before = doc, reach, doc.hint_reach
        self.text = "Hint reach"

    def redo(self):
        self.doc.set_hint_reach(self.reach)

    def undo(self):
        self.doc.set_hint_reach(self.before)
