"""The menu bar: every action with its shortcut, the recent files and the Model menu."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMainWindow, QMenu

from net.assets import model_entries, model_name
from net.device import DEVICES, device_available
from net.hint_reach import PHOTO, REGION

from .app_settings import clear_recent_files, recent_files, remove_recent_file, retrained_models
from .help_text import REACH_KEY, REACH_TIPS

K = QKeySequence.StandardKey


def with_key(standard, extra: str) -> list[QKeySequence]:
    """The platform's keys for a standard action, and ``extra`` unless it is one of them."""
    keys, key = QKeySequence.keyBindings(standard), QKeySequence(extra)
    return keys if key in keys else keys + [key]


class Menus:
    def __init__(self, win: QMainWindow):
        self.win = win
        self._owners: dict[int, QObject] = {}       # menu id -> parent of its rebuilt actions
        self._named: dict[str, QAction] = {}        # the actions whose keys the help names
        self.models_dialog = None                   # Model > Manage retrained models, once opened
        ctl, tool, views = win.controller, win.tool, win.views
        mb = win.menuBar()
        f = mb.addMenu("&File")
        self.act(f, "&Open photo…", win.choose_image, K.Open, name="open")
        self.recent_menu = f.addMenu("Open &recent")
        f.addSeparator()
        self.act(f, "Open &session…", win.choose_session, "Ctrl+Shift+O", name="open_session")
        save = self.act(f, "&Save session", ctl.save, K.Save, name="save")
        save_as = self.act(f, "Save session &as…", ctl.save_as, "Ctrl+Shift+S")
        f.addSeparator()
        self.export_action = self.act(f, "&Export colorized image…", win.choose_export, "Ctrl+E",
                                      "Save the colorized photo at full resolution", name="export")
        f.addSeparator()
        self.act(f, "&Quit", win.close, K.Quit)
        e = mb.addMenu("&Edit")
        self.undo_action = self.act(e, "&Undo", tool.undo, K.Undo, name="undo")
        self.redo_action = self.act(e, "&Redo", tool.redo, K.Redo, name="redo")
        self.redo_action.setShortcuts(with_key(K.Redo, "Ctrl+Y"))    # a key twice: neither fires
        e.addSeparator()
        self.act(e, "&Delete selected hint", tool.delete_selected, K.Delete, name="delete")
        self.act(e, "Deselect hint", lambda: tool.select(None), "Esc",
                 "Colour and radius then set the brush for the next hint", name="deselect")
        clear = self.act(e, "&Clear all hints", tool.clear, "Ctrl+Shift+Backspace")
        self.act(e, "Choose &colour…", win.panel.swatch.choose, "C", name="colour")
        self.act(e, "Smaller radius", lambda: tool.step_radius(-1), "[", name="smaller")
        self.act(e, "Larger radius", lambda: tool.step_radius(+1), "]", name="larger")
        e.addSeparator()
        self.paint_action = self.act(e, "&Paint", lambda: tool.set_mode("paint"), "P",
                                     "Click adds a circle hint, drag paints a stroke", name="paint")
        self.erase_action = self.act(e, "&Eraser", lambda: tool.set_mode("erase"), "E",
                                     "Removes the hints under the brush; cuts strokes where it "
                                     "passes", name="erase")
        e.addSeparator()
        self.reach_action = self.act(
            e, "Hints colour their &own region only",
            lambda on: ctl.set_hint_reach(REGION if on else PHOTO), REACH_KEY, REACH_TIPS[REGION],
            checkable=True)
        v = mb.addMenu("&View")
        self.act(v, "&Fit to window", views.fit, "F", name="fit")
        self.act(v, "&Actual size (100%)", views.actual_size, "1", name="actual")
        zoom_in = self.act(v, "Zoom &in", lambda: views.zoom_by(1.25), K.ZoomIn)
        zoom_in.setShortcuts(with_key(K.ZoomIn, "Ctrl+="))
        self.act(v, "Zoom &out", lambda: views.zoom_by(0.8), K.ZoomOut)
        v.addSeparator()
        self.side_action = self.act(v, "&Side by side", views.set_side_by_side, "S", checkable=True,
                                    name="side")
        self.side_action.setChecked(True)
        self.before_action = self.act(v, "Show &before (original)", views.set_before, "B",
                                      "Show the original photo in place of the result",
                                      checkable=True, name="before")
        self.hints_action = self.act(v, "Show &hints", views.set_hints_visible, "H", checkable=True,
                                     name="hints")
        self.hints_action.setChecked(True)
        v.addSeparator()
        # The dock's own show/hide action: checked while the panel shows (its x closes it).
        self.panel_action = win.dock.toggleViewAction()
        self.panel_action.setText("Colour &panel")
        self.panel_action.setStatusTip("Show or hide the colour panel: colour, radius, hint "
                                       "reach and the list of hints")
        v.addAction(self.panel_action)
        self.model_menu = mb.addMenu("&Model")
        # Listed afresh each time it opens: a retraining may have added a model meanwhile.
        self.model_menu.aboutToShow.connect(self.rebuild_model_menu)
        t = mb.addMenu("&Tools")
        self.act(t, "&Retrain on a folder of photos…", win.retrain)
        h = mb.addMenu("&Help")
        self.act(h, "&How to use", win.show_help, K.HelpContents)
        self.act(h, "&About Hint Colorizer", win.show_about)
        # Greyed out until there is a photo to save, export or clear (they said so in a box).
        self.photo_actions = (save, save_as, self.export_action, clear)
        history_changed = self.update_undo
        ctl.doc.subscribe(lambda kind: history_changed() if kind in ("history", "image") else None)
        ctl.doc.subscribe(lambda kind: self.update_photo_actions() if kind == "image" else None)
        self.update_undo()
        self.update_photo_actions()
        self.update_recent()
        self.rebuild_model_menu()

    def act(self, menu: QMenu, text, slot, shortcut=None, tip=None, checkable=False,
            owner: QObject | None = None, name: str | None = None) -> QAction:
        """A menu action; ``name``: Help > How to use names its shortcut (:meth:`help_keys`)."""
        a = QAction(text, owner or self.win)
        if name:
            self._named[name] = a
        if shortcut:
            a.setShortcut(QKeySequence(shortcut))
        if tip:
            a.setStatusTip(tip)
            a.setToolTip(tip)
        a.setCheckable(checkable)
        a.triggered.connect(slot)
        menu.addAction(a)
        return a

    def manage_models(self) -> None:
        from .models_dialog import ModelsDialog
        win, ctl = self.win, self.win.controller
        if self.models_dialog is None:
            retrain = lambda: getattr(win, "_retrain", None)               # noqa: E731
            self.models_dialog = d = ModelsDialog(
                ctl.models_in_use, lambda: retrain().paths_in_use() if retrain() else [],
                ctl.models_loading, win)
            d.useModel.connect(ctl.load_model)
            ctl.modelChanged.connect(d.on_model_changed)
        self.models_dialog.refresh()
        self.models_dialog.show()
        self.models_dialog.raise_()

    def help_keys(self) -> dict[str, str]:
        """Each named action's first shortcut as the platform writes it: what the help says is
        what the menus set, whatever the platform's standard keys are."""
        native = QKeySequence.SequenceFormat.NativeText
        return {n: a.shortcut().toString(native) for n, a in self._named.items()}

    def update_photo_actions(self) -> None:
        for a in self.photo_actions:
            a.setEnabled(self.win.controller.doc.photo is not None)

    def update_undo(self) -> None:
        h = self.win.controller.doc.history
        self.undo_action.setEnabled(h.can_undo())
        self.redo_action.setEnabled(h.can_redo())
        self.undo_action.setText(f"&Undo {h.undo_text()}".strip())
        self.redo_action.setText(f"&Redo {h.redo_text()}".strip())

    def _fresh_owner(self, menu: QMenu) -> QObject:
        """Empties a menu that is rebuilt and returns a new parent for its actions; the old
        parent, with the old actions and submenus, is deleted (``clear`` only detaches them)."""
        menu.clear()
        old = self._owners.pop(id(menu), None)
        if old is not None:
            old.deleteLater()
        owner = self._owners[id(menu)] = QObject(self.win)
        return owner

    def update_recent(self) -> None:
        """Open recent: the photos and sessions, newest first, keys 1-9 and 0 in the menu (the
        paths' own "&" kept as text), and Clear list."""
        owner = self._fresh_owner(self.recent_menu)
        recent = recent_files(self.win.settings)
        for i, p in enumerate(recent, 1):
            key = f"&{i % 10} " if i <= 10 else ""
            self.act(self.recent_menu, key + p.replace("&", "&&"),
                     lambda _=False, p=p: self.open_recent(p), owner=owner)
        if recent:
            self.recent_menu.addSeparator()
            self.act(self.recent_menu, "&Clear list", self.clear_recent, owner=owner)
        self.recent_menu.setEnabled(bool(recent))

    def open_recent(self, path: str) -> None:
        """Open a recent file; one that is gone is said so and taken off the list."""
        if not Path(path).exists():
            remove_recent_file(self.win.settings, path)
            self.update_recent()
            self.win.prompts.error("The file is gone", f"{Path(path).name} is no longer at "
                                   f"{Path(path).parent}. It is taken off the recent list.")
            return
        self.win.controller.open_path(path)

    def clear_recent(self) -> None:
        clear_recent_files(self.win.settings)
        self.update_recent()

    def rebuild_model_menu(self) -> None:
        ctl, m = self.win.controller, self.model_menu
        owner = self._fresh_owner(m)
        group = QActionGroup(owner)
        current = ctl.colorizer.path if ctl.colorizer is not None else None

        def add(text: str, path: Path):
            a = self.act(m, text, lambda _=False, p=path: ctl.load_model(str(p)), checkable=True,
                         owner=owner)
            a.setChecked(current is not None and Path(current) == path)
            a.setToolTip(str(path))
            group.addAction(a)

        for e in model_entries():
            add(f"Bundled: {e.label}", e.path)
        mine = model_entries(retrained_models())
        if mine:
            m.addSection("Your retrained models")
            for e in mine:
                add(f"Retrained: {e.label}", e.path)
        if current is not None and not any(a.isChecked() for a in group.actions()):
            add(f"File: {model_name(current)}", Path(current))       # (a run's: its folder)
        m.addSeparator()
        self.act(m, "Load &weights file…", self.win.choose_weights, owner=owner)
        # (enabled with none too: greyed out, it did not say why; the window says how to make one)
        self.act(m, "&Manage retrained models…", self.manage_models, owner=owner,
                 tip="Use, rename or delete the models Tools > Retrain made")
        dev = QMenu("&Device", m)
        owner.destroyed.connect(dev.deleteLater)       # goes with this build's actions
        m.addMenu(dev)
        dgroup = QActionGroup(owner)
        for name in DEVICES:
            a = self.act(dev, name, lambda _=False, n=name: ctl.set_device(n), checkable=True,
                         owner=owner)
            a.setEnabled(device_available(name))
            a.setChecked(ctl.device == name)
            dgroup.addAction(a)
