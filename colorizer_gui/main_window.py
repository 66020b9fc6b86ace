"""The main window: composes the controller, the view pair, the colour panel and the menus,
and wires them together. It holds no document state of its own."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMessageBox

from net.assets import model_label
from net.colorizer import models_dir
from net.formats import read_filter
from net.hint_reach import REGION
from net.hints import photo_side
from net.session_file import SUFFIX

from .about import about_text
from .app_settings import (autosave_path, migrate_legacy_data, open_dir,  # noqa: F401
                           pending_autosave, read_colors, session_dir, settings, write_colors)
from .autosave import restore_question
from .canvas import dropped_paths
from .color_panel import AT_SELECTED_HINT, ColorPanel, scrollable
from .controller import EditorController
from .exporting import choose_export
from .help_box import HelpBox
from .help_text import help_html, window_title
from .hint_tool import MIN_RADIUS, HintTool
from .menus import Menus
from .prompts import Prompts
from .status_bar import StatusBar
from .suggested_colours import SuggestedColours
from .view_pair import FIRST_HINT_TEXT, ViewPair

__all__ = ["APP_NAME", "MainWindow", "autosave_path"]

APP_NAME = "Hint Colorizer"
DEFAULT_SIZE = (1400, 820)     # first start
USABLE_SIZE = (720, 460)       # a saved window smaller than this is not restored
MINIMUM_SIZE = (560, 380)      # below this the views are too small to paint in
SLOW_MS = 400                  # "colouring…" in the status bar when a change takes longer
AUTOMATIC_TEXT = ("{name} is an automatic model: it colorizes from the gray photo alone and "
                  "ignores hints (choose local or seed in the Model menu to paint)")
IMAGE_FILTER = read_filter()


def recoloured_text(index: int, suggested: bool) -> str:
    """The status message after hint ``index`` took a picked colour. Esc deselects it; other
    colour controls then set only the brush, while its suggestions still go to it."""
    if suggested:
        return f"Recoloured hint {index + 1} with a colour suggested for it"
    return f"Recoloured hint {index + 1} (Esc deselects it: a colour then only sets the brush)"


class MainWindow(QMainWindow):
    def __init__(self, model: str | None = None, device: str = "auto", ask_restore: bool = True):
        super().__init__()
        migrate_legacy_data()
        self.setWindowTitle(f"{APP_NAME}[*]")       # [*]: where Qt marks unsaved work
        self.setAcceptDrops(True)
        self.settings = settings()
        self.prompts = Prompts(self)
        self.controller = EditorController(self.settings, self.prompts, device, self)
        self.doc = self.controller.doc
        self.tool = HintTool(self.doc, self)
        self.views = ViewPair()
        self.setCentralWidget(self.views)
        for v in self.views.views:
            v.filesDropped.connect(self.open_dropped)
        self.panel = ColorPanel(read_colors(self.settings.value("recentColors", [])))
        self.dock = QDockWidget("Colour", self)
        self.dock.setObjectName("colour-dock")
        self.dock.setWidget(scrollable(self.panel))
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        bar = StatusBar()
        self.setStatusBar(bar)
        self.status_model, self.status_time, self.status_pos = bar.model, bar.time, bar.spot
        self.menus = Menus(self)
        # A change whose colours take longer than this says so (a busy CPU can take seconds).
        self._hint_count = 0                  # the hints at the last change: was one added?
        self._slow = QTimer(self, singleShot=True, interval=SLOW_MS)
        self._slow.timeout.connect(self._say_colouring)
        self._retrain = None
        self.help_box = None           # Help > How to use, made when first asked for
        self._startup_path = None
        self.ask_restore = ask_restore
        self._connect()
        self.setMinimumSize(*MINIMUM_SIZE)
        self._restore_settings()
        self.controller.load_model(model or self.settings.value("model", None) or None, initial=True)

    # shortcuts to the parts (used by the benchmark and the tests)
    @property
    def gray_view(self):
        return self.views.gray_view

    @property
    def result_view(self):
        return self.views.result_view

    @property
    def colorizer(self):
        return self.controller.colorizer

    @property
    def session(self):
        return self.controller.session

    def _connect(self):
        ctl, tool, panel = self.controller, self.tool, self.panel
        for view in self.views.views:
            view.pressed.connect(lambda p, b, m, v=view: tool.press(p, b, m, v.objectName(),
                                                                     v.show_hints))
            view.dragged.connect(tool.drag)
            view.released.connect(tool.release)
            view.hovered.connect(self.on_hover)
            view.left.connect(lambda: self.on_hover(None))
            view.radiusWheel.connect(tool.step_radius)
        self.doc.subscribe(self.on_doc_changed)
        self.doc.subscribe(lambda kind: self.setWindowModified(self.doc.dirty))
        tool.colorChanged.connect(panel.set_color)
        tool.hintPainted.connect(self.remember_color)   # (moving or selecting a hint is no use of its colour)
        tool.radiusChanged.connect(self.on_radius_changed)
        tool.selectionChanged.connect(self.on_selection_changed)
        tool.modeChanged.connect(self.on_mode_changed)
        tool.eyedropper.connect(self.eyedrop)
        tool.notice.connect(lambda text: self.statusBar().showMessage(text, 6000))
        panel.colorPicked.connect(self.pick_color)
        self.suggested = SuggestedColours(self.doc, ctl, panel, tool, self.pick_color)
        panel.suggestionPicked.connect(self.suggested.picked)
        panel.colorDragged.connect(lambda rgb: tool.set_color(rgb, dragging=True))
        panel.radiusPicked.connect(tool.set_radius)
        panel.modePicked.connect(tool.set_mode)
        panel.reachPicked.connect(ctl.set_hint_reach)
        panel.hint_list.selected.connect(tool.select)
        panel.hint_list.deleteRequested.connect(tool.delete_selected)
        ctl.photoOpened.connect(self.on_photo_opened)
        ctl.modelChanged.connect(self.on_model_changed)
        ctl.resultShown.connect(self.on_result)
        ctl.message.connect(lambda text, ms: self.statusBar().showMessage(text, ms))
        ctl.startupReady.connect(self._after_start)

    def _restore_settings(self):
        s = self.settings
        geo = s.value("geometry")
        restored = geo is not None and self.restoreGeometry(geo)
        if not restored or self.width() < USABLE_SIZE[0] or self.height() < USABLE_SIZE[1]:
            # no saved size, or one too small to paint in (a window shrunk by a tiling window
            # manager, or saved on a smaller screen): start at a comfortable size that fits
            screen = self.screen().availableGeometry() if self.screen() else None
            w, h = DEFAULT_SIZE
            if screen is not None and screen.width() > 0:
                w, h = min(w, screen.width()), min(h, screen.height())
            self.resize(max(w, self.minimumWidth()), max(h, self.minimumHeight()))
        state = s.value("windowState")
        if state is not None:
            self.restoreState(state)
        try:
            self.tool.fraction = min(0.25, max(0.001, float(s.value("radiusFraction", 0.02))))
        except (TypeError, ValueError):
            pass
        if self.panel.recent.colors:
            self.tool.set_color(self.panel.recent.colors[0])
        self.panel.set_color(self.tool.color)
        self.on_radius_changed(self.tool.radius)
        self.on_doc_changed("reach")                 # the reach chosen last (the controller's)

    # ------------------------------------------------------------------ controller events
    def on_photo_opened(self):
        photo = self.doc.photo
        self.views.set_photo(photo.rgb, photo.l_full, photo.has_color)
        self.setWindowTitle(window_title(photo.path, self.doc.session_path, APP_NAME))
        self.menus.update_recent()
        self.suggested.clear()                    # suggestions belonged to the previous photo
        self.panel.reset_lightness(float(np.median(photo.l_full[::8, ::8])))  # and its lightness
        self.status_pos.setText("")               # as did the cursor position and L shown
        # No suggestions until a hint is added or selected: a reopened session's last hint is
        # not one the user is working on.
        self.show_hints(self.tool.selected)
        self.update_tip()

    def model_text(self) -> str:
        c = self.controller.colorizer
        return "no model loaded" if c is None else \
            f"model: {model_label(c.name, c.variant, c.uses_hints, short=True)} · device: {c.device.type}"

    def on_model_changed(self):
        self.menus.rebuild_model_menu()
        c = self.controller.colorizer
        self.status_model.setText(self.model_text())
        self.statusBar().clearMessage()
        if c is not None and not c.uses_hints:
            self.statusBar().showMessage(AUTOMATIC_TEXT.format(name=c.name), 15000)
        self.views.set_automatic(c is not None and not c.uses_hints)
        last = self.controller.last_result
        if c is not None and self.doc.photo is not None and (
                last is None or getattr(last.session, "colorizer", c) is not c):
            # The picture is the previous model's until the new one's arrives: say so.
            self.status_time.setText(f"colouring with {c.name}…")
        if self._retrain is not None:      # its next run starts from the model in use
            self._retrain.set_init_weights(str(c.path) if c is not None else None)

    def on_result(self, r):
        self.views.set_result(r.rgb)
        self.suggested.refresh()
        lat = self.controller.last_latency_ms
        self.status_time.setText(f"inference {r.ms:.0f} ms" + (f" · click→screen {lat:.0f} ms"
                                                                 if lat else ""))

    def _say_colouring(self):
        if self.doc.photo is not None and not self.controller.idle():
            self.status_time.setText("colouring…")

    def update_tip(self, *_):
        """The first-hint tip over an empty photo, unless the eraser is on (a click would not add)."""
        self.views.set_tip("" if self.doc.hints or self.tool.mode == "erase" else FIRST_HINT_TEXT)

    def on_doc_changed(self, kind: str):
        if kind == "saved":
            self.menus.update_recent()                # the session saved is listed now
            self.setWindowTitle(window_title(self.doc.path, self.doc.session_path, APP_NAME))
        if kind in ("hints", "image", "reach"):
            self._slow.start()                        # the controller asks for new colours
        if kind in ("reach", "image"):
            self.panel.set_reach(self.doc.hint_reach)
            self.menus.reach_action.setChecked(self.doc.hint_reach == REGION)
        if kind not in ("hints", "image"):
            return
        hints = self.doc.hints
        self.show_hints(self.tool.selected)
        self.update_tip()
        added, removed = len(hints) > self._hint_count, len(hints) < self._hint_count
        self._hint_count = len(hints)
        if kind == "hints" and hints:
            selected = self.tool.selected
            if selected is not None and selected < len(hints):   # moved: its new spot
                self.describe_spot(selected)
            elif added:                          # the hint just added
                self.suggested.for_hint(len(hints) - 1)
            elif removed and self.suggested.hint is not None and selected is None:
                # Deleted or undone: the hints were renumbered, and the last one is not one
                # the user just added (a walkthrough read "for hint no. 3" after deleting 4).
                self.suggested.clear()
        elif kind == "hints":                    # no hint left for the suggestions to be for
            self.suggested.clear()

    def on_radius_changed(self, r: float):
        h, w = self.doc.size
        self.panel.set_radius(r, MIN_RADIUS, self.tool.max_radius, photo_side(h, w),
                              self.tool.fraction)
        self.views.set_brush(r, self.tool.mode == "erase")

    def on_mode_changed(self, mode: str):
        self.update_tip()
        self.panel.set_mode(mode)
        self.views.set_brush(self.tool.radius, mode == "erase")

    def show_hints(self, selected):
        """The hints, with ``selected`` marked, in the views, the list and the count."""
        hints = self.doc.hints
        self.views.set_hints(hints, selected)
        self.panel.hint_list.set_hints(hints, selected)
        self.panel.set_hint_count(len(hints), selected)

    def on_selection_changed(self, index):
        self.show_hints(index)
        if index is not None:
            self.describe_spot(index)
        else:                                    # deselected: the spot is the cursor's again
            self.on_hover(self.views.cursor_image_point())

    def describe_spot(self, index: int):
        """The colour panel for the selected hint: the lightness under it and what to suggest."""
        h = self.doc.hints[index]
        self.panel.set_lightness(self.doc.lightness_at(h.x, h.y), AT_SELECTED_HINT)
        self.suggested.for_hint(index)

    def pick_color(self, rgb, suggested: bool = False):
        """The brush colour; also the selected hint's, if one is selected (Esc deselects).
        ``suggested``: a colour suggested for that hint, which goes to it after Esc too."""
        selected = self.tool.selected
        changed = self.tool.set_color(rgb)
        self.remember_color(rgb)
        if changed:
            self.statusBar().showMessage(recoloured_text(selected, suggested), 5000)

    def remember_color(self, rgb):
        if self.panel.remember(rgb):
            write_colors(self.settings, self.panel.recent.colors)

    def on_hover(self, p: QPointF | None):
        """The cursor at image point ``p`` (None: it left the views). Unless a hint is selected,
        the colour panel describes the spot under it; beside the photo there is none, so no gamut
        warning is left describing a spot the cursor has left."""
        l = None if p is None else self.doc.lightness_at(p.x(), p.y())
        if self.tool.selected is None:
            self.panel.set_lightness(l)
        self.status_pos.setText("" if l is None else f"x {int(p.x())}  y {int(p.y())}  L {l:.0f}")

    def eyedrop(self, p: QPointF, view_name: str):
        x, y = p.x(), p.y()
        if not self.doc.contains(x, y):
            return
        rgb = self.doc.original_rgb_at(x, y) if view_name == "original" else \
            self.controller.result_rgb_at(x, y)
        if rgb is None:
            self.statusBar().showMessage("This photo has no colour of its own to sample; "
                                         "Alt+click the result instead.", 5000)
            return
        self.pick_color(rgb)
        self.suggested.show_at(x, y, "at the sampled point")

    # ------------------------------------------------------------------ file dialogs
    def choose_image(self):
        path = self.prompts.open_file("Open photo", open_dir(self.settings),
                                      f"{IMAGE_FILTER};;All files (*)")
        if path:
            self.controller.open_path(path)

    def choose_session(self):
        path = self.prompts.open_file("Open session", session_dir(self.settings),
                                      f"Colorizer sessions (*{SUFFIX});;All files (*)")
        if path:
            self.controller.open_session(Path(path))

    def choose_weights(self):
        path = self.prompts.open_file("Load weights", str(models_dir()), "Weights (*.safetensors)")
        if path:
            self.controller.load_model(path)

    def choose_export(self):
        choose_export(self.controller, self.settings)

    def retrain(self):
        from .retrain_dialog import RetrainDialog
        c = self.controller.colorizer
        path = str(c.path) if c else None
        if self._retrain is None:
            self._retrain = RetrainDialog(path, self)
            self._retrain.modelReady.connect(self.controller.load_model)
            self._retrain.progressed.connect(self.statusBar().set_training)
        else:
            self._retrain.set_init_weights(path)      # the model loaded now, unless a run is going
        self._retrain.show()
        self._retrain.raise_()

    def show_help(self):
        if self.help_box is None:
            self.help_box = HelpBox(
                lambda: help_html(self.doc.hint_reach, self.menus.help_keys()), self,
                keep_clear=self.views.painted_view,
                room=lambda: self.views.result_view if self.views.side_by_side else None)
            self.doc.subscribe(lambda kind: kind == "reach" and self.help_box.refresh())
        self.help_box.present()

    def show_about(self):
        QMessageBox.about(self, f"About {APP_NAME}", about_text(APP_NAME, self.controller.colorizer))

    # ------------------------------------------------------------------ start and close
    def set_startup_path(self, path):
        self._startup_path = path

    def _after_start(self):
        """Once the model is loaded: offer to restore a crashed session, else open the first photo."""
        ap = pending_autosave()
        if self.ask_restore and ap is not None:
            if self.prompts.yes_no("Restore unsaved work?", restore_question(ap)):
                self.controller.restore_autosave(ap)
                return
            self.controller.drop_autosave(offered=ap)
        if self._startup_path:
            self.controller.open_path(self._startup_path, ask=False)

    def dragEnterEvent(self, e):
        if dropped_paths(e):
            e.acceptProposedAction()

    def dropEvent(self, e):
        self.open_dropped(dropped_paths(e))

    def open_dropped(self, paths: list[str]) -> None:
        """Files dropped on the window or on a view: the first one opens (a photo or a session)."""
        if paths:
            self.controller.open_path(paths[0])

    def closeEvent(self, e):
        if self._retrain is not None and self._retrain.running() and not self.prompts.yes_no(
                "Retraining is running", self._retrain.quit_question()):
            e.ignore()
            return
        if not self.controller.confirm_replace("closing"):
            e.ignore()
            return
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("windowState", self.saveState())
        self.settings.setValue("radiusFraction", self.tool.fraction)
        if self._retrain is not None:
            self._retrain.shutdown()
        self.controller.stop()
        e.accept()
