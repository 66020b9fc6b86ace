"""Every question the editor asks the user, in one place (tests replace these methods)."""
from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

SAVE, DISCARD, CANCEL = "save", "discard", "cancel"


class Prompts:
    def __init__(self, parent: QWidget | None = None):
        self.parent = parent

    def save_changes(self, action: str) -> str:
        """SAVE, DISCARD or CANCEL before ``action`` (e.g. "opening photo.jpg") replaces unsaved hints."""
        B = QMessageBox.StandardButton
        box = self.save_changes_box(action)
        answer = self.ask(box)
        box.deleteLater()
        return {B.Save: SAVE, B.Discard: DISCARD}.get(answer, CANCEL)

    def ask(self, box: QMessageBox) -> QMessageBox.StandardButton:
        """Show a question ``box`` the editor built itself (its buttons named for the keyboard)
        and return the button chosen (Escape and closing it: its escape button)."""
        box.exec()
        return box.standardButton(box.clickedButton())

    def save_changes_box(self, action: str) -> QMessageBox:
        """The question :meth:`save_changes` asks: Save (the default, Return), Discard and
        Cancel (Escape, or closing it); S and D choose the first two from the keyboard."""
        B = QMessageBox.StandardButton
        box = QMessageBox(QMessageBox.Icon.Question, "Save the session?",
                          f"Your hints are not saved. Save the session before {action}?",
                          B.Save | B.Discard | B.Cancel, self.parent)
        box.setDefaultButton(B.Save)
        box.setEscapeButton(B.Cancel)
        box.button(B.Save).setText("&Save")
        box.button(B.Discard).setText("&Discard")
        return box

    def yes_no(self, title: str, text: str) -> bool:
        return QMessageBox.question(self.parent, title, text) == QMessageBox.StandardButton.Yes

    def confirm_overwrite_original(self, name: str) -> bool:
        B = QMessageBox.StandardButton
        return QMessageBox.warning(
            self.parent, "Overwrite the original?",
            f"{name} is the original photo. Replace it with the colorized image?",
            B.Yes | B.No, B.No) == B.Yes

    def confirm_replace(self, name: str) -> bool:
        """Replace an existing file (not the photo) with the colorized image?"""
        B = QMessageBox.StandardButton
        return QMessageBox.warning(
            self.parent, "Replace the file?", f"{name} already exists. Replace it?",
            B.Yes | B.No, B.No) == B.Yes

    def error(self, title: str, message: str) -> None:
        QMessageBox.warning(self.parent, title, message)

    def open_file(self, title: str, start: str, file_filter: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.parent, title, start, file_filter)
        return path or None

    def save_file(self, title: str, start: str, file_filter: str,
                  confirm_overwrite: bool = True) -> str | None:
        """A path to write; the dialog asks before an existing file is chosen unless
        ``confirm_overwrite`` is False (the caller asks its own question)."""
        options = QFileDialog.Option(0) if confirm_overwrite else \
            QFileDialog.Option.DontConfirmOverwrite
        path, _ = QFileDialog.getSaveFileName(self.parent, title, start, file_filter,
                                              options=options)
        return path or None

    def export_file(self, title: str, start: str, file_filter: str,
                    selected: str) -> tuple[str, str] | None:
        """(a path to write, the file type entry chosen), starting on the entry ``selected``;
        the caller asks before an existing file is replaced."""
        path, chosen = QFileDialog.getSaveFileName(
            self.parent, title, start, file_filter, selectedFilter=selected,
            options=QFileDialog.Option.DontConfirmOverwrite)
        return (path, chosen) if path else None

    def text(self, title: str, label: str, value: str) -> str | None:
        """A line of text the user types (``value`` to start with); None: cancelled."""
        text, ok = QInputDialog.getText(self.parent, title, label, text=value)
        return text if ok else None

    def quality(self, kind: str, default: int) -> int | None:
        """The quality of a lossy export (``kind``: "JPEG", "WebP"), 1-100; None: cancelled."""
        q, ok = QInputDialog.getInt(self.parent, f"{kind} quality",
                                    "Quality from 1 to 100. Higher keeps finer detail in a\n"
                                    "larger file; from 90 up it looks like the original.",
                                    default, 1, 100)
        return q if ok else None
