"""Zoom to 100 % and far in, the colour panel's dock, its tooltips and gamut warning, export questions
and help, as a new user's walk through the editor found them wrong (session 21),
each reproduced through the window or its widgets. The retraining window's are in test_retrain_window.py."""
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from .test_gui import WAIT, click, photo, wait_idle, win  # noqa: F401 (fixtures)


# 1 ------------------------------------------------------------------------------------------
def big_photo_views(qtbot, size=(800, 500)):
    """Both views of a 4000 x 3000 photo, shown and fitted."""
    from colorizer_gui.view_pair import ViewPair
    views = ViewPair()
    qtbot.addWidget(views)
    views.resize(*size)
    views.show()
    qtbot.waitExposed(views)
    l_full = np.full((3000, 4000), 50, np.float32)
    views.set_photo(np.zeros((3000, 4000, 3), np.uint8), l_full, False)
    QApplication.processEvents()
    return views


def hover(view, pos: QPointF) -> None:
    ev = QMouseEvent(QEvent.Type.MouseMove, pos, view.viewport().mapToGlobal(pos),
                     Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                     Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), ev)


def scene_at(view, pos: QPointF) -> QPointF:
    """The image point at the viewport point ``pos`` (unrounded: a fitted view shows several
    image pixels per screen pixel)."""
    return view.viewportTransform().inverted()[0].map(pos)


def test_actual_size_keeps_the_point_under_the_cursor_or_the_centre(qtbot):
    """View > Actual size (key 1) on a large photo jumped to its top-left corner."""
    views = big_photo_views(qtbot)
    for v in views.views:
        pos = QPointF(v.viewport().width() * 0.7, v.viewport().height() * 0.6)
        views.fit()
        hover(v, pos)
        under = scene_at(v, pos)
        assert under.x() > 1500 and under.y() > 1000          # far from the top-left corner
        views.actual_size()
        assert v.zoom() == 1.0 and views.result_view.zoom() == views.gray_view.zoom()
        after = scene_at(v, pos)
        assert abs(after.x() - under.x()) <= 2 and abs(after.y() - under.y()) <= 2
        other = views.result_view if v is views.gray_view else views.gray_view
        assert scene_at(other, pos) == after        # both views show the same part
        QApplication.sendEvent(v, QEvent(QEvent.Type.Leave))     # the cursor leaves
    # The cursor elsewhere (a menu, the panel): the centre of the view stays the centre.
    v = views.gray_view
    views.fit()
    centre = QPointF(v.viewport().width() / 2, v.viewport().height() / 2)
    middle = scene_at(v, centre)
    views.actual_size()
    after = scene_at(v, centre)
    assert abs(after.x() - middle.x()) <= 2 and abs(after.y() - middle.y()) <= 2


def test_zoomed_in_far_the_photos_own_pixels_show_as_squares(qtbot):
    """A 20 x 20 photo at 2700 % showed each pixel smoothed into a star: from CRISP_ZOOM up the
    photo's own pixels are drawn unsmoothed; a smaller preview stretched over it stays smooth."""
    from colorizer_gui.canvas import CRISP_ZOOM, ImageView
    v = ImageView("v")
    qtbot.addWidget(v)
    v.resize(400, 400)
    v.show()
    qtbot.waitExposed(v)
    rgb = np.zeros((20, 20, 3), np.uint8)
    rgb[::2, ::2] = 255                                  # a checkerboard of single pixels
    v.set_image(rgb, (20, 20))
    v.actual_size()
    v.zoom_by(8.0)
    assert v.zoom() >= CRISP_ZOOM
    shot = v.grab().toImage()
    centre = v.mapFromScene(QPointF(10.5, 10.5))
    seen = {shot.pixelColor(centre.x() + dx, centre.y() + dy).red()
            for dx in range(-12, 13, 3) for dy in range(-12, 13, 3)}
    assert seen <= {0, 255}                              # only black and white, no blur
    v.set_image(np.zeros((5, 5, 3), np.uint8), (20, 20))  # a preview: smooth
    assert v._item.transformationMode() == Qt.TransformationMode.SmoothTransformation
    v.actual_size()
    v.set_image(rgb, (20, 20))
    assert v._item.transformationMode() == Qt.TransformationMode.SmoothTransformation


# 4 ------------------------------------------------------------------------------------------
def menu_actions(win, title: str) -> dict:
    """The actions of a menu bar menu by their text without '&'."""
    menu = next(a.menu() for a in win.menuBar().actions() if a.text().replace("&", "") == title)
    return {a.text().replace("&", ""): a for a in menu.actions() if not a.isSeparator()}


