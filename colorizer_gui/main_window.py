"""The main window: wiring between the document, the views, the tool and the worker."""
from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import QPointF, QSettings, QStandardPaths, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoStack
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QFormLayout, QInputDialog, QLabel,
                               QMainWindow, QMessageBox, QSlider, QSplitter, QVBoxLayout, QWidget)

from net import Colorizer, Hint, load_image
from net.atomic import file_sha256
from net.color import merge_l_ab, rgb_to_l
from net.colorizer import models_dir
from net.device import pick_device
from net.formats import WRITE_FORMATS, read_filter, write_filter
from net.image_io import save_image
from net.session_file import (SUFFIX, Session, SessionError, check_hints_fit,
                              load_session, save_session)

from .canvas import ImageView
from .color_widgets import AbPicker, ColorRow, ColorSwatch
from .commands import SetHintsCommand
from .document import Document
from .hint_tool import HintTool
from .inference import DISPLAY_MAX_SIDE, InferenceWorker
from .suggestions import suggestions

APP_NAME = "Hint Colorizer"
MAX_RECENT = 10
AUTOSAVE_MS = 3000
IMAGE_FILTER = read_filter()


def settings() -> QSettings:
    return QSettings("hint-colorizer", "Hint Colorizer")


def autosave_path() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".hint-colorizer") / f"autosave{SUFFIX}"