def test_the_colour_panel_closed_with_its_x_comes_back_from_the_view_menu(qtbot, win):
    from PySide6.QtWidgets import QDockWidget
    dock = win.findChild(QDockWidget)
    assert dock.isAncestorOf(win.panel) and dock.isVisible()
    dock.close()                                          # its x
    assert not win.panel.isVisible()
    panel = menu_actions(win, "View")["Colour panel"]
    assert panel.isCheckable() and not panel.isChecked()
    panel.trigger()
    qtbot.waitUntil(win.panel.isVisible, timeout=WAIT)
    assert panel.isChecked()


# 5 ------------------------------------------------------------------------------------------
def luminance(c) -> float:
    """WCAG relative luminance of an sRGB colour."""
    lin = [(v / 255) / 12.92 if v <= 10 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in c]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(c1, c2) -> float:
    hi, lo = sorted((luminance(c1), luminance(c2)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def shown_tooltip(qtbot, widget):
    """The tooltip the widget shows when the mouse rests on it, as a picture."""
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip
    pos = widget.rect().center()
    QApplication.sendEvent(widget, QHelpEvent(QEvent.Type.ToolTip, pos, widget.mapToGlobal(pos)))
    qtbot.waitUntil(QToolTip.isVisible, timeout=WAIT)
    tip = next(w for w in QApplication.topLevelWidgets()
               if w.inherits("QTipLabel") and w.isVisible())
    img = tip.grab().toImage()
    QToolTip.hideText()
    return img


def test_colour_chip_tooltips_are_readable_on_any_chip_colour(qtbot):
    """A suggestion's tooltip took the chip's colour as its background: black text on
    near-black ("likely here (93%) rgb(16, 4, 0)")."""
    from colorizer_gui.color_widgets import ColorRow
    row = ColorRow("Suggested here", "suggestions", 8)
    qtbot.addWidget(row)
    colours = [(16, 4, 0), (200, 20, 20), (250, 250, 250)]
    row.set_colors(colours, ["likely here (93%)", "the model's colour", "common here"])
    row.show()
    qtbot.waitExposed(row)
    for k, c in enumerate(colours):
        img = shown_tooltip(qtbot, row._chip(k))
        pixels = {img.pixelColor(x, y).getRgb()[:3]
                  for x in range(img.width()) for y in range(img.height())}
        back = img.pixelColor(img.width() - 3, img.height() // 2).getRgb()[:3]
        text = max(pixels, key=lambda p: contrast(p, back))    # the text's darkest/lightest
        assert contrast(text, back) >= 4.5, (c, back, text)    # WCAG AA for normal text


# 6 ------------------------------------------------------------------------------------------
def test_the_gamut_warning_shows_its_whole_text_at_the_panels_width(qtbot):
    """The warning needed four lines at the panel's width and had room for three: its first
    and last lines were cut."""
    from colorizer_gui.color_panel import ColorPanel, scrollable
    panel = ColorPanel()
    area = scrollable(panel)
    qtbot.addWidget(area)
    area.resize(area.width(), 900)
    area.show()
    qtbot.waitExposed(area)
    label = panel.gamut_label
    empty_height = label.height()
    for where in ("under the cursor", "at the selected hint"):     # the spots it describes
        for l, rgb in ((16, (250, 240, 30)), (100, (20, 20, 160))):     # yellow dark, blue white
            panel.set_lightness(l, where)
            panel.set_color(rgb)
            QApplication.processEvents()
            assert f"{where} (L {l})" in label.text()
            assert label.height() >= label.heightForWidth(label.width()), (where, l)
            assert label.height() == empty_height          # its space is kept: nothing jumps


# 8 ------------------------------------------------------------------------------------------
def test_in_a_small_window_the_status_bar_texts_neither_overlap_nor_vanish(qtbot, win):
    """At 500 x 400 the message went (drawn only left of the right-hand texts, which took the
    whole bar) and those were cut off mid-letter: each text keeps its own place, shows whole
    or ends in "…" with the whole text as its tooltip, and the message keeps the most room."""
    from PySide6.QtWidgets import QLabel, QScrollArea
    win.resize(500, 400)                               # (the window stops at its minimum width)
    message = "Recoloured hint 3 (Esc deselects it: a colour then only sets the brush)"
    win.statusBar().showMessage(message)
    win.status_pos.setText("x 1234  y 4567  L 78")
    win.status_time.setText("inference 145 ms · click→screen 160 ms")
    win.status_model.setText("model: seed (retrained on my photos) · device: cpu")
    QApplication.processEvents()
    assert win.width() <= 560 and win.height() == 400
    bar = win.statusBar()
    labels = [w for w in bar.findChildren(QLabel) if w.isVisible() and w.text()]
    assert bar.minimumSizeHint().width() <= bar.width()
    rects = sorted((w.geometry() for w in labels), key=lambda r: r.left())
    assert all(bar.rect().contains(r) for r in rects)
    assert all(a.right() < b.left() for a, b in zip(rects, rects[1:]))       # no overlap
    shown = {}
    for w in labels:
        text = w.shown_text() if hasattr(w, "shown_text") else w.text()
        assert w.fontMetrics().horizontalAdvance(text) <= w.contentsRect().width(), text
        assert text == w.text() or (text.endswith("…") and w.toolTip() == w.text()), text
        shown[w.text()] = text
    assert shown[message].startswith("Recoloured hint 3 (Esc")      # the message is there
    win.statusBar().clearMessage()
    assert message not in [w.text() for w in bar.findChildren(QLabel)]
    dock = win.dock.widget()
    assert isinstance(dock, QScrollArea) and dock.verticalScrollBar().maximum() > 0  # it scrolls
    assert dock.viewport().width() >= win.panel.width()                # not cut at the side


def test_exporting_over_an_existing_file_asks_once(qtbot, win, photo, tmp_path, monkeypatch):
    """Exporting over the original photo asked twice: the file dialog's "already exists…",
    then "…is the original photo. Replace it…". A "No" opens the dialog again on the name
    declined (a walkthrough: the export was dropped without a word)."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox
    asked, chosen, answer, starts = [], [photo], [QMessageBox.StandardButton.No], []

    def file_dialog(parent, caption, start, flt, *args, options=QFileDialog.Option(0), **kw):
        # Qt's save dialog asks before it returns an existing file, unless told not to.
        starts.append(start)
        if len(starts) > 1 and answer[0] == QMessageBox.StandardButton.No:
            return "", flt                                # the second time: Cancel
        if chosen[0].exists() and not options & QFileDialog.Option.DontConfirmOverwrite:
            asked.append(f"{chosen[0].name} already exists. Do you want to replace it?")
        return str(chosen[0]), flt

    monkeypatch.setattr(QFileDialog, "getSaveFileName", file_dialog)
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k:
                        asked.append(text) or answer[0])
    before = photo.read_bytes()
    win.choose_export()
    assert len(asked) == 1 and "is the original photo" in asked[0], asked
    assert not win.controller.worker.pending() and photo.read_bytes() == before
    assert len(starts) == 2 and starts[1] == str(photo)     # back to the dialog, on that name
    # Another file that exists: one question too, and Yes exports over it.
    asked.clear()
    chosen[0], answer[0] = tmp_path / "old.png", QMessageBox.StandardButton.Yes
    chosen[0].write_bytes(b"not yet a picture")
    starts.clear()
    win.choose_export()
    assert asked == ["old.png already exists. Replace it?"] and len(starts) == 1
    qtbot.waitUntil(lambda: chosen[0].read_bytes()[:4] == b"\x89PNG", timeout=WAIT)
    wait_idle(qtbot, win)


def test_help_and_the_reach_buttons_describe_the_hint_reach_in_use(qtbot, win):
    """Help > How to use said "Each hint colours its own region" with "Whole photo" on, and
    only the "Own region" button named its key. The help stays open beside the editor (a
    modal box had to be closed before trying what it said) and follows a reach change."""
    import re

    from net.hint_reach import PHOTO, REGION
    win.show_help()
    box = win.help_box
    assert box.isVisible() and not box.isModal() and QApplication.activeModalWidget() is None
    # it opened centred over the photos: now it leaves the photo painted on uncovered, and the
    # colour panel whose controls it explains too where the result beside the photo has room
    from PySide6.QtCore import QPoint, QRect
    room, size = win.views.result_view.size(), box.frameGeometry().size()
    fits = size.width() <= room.width() and size.height() <= room.height()
    for part in (win.gray_view, win.panel) if fits else (win.gray_view,):
        where = QRect(part.mapToGlobal(QPoint(0, 0)), part.size())
        assert not box.frameGeometry().intersects(where), (box.frameGeometry(), where, part)
    for reach, name, other in ((PHOTO, "Whole photo", "Own region"),
                               (REGION, "Own region", "Whole photo")):
        win.controller.set_hint_reach(reach)              # with the help open
        shown = re.sub("<[^>]+>", "", box.text())
        assert f"Hints colour: {name} (now on" in shown
        assert f'With "{other}", ' in shown                 # and what the other one does
    assert "its own region; the rest keeps its automatic colour" in shown
    n = len(win.doc.hints)
    click(win.gray_view, (60, 60))                         # the editor still takes clicks
    assert len(win.doc.hints) == n + 1
    win.show_help()
    assert win.help_box is box and box.isVisible()       # asked again: the same window
    box.close()
    win.views.set_side_by_side(False)                     # the result alone is painted on:
    assert box._keep_clear() is win.views.result_view and box._room() is None    # kept clear
    win.views.set_side_by_side(True)
    key = win.menus.reach_action.shortcut().toString()
    for button in (win.panel.photo_reach_btn, win.panel.region_reach_btn):
        assert button.toolTip().endswith(f"({key})"), button.text()


def test_help_names_the_shortcuts_a_new_user_needs_as_the_menus_set_them(win):
    """Help > How to use named neither Ctrl+O, Ctrl+Z nor P (a walkthrough); each shortcut
    here is read from its menu action, so the help cannot drift from the menus."""
    import re

    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QMenu
    win.show_help()
    shown = [re.sub("<[^>]+>", "", win.help_box.text())]
    win.help_box.close()
    actions = {a.text().replace("&", "").rstrip("…"): a
               for m in win.menuBar().findChildren(QMenu) for a in m.actions()}
    for name in ("Open photo", "Open session", "Save session", "Export colorized image", "Undo",
                 "Redo", "Paint", "Eraser", "Choose colour", "Fit to window", "Show hints"):
        keys = actions[name].shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert keys and re.search(rf"(^|\W){re.escape(keys)}(\W|$)", shown[-1]), (name, keys)


def test_a_dotted_file_name_keeps_its_dots_and_the_chosen_type_is_offered_again(
        qtbot, win, tmp_path, monkeypatch):
    """"Oma 12.05.1950" was exported as "Oma 12.05.png" (and saved as "Oma
    12.05.colorize.json"): the date's last part taken for an extension."""
    from PySide6.QtWidgets import QFileDialog
    from net.formats import filter_for
    offered = []

    def file_dialog(parent, caption, start, flt, selectedFilter="", options=None):
        offered.append((Path(start).name, selectedFilter))
        if len(offered) > 1:
            return "", selectedFilter                                  # then Cancel
        return str(tmp_path / "Oma 12.05.1950"), filter_for(".jpg")     # JPEG chosen

    monkeypatch.setattr(QFileDialog, "getSaveFileName", file_dialog)
    asked = []
    monkeypatch.setattr(win.prompts, "quality", lambda kind, default: asked.append(kind) or 90)
    win.choose_export()
    out = tmp_path / "Oma 12.05.1950.jpg"
    qtbot.waitUntil(out.exists, timeout=WAIT)
    assert out.read_bytes()[:2] == b"\xff\xd8" and not (tmp_path / "Oma 12.05.png").exists()
    assert asked == ["JPEG"]                          # the type's name, not its extension
    assert offered == [("photo_colorized.png", filter_for(".png"))]
    win.choose_export()                              # the next export starts on JPEG
    assert offered[1] == ("photo_colorized.jpg", filter_for(".jpg"))
    wait_idle(qtbot, win)

    monkeypatch.setattr(win.prompts, "save_file",
                        lambda *a, **k: str(tmp_path / "Oma 12.05.1950"))
    assert win.controller.save_as()
    assert (tmp_path / "Oma 12.05.1950.colorize.json").is_file()
    monkeypatch.setattr(win.prompts, "save_file", lambda *a, **k: str(tmp_path / "trip.json"))
    assert win.controller.save_as()
    assert (tmp_path / "trip.colorize.json").is_file()
    monkeypatch.setattr(win.prompts, "save_file", lambda *a, **k: str(tmp_path / "b.colorize.JSON"))
    assert win.controller.save_as()
    assert [p.name for p in tmp_path.glob("b.*")] == ["b.colorize.json"]


def test_a_webp_export_asks_its_quality_as_a_jpeg_does_and_a_png_does_not(qtbot, win, tmp_path,
                                                                          monkeypatch):
    """A walkthrough: WebP was written lossy at a fixed 95 without a question."""
    asked = []
    monkeypatch.setattr(win.prompts, "quality", lambda kind, default: asked.append((kind, default))
                        or 40)
    assert win.controller.export_to(tmp_path / "a.webp")
    qtbot.waitUntil((tmp_path / "a.webp").exists, timeout=WAIT)
    assert asked == [("WebP", 95)] and (tmp_path / "a.webp").read_bytes()[8:12] == b"WEBP"
    assert win.controller.export_to(tmp_path / "b.png")
    qtbot.waitUntil((tmp_path / "b.png").exists, timeout=WAIT)
    assert win.controller.export_to(tmp_path / "c.jpg")
    qtbot.waitUntil((tmp_path / "c.jpg").exists, timeout=WAIT)
    assert asked == [("WebP", 95), ("JPEG", 40)]          # PNG asks nothing; the last one is kept
    wait_idle(qtbot, win)