class MainWindow(QMainWindow):
    def __init__(self, model: str | None = None, device: str = "auto", ask_restore: bool = True):
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.setAcceptDrops(True)
        self.settings = settings()
        self.doc = Document()
        self.undo = QUndoStack(self)
        self.tool = HintTool(self.doc, self.undo, self)
        self.worker = InferenceWorker()
        self.colorizer: Colorizer | None = None
        self.session = None
        self.device = device
        self.session_path: Path | None = None
        self._pending_hints: list[Hint] | None = None
        self._request_t: dict[int, float] = {}
        self._shown_gen = -1
        self.last_latency_ms: float | None = None
        self.last_result: np.ndarray | None = None
        self._l_full: np.ndarray | None = None
        self._saved_rev = 0
        self._autosaved_rev = 0
        self._build_views()
        self._build_dock()
        self._build_actions()
        self._build_status()
        self._connect()
        self._restore_settings()
        self._autosave = QTimer(self, interval=AUTOSAVE_MS, timeout=self.autosave)
        self._autosave.start()
        self.ask_restore = ask_restore
        self.load_model(model or self.settings.value("model", None) or None, initial=True)

    # ------------------------------------------------------------------ building
    def _build_views(self):
        self.gray_view = ImageView("original")
        self.result_view = ImageView("result")
        self.gray_view.setToolTip("Click: add a hint · drag: paint hints · Alt+click: sample colour · "
                                  "wheel: zoom · Ctrl+wheel: radius · middle/space drag: pan")
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(self.gray_view)
        self.split.addWidget(self.result_view)
        self.setCentralWidget(self.split)
        self.result_view.show_hints = False
        self._syncing = False

    def _build_dock(self):
        panel = QWidget()
        lay = QVBoxLayout(panel)
        form = QFormLayout()
        self.swatch = ColorSwatch()
        form.addRow("Colour", self.swatch)
        self.radius_slider = QSlider(Qt.Orientation.Horizontal)
        self.radius_slider.setRange(1, 200)
        self.radius_slider.setToolTip("Hint radius in image pixels ([ and ], or Ctrl+wheel)")
        self.radius_label = QLabel()
        form.addRow("Radius", self.radius_slider)
        form.addRow("", self.radius_label)
        lay.addLayout(form)
        self.ab_picker = AbPicker()
        lay.addWidget(self.ab_picker, 1)
        self.recent_row = ColorRow("Recent colours", "Colours you used recently")
        self.suggest_row = ColorRow("Suggested here", "The model's current colour at the selected "
                                    "point, the photo's own colour, and common colours at this lightness")
        lay.addWidget(self.recent_row)
        lay.addWidget(self.suggest_row)
        self.hint_label = QLabel("No hints")
        lay.addWidget(self.hint_label)
        lay.addStretch(0)
        dock = QDockWidget("Colour", self)
        dock.setObjectName("colour-dock")
        dock.setWidget(panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.dock = dock

    def _act(self, menu, text, slot, shortcut=None, tip=None, checkable=False):
        a = QAction(text, self)
        if shortcut:
            a.setShortcut(QKeySequence(shortcut))
        if tip:
            a.setStatusTip(tip)
            a.setToolTip(tip)
        a.setCheckable(checkable)
        a.triggered.connect(slot)
        menu.addAction(a)
        return a

    def _build_actions(self):
        mb = self.menuBar()
        f = mb.addMenu("&File")
        self._act(f, "&Open photo…", self.choose_image, QKeySequence.StandardKey.Open)
        self.recent_menu = f.addMenu("Open &recent")
        f.addSeparator()
        self._act(f, "Open &session…", self.choose_session, "Ctrl+Shift+O")
        self._act(f, "&Save session", self.save_session, QKeySequence.StandardKey.Save)
        self._act(f, "Save session &as…", self.save_session_as, "Ctrl+Shift+S")
        f.addSeparator()
        self.export_action = self._act(f, "&Export colorized image…", self.export, "Ctrl+E",
                                       "Save the colorized photo at full resolution")
        f.addSeparator()
        self._act(f, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        e = mb.addMenu("&Edit")
        undo = self.undo.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo.createRedoAction(self, "&Redo")
        redo.setShortcuts([QKeySequence.StandardKey.Redo, QKeySequence("Ctrl+Y")])
        e.addAction(undo)
        e.addAction(redo)
        e.addSeparator()
        self._act(e, "&Delete selected hint", self.tool.delete_selected,
                  QKeySequence.StandardKey.Delete)
        self._act(e, "&Clear all hints", self.tool.clear, "Ctrl+Shift+Backspace")
        self._act(e, "Choose &colour…", self.swatch.choose, "C")
        self._act(e, "Smaller radius", lambda: self.tool.step_radius(-1), "[")
        self._act(e, "Larger radius", lambda: self.tool.step_radius(+1), "]")
        v = mb.addMenu("&View")
        self._act(v, "&Fit to window", self.fit, "F")
        self._act(v, "&Actual size (100%)", self.actual_size, "1")
        self._act(v, "Zoom &in", lambda: self.gray_view.zoom_by(1.25), QKeySequence.StandardKey.ZoomIn)
        self._act(v, "Zoom &out", lambda: self.gray_view.zoom_by(0.8), QKeySequence.StandardKey.ZoomOut)
        v.addSeparator()
        self.side_action = self._act(v, "&Side by side", self.set_side_by_side, "S", checkable=True)
        self.side_action.setChecked(True)
        self.before_action = self._act(v, "Show &before (original)", self.update_result_view, "B",
                                       "Show the original photo in place of the result", checkable=True)
        self.hints_action = self._act(v, "Show &hints", self.set_show_hints, "H", checkable=True)
        self.hints_action.setChecked(True)
        m = mb.addMenu("&Model")
        self.model_menu = m
        t = mb.addMenu("&Tools")
        self._act(t, "&Retrain HNet on a folder…", self.retrain)
        h = mb.addMenu("&Help")
        self._act(h, "&How to use", self.show_help, QKeySequence.StandardKey.HelpContents)

    def _rebuild_model_menu(self):
        m = self.model_menu
        m.clear()
        group = QActionGroup(self)
        for p in sorted(models_dir().glob("*.safetensors")):
            a = self._act(m, f"Bundled: {p.stem}", lambda _=False, p=p: self.load_model(str(p)),
                          checkable=True)
            a.setChecked(self.colorizer is not None and self.colorizer.path == p)
            group.addAction(a)
        m.addSeparator()
        self._act(m, "Load &weights file…", self.choose_weights)
        dev = m.addMenu("&Device")
        dgroup = QActionGroup(self)
        for name in ("auto", "cpu", "cuda", "mps"):
            try:
                pick_device(name)
                ok = True
            except ValueError:
                ok = False
            a = self._act(dev, name, lambda _=False, n=name: self.set_device(n), checkable=True)
            a.setEnabled(ok)
            a.setChecked(self.device == name)
            dgroup.addAction(a)

    def _build_status(self):
        self.status_model = QLabel()
        self.status_time = QLabel()
        self.status_pos = QLabel()
        for w in (self.status_pos, self.status_time, self.status_model):
            self.statusBar().addPermanentWidget(w)

    def _connect(self):
        for view in (self.gray_view, self.result_view):
            view.pressed.connect(lambda p, b, m, v=view: self.tool.press(p, b, m, v.objectName()))
            view.dragged.connect(self.tool.drag)
            view.released.connect(self.tool.release)
            view.hovered.connect(self.on_hover)
            view.radiusWheel.connect(self.tool.step_radius)
            view.viewChanged.connect(lambda v=view: self._sync_views(v))
        self.doc.subscribe(self.on_doc_changed)
        self.tool.colorChanged.connect(self.on_color_changed)
        self.tool.radiusChanged.connect(self.on_radius_changed)
        self.tool.selectionChanged.connect(self.on_selection_changed)
        self.tool.eyedropper.connect(self.eyedrop)
        self.swatch.colorPicked.connect(self.pick_color)
        self.ab_picker.colorPicked.connect(self.pick_color)
        self.recent_row.colorPicked.connect(self.pick_color)
        self.suggest_row.colorPicked.connect(self.pick_color)
        self.radius_slider.valueChanged.connect(lambda v: self.tool.set_radius(float(v)))
        self.worker.resultReady.connect(self.on_result)
        self.worker.callDone.connect(self.on_call_done)
        self.worker.callFailed.connect(self.on_call_failed)

    def _restore_settings(self):
        s = self.settings
        geo = s.value("geometry")
        if geo is not None:
            self.restoreGeometry(geo)
        else:
            self.resize(1400, 820)
        state = s.value("windowState")
        if state is not None:
            self.restoreState(state)
        try:
            self.tool.set_radius(float(s.value("radius", 8.0)))
        except (TypeError, ValueError):
            pass
        self.on_radius_changed(self.tool.radius)
        self.recent_colors = self._read_colors(s.value("recentColors", []))
        if self.recent_colors:
            self.tool.set_color(self.recent_colors[0])
        self.on_color_changed(self.tool.color)
        self.recent_row.set_colors(self.recent_colors)
        self._update_recent_menu()

    @staticmethod
    def _read_colors(raw) -> list[tuple]:
        out = []
        for item in raw if isinstance(raw, list) else []:
            try:
                c = tuple(int(x) for x in str(item).split(","))
                if len(c) == 3 and all(0 <= x <= 255 for x in c):
                    out.append(c)
            except ValueError:
                continue
        return out[:12]

    # ------------------------------------------------------------------ model
    def load_model(self, model: str | None, initial: bool = False):
        device = self.device
        rgb = self.doc.rgb

        def job():
            c = Colorizer.load(model, device=device)
            return c, (c.open(rgb) if rgb is not None else None)

        self.status_model.setText("loading model…")
        self.worker.call("model-initial" if initial else "model", job)

    def choose_weights(self):
        path, _ = QFileDialog.getOpenFileName(self, "Load weights", str(models_dir()),
                                              "Weights (*.safetensors)")
        if path:
            self.load_model(path)

    def set_device(self, name: str):
        self.device = name
        self.load_model(str(self.colorizer.path) if self.colorizer else None)

    # ------------------------------------------------------------------ open
    def choose_image(self):
        start = self.settings.value("lastDir", str(Path.home()))
        path, _ = QFileDialog.getOpenFileName(self, "Open photo", start,
                                              f"{IMAGE_FILTER};;All files (*)")
        if path:
            self.open_path(path)

    def open_path(self, path: str | Path, hints: list[Hint] | None = None,
                  session_path: Path | None = None):
        path = Path(path)
        if path.name.endswith(SUFFIX):
            return self.open_session(path)
        colorizer = self.colorizer

        def job():
            img = load_image(path)
            session = colorizer.open(img.rgb) if colorizer is not None else None
            # the session already holds the full-resolution L: do not convert the photo twice
            return img, session, session.l_full if session is not None else rgb_to_l(img.rgb)

        self._pending_hints = hints
        self._pending_session_path = session_path
        self.statusBar().showMessage(f"Opening {path.name}…")
        self.worker.call("open", job)

    def _finish_open(self, img, session, l_full):
        self.doc.set_image(img.rgb, img.path, img.has_color)
        self._l_full = l_full
        self.session = session
        self.worker.set_session(session)
        self.undo.clear()
        h, w = img.rgb.shape[:2]
        s = min(1.0, DISPLAY_MAX_SIDE / max(h, w))
        l_disp = l_full if s >= 1 else cv2.resize(
            l_full, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
        self._gray_display = merge_l_ab(l_disp, np.zeros(l_disp.shape + (2,), np.float32))
        self._original_display = (img.rgb if s >= 1 else cv2.resize(
            img.rgb, (l_disp.shape[1], l_disp.shape[0]), interpolation=cv2.INTER_AREA))
        self.gray_view.set_image(self._gray_display, (h, w))
        self.last_result = None
        self.result_view.set_image(self._gray_display, (h, w))
        self.session_path = self._pending_session_path
        hints = self._pending_hints or []
        self._pending_hints = None
        if hints:
            try:
                check_hints_fit(hints, (h, w))
                self.undo.push(SetHintsCommand(self.doc, hints, "Apply session hints"))
                self.undo.clear()
            except SessionError as e:
                self.error("The session's hints do not fit this photo", str(e))
        self._saved_rev = self.doc.revision
        self._add_recent(img.path)
        self.settings.setValue("lastDir", str(img.path.parent))
        self.setWindowTitle(f"{img.path.name} — {APP_NAME}")
        self.statusBar().showMessage(
            f"Opened {img.path.name}: {w}x{h}" + (" (colour photo shown in gray; Alt+click samples "
                                                  "its colours)" if img.has_color else ""), 8000)
        self.request()

    # ------------------------------------------------------------------ worker results
    def on_call_done(self, tag: str, result):
        if tag == "open":
            self._finish_open(*result)
        elif tag in ("model", "model-initial"):
            colorizer, session = result
            self.colorizer = colorizer
            if session is not None:
                self.session = session
                self.worker.set_session(session)
            self.settings.setValue("model", str(colorizer.path))
            self._rebuild_model_menu()
            self._update_status()
            if tag == "model-initial":
                self._after_start()
            else:
                self.request()
        elif tag == "export":
            self.statusBar().showMessage(f"Exported {result}", 8000)

    def on_call_failed(self, tag: str, message: str):
        if tag in ("model", "model-initial"):
            self.error("The model could not be loaded", message +
                       ("" if self.colorizer is None else "\nThe previous model stays in use."))
            self._rebuild_model_menu()
            self._update_status()
            if tag == "model-initial":
                if self.settings.value("model", None):
                    # A remembered model that no longer loads: fall back to the bundled default.
                    self.settings.remove("model")
                    self.load_model(None, initial=True)
                    return
                self._after_start()
        elif tag == "open":
            self.error("The photo could not be opened", message)
            self.statusBar().clearMessage()
        elif tag == "export":
            self.error("The image was not exported", message)
        else:
            self.error("Something went wrong", message)

    def on_result(self, gen: int, rgb, ms: float, kind: str):
        if gen < self._shown_gen or gen != self.worker.generation:
            return  # stale
        self._shown_gen = gen
        self.last_result = rgb
        self.update_result_view()
        t0 = self._request_t.pop(gen, None) if kind == "display" else self._request_t.get(gen)
        if t0 is not None and kind == "preview":
            self.last_latency_ms = (time.perf_counter() - t0) * 1000
        self._update_status(ms)

    def update_result_view(self):
        if self.doc.rgb is None:
            return
        if self.before_action.isChecked():
            img = self._original_display if self.doc.has_color else self._gray_display
        else:
            img = self.last_result if self.last_result is not None else self._gray_display
        self.result_view.set_image(img, self.doc.size)

    def _update_status(self, ms: float | None = None):
        if self.colorizer is None:
            self.status_model.setText("no model loaded")
        else:
            c = self.colorizer
            self.status_model.setText(f"model: {c.name} ({c.variant}) · device: {c.device.type}")
        if ms is not None:
            lat = f" · click→screen {self.last_latency_ms:.0f} ms" if self.last_latency_ms else ""
            self.status_time.setText(f"inference {ms:.0f} ms{lat}")

    # ------------------------------------------------------------------ document events
    def request(self):
        if self.session is None or self.doc.rgb is None:
            return
        gen = self.worker.request(self.doc.hints)
        self._request_t[gen] = time.perf_counter()
        if len(self._request_t) > 256:
            for k in sorted(self._request_t)[:-64]:
                del self._request_t[k]

    def on_doc_changed(self, kind: str):
        for v in (self.gray_view, self.result_view):
            v.set_hints(self.doc.hints, self.tool.selected)
        n = len(self.doc.hints)
        self.hint_label.setText(f"{n} hint{'s' if n != 1 else ''}" if n else "No hints")
        if kind == "hints":
            self.request()
            if self.doc.hints:
                last = self.doc.hints[-1]
                self._remember_color(last.rgb)
                if self.tool.selected is None:
                    self.update_suggestions(last.x, last.y)

    def on_color_changed(self, rgb):
        self.swatch.set_rgb(rgb)
        self.ab_picker.set_marker_rgb(rgb)

    def on_radius_changed(self, r: float):
        self.radius_slider.blockSignals(True)
        self.radius_slider.setValue(int(round(min(r, self.radius_slider.maximum()))))
        self.radius_slider.blockSignals(False)
        self.radius_label.setText(f"{r:.1f} px")
        for v in (self.gray_view, self.result_view):
            v.brush_radius = r
            v.viewport().update()

    def on_selection_changed(self, index):
        for v in (self.gray_view, self.result_view):
            v.set_hints(self.doc.hints, index)
        if index is not None:
            h = self.doc.hints[index]
            self.update_suggestions(h.x, h.y)

    def pick_color(self, rgb):
        self.tool.set_color(rgb)
        self._remember_color(rgb)

    def _remember_color(self, rgb):
        rgb = tuple(rgb)
        if self.recent_colors[:1] == [rgb]:
            return
        self.recent_colors = [rgb] + [c for c in self.recent_colors if c != rgb][:11]
        self.recent_row.set_colors(self.recent_colors)
        self.settings.setValue("recentColors", [",".join(map(str, c)) for c in self.recent_colors])

    def on_hover(self, p: QPointF):
        if self._l_full is None or not self.doc.contains(p.x(), p.y()):
            self.status_pos.setText("")
            return
        x, y = int(p.x()), int(p.y())
        l = float(self._l_full[y, x])
        self.ab_picker.set_lightness(l)
        self.status_pos.setText(f"x {x}  y {y}  L {l:.0f}")

    def result_rgb_at(self, x: float, y: float):
        if self.last_result is None:
            return None
        h, w = self.doc.size
        rh, rw = self.last_result.shape[:2]
        return tuple(int(c) for c in self.last_result[min(rh - 1, int(y * rh / h)),
                                                       min(rw - 1, int(x * rw / w))])

    def update_suggestions(self, x: float, y: float):
        if self._l_full is None or not self.doc.contains(x, y):
            return
        l = float(self._l_full[int(y), int(x)])
        colors, labels = suggestions(l, self.result_rgb_at(x, y), self.doc.original_rgb_at(x, y))
        self.suggest_row.set_colors(colors, labels)

    def eyedrop(self, p: QPointF, view_name: str):
        x, y = p.x(), p.y()
        if not self.doc.contains(x, y):
            return
        rgb = self.doc.original_rgb_at(x, y) if view_name == "original" else self.result_rgb_at(x, y)
        if rgb is None:
            self.statusBar().showMessage("This photo has no colour of its own to sample; "
                                         "Alt+click the result instead.", 5000)
            return
        self.pick_color(rgb)
        self.update_suggestions(x, y)

    # ------------------------------------------------------------------ views
    def _sync_views(self, src: ImageView):
        if self._syncing:
            return
        self._syncing = True
        try:
            dst = self.result_view if src is self.gray_view else self.gray_view
            dst.copy_view_from(src)
        finally:
            self._syncing = False

    def fit(self):
        self.gray_view.fit()
        self.result_view.fit()

    def actual_size(self):
        self.gray_view.actual_size()
        self.result_view.actual_size()

    def set_side_by_side(self, on: bool):
        self.gray_view.setVisible(on)
        self.result_view.show_hints = not on and self.hints_action.isChecked()
        self.result_view.viewport().update()

    def set_show_hints(self, on: bool):
        self.gray_view.show_hints = on
        self.result_view.show_hints = on and not self.side_action.isChecked()
        for v in (self.gray_view, self.result_view):
            v.viewport().update()

    # ------------------------------------------------------------------ export and sessions
    def export(self):
        if self.doc.rgb is None or self.session is None:
            self.error("Nothing to export", "Open a photo and load a model first.")
            return
        stem = self.doc.path.stem if self.doc.path else "photo"
        start = str(Path(self.settings.value("exportDir", str(self.doc.path.parent if self.doc.path
                                                               else Path.home()))) / f"{stem}_colorized.png")
        path, _ = QFileDialog.getSaveFileName(
            self, "Export colorized image", start,
            write_filter())
        if not path:
            return
        self.export_to(Path(path))

    def export_to(self, path: Path, quality: int | None = None, confirm: bool = True):
        if path.suffix.lower() not in WRITE_FORMATS:
            path = path.with_suffix(".png")
        if self.doc.path is not None and path.resolve() == self.doc.path.resolve():
            if not confirm or QMessageBox.warning(
                    self, "Overwrite the original?",
                    f"{path.name} is the original photo. Replace it with the colorized image?",
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                    QMessageBox.StandardButton.No) != QMessageBox.StandardButton.Yes:
                return
        if quality is None:
            quality = 95
            if path.suffix.lower() in (".jpg", ".jpeg"):
                q, ok = QInputDialog.getInt(self, "JPEG quality", "Quality (1-100):",
                                            int(self.settings.value("jpegQuality", 95)), 1, 100)
                if not ok:
                    return
                quality = q
                self.settings.setValue("jpegQuality", q)
        self.settings.setValue("exportDir", str(path.parent))
        session, hints = self.session, list(self.doc.hints)
        self.statusBar().showMessage(f"Exporting {path.name}…")
        self.worker.call("export", lambda: save_image(path, session.render(hints), quality=quality))

    def current_session(self) -> Session:
        sha = None
        try:
            sha = file_sha256(self.doc.path) if self.doc.path else None
        except OSError:
            pass
        model = self.colorizer.name if self.colorizer else "default"
        return Session(image=str(self.doc.path.resolve()), hints=list(self.doc.hints),
                       image_sha256=sha, model=model)

    def save_session(self):
        if self.doc.rgb is None or self.doc.path is None:
            self.error("Nothing to save", "Open a photo first.")
            return False
        if self.session_path is None:
            return self.save_session_as()
        return self._write_session(self.session_path)

    def save_session_as(self):
        if self.doc.path is None:
            self.error("Nothing to save", "Open a photo first.")
            return False
        start = str(self.doc.path.with_name(self.doc.path.stem + SUFFIX))
        path, _ = QFileDialog.getSaveFileName(self, "Save session", start,
                                              f"Colorizer sessions (*{SUFFIX})")
        if not path:
            return False
        if not path.endswith(SUFFIX):
            path = str(Path(path).with_suffix("")) + SUFFIX
        return self._write_session(Path(path))

    def _write_session(self, path: Path) -> bool:
        try:
            save_session(path, self.current_session())
        except SessionError as e:
            self.error("The session was not saved", str(e))
            return False
        self.session_path = path
        self._saved_rev = self.doc.revision
        self.statusBar().showMessage(f"Saved {path.name}", 5000)
        return True

    def choose_session(self):
        path, _ = QFileDialog.getOpenFileName(self, "Open session",
                                              self.settings.value("lastDir", str(Path.home())),
                                              f"Colorizer sessions (*{SUFFIX});;All files (*)")
        if path:
            self.open_session(Path(path))

    def open_session(self, path: Path, remember: bool = True):
        try:
            s = load_session(path)
        except SessionError as e:
            self.error("The session could not be opened", str(e))
            return
        img = s.image_path(path)
        if not img.is_file():
            answer = QMessageBox.question(
                self, "Photo not found",
                f"The session's photo {img.name} was not found at {img.parent}. Locate it?")
            if answer != QMessageBox.StandardButton.Yes:
                return
            found, _ = QFileDialog.getOpenFileName(self, f"Locate {img.name}", str(path.parent),
                                                   f"{IMAGE_FILTER};;All files (*)")
            if not found:
                return
            img = Path(found)
        elif s.image_sha256:
            try:
                if file_sha256(img) != s.image_sha256:
                    self.statusBar().showMessage(f"Note: {img.name} changed since the session "
                                                 "was saved.", 8000)
            except OSError:
                pass
        self.open_path(img, hints=s.hints, session_path=path if remember else None)

    # ------------------------------------------------------------------ autosave / restore
    def autosave(self):
        if self.doc.path is None or self.doc.revision == self._autosaved_rev:
            return
        try:
            save_session(autosave_path(), self.current_session())
            self._autosaved_rev = self.doc.revision
        except SessionError as e:
            self.statusBar().showMessage(f"Autosave failed: {e}", 8000)

    def _after_start(self):
        """Once the model is loaded: offer to restore a crashed session, else open the first image."""
        ap = autosave_path()
        if self.ask_restore and ap.is_file():
            answer = QMessageBox.question(
                self, "Restore unsaved work?",
                "The colorizer did not close normally last time. Restore the hints you were "
                "working on?")
            if answer == QMessageBox.StandardButton.Yes:
                self.open_session(ap, remember=False)
                return
            ap.unlink(missing_ok=True)
        if getattr(self, "_startup_path", None):
            self.open_path(self._startup_path)

    def set_startup_path(self, path):
        self._startup_path = path

    # ------------------------------------------------------------------ misc
    def _add_recent(self, path: Path):
        recent = [str(path)] + [p for p in self._recent() if p != str(path)]
        self.settings.setValue("recentFiles", recent[:MAX_RECENT])
        self._update_recent_menu()

    def _recent(self) -> list[str]:
        r = self.settings.value("recentFiles", [])
        return [str(x) for x in r] if isinstance(r, list) else ([str(r)] if r else [])

    def _update_recent_menu(self):
        self.recent_menu.clear()
        for p in self._recent():
            self._act(self.recent_menu, p, lambda _=False, p=p: self.open_path(p))
        self.recent_menu.setEnabled(bool(self._recent()))

    def retrain(self):
        from .retrain_dialog import RetrainDialog
        init = str(self.colorizer.path) if self.colorizer else None
        dlg = RetrainDialog(init, self)
        dlg.modelReady.connect(self.load_model)
        dlg.exec()

    def show_help(self):
        QMessageBox.information(self, "How to use", (
            "Click on the photo to place a colour hint; drag to paint several.\n"
            "Click a hint to select it, drag to move it, Delete to remove it.\n"
            "[ and ] or Ctrl+wheel change the radius. Alt+click samples a colour.\n"
            "Wheel zooms, middle button or space+drag pans, F fits, 1 is 100 %.\n"
            "B shows the original, S toggles side by side, H hides the hints.\n"
            "Ctrl+E exports the full-resolution result; Ctrl+S saves the session."))

    def error(self, title: str, message: str):
        QMessageBox.warning(self, title, message)

    def dragEnterEvent(self, e):
        if e.mimeData().hasUrls():
            e.acceptProposedAction()

    def dropEvent(self, e):
        urls = [u.toLocalFile() for u in e.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.open_path(urls[0])

    def maybe_save(self) -> bool:
        if self.doc.revision == self._saved_rev or not self.doc.hints:
            return True
        answer = QMessageBox.question(
            self, "Save the session?", "Your hints are not saved. Save the session before closing?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Cancel:
            return False
        if answer == QMessageBox.StandardButton.Save:
            return bool(self.save_session())
        return True

    def closeEvent(self, e):
        if not self.maybe_save():
            e.ignore()
            return
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("windowState", self.saveState())
        self.settings.setValue("radius", self.tool.radius)
        self._autosave.stop()
        autosave_path().unlink(missing_ok=True)
        self.worker.shutdown()
        e.accept()
