"""The two views side by side: the gray photo with its hints and the colorized result.

They keep the same zoom and position (fit mode included), the result view can show
the original instead (before/after), the gray view can be hidden (side by side off,
then the result view shows the hints), and each view says what state it is in.
"""
from __future__ import annotations

import cv2
import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication, QSplitter

from net.color import merge_l_ab

from .canvas import ImageView
from .inference import display_lightness

EMPTY_TEXT = "Open a photo (Ctrl+O) or drop one here"
FIRST_HINT_TEXT = "Click on the photo to add a colour hint; drag to paint a stroke"


class ViewPair(QSplitter):
    def __init__(self, parent=None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.gray_view = ImageView("original")
        self.result_view = ImageView("result")
        self.gray_view.setToolTip("Click: add a hint · drag: paint a stroke · Alt+click: sample "
                                  "colour · wheel: zoom · Ctrl+wheel: radius · middle/space drag: pan")
        self.addWidget(self.gray_view)
        self.addWidget(self.result_view)
        self.views = (self.gray_view, self.result_view)
        self.side_by_side = True
        self.before = False
        self.automatic = False         # the model ignores hints
        self.hints_visible = True
        self.image_size = (0, 0)
        self._gray: np.ndarray | None = None
        self._original: np.ndarray | None = None
        self._has_color = False
        self._result: np.ndarray | None = None
        self._syncing = False
        for v in self.views:
            v.viewChanged.connect(lambda v=v: self._sync(v))
            for other in self.views:          # Space held over one view pans in both
                v.spaceHeld.connect(other.set_space)
        QApplication.instance().focusChanged.connect(self._focus_changed)
        self._apply()

    def _focus_changed(self, old, new) -> None:
        # A Space released after the keyboard left both views (another widget or window)
        # never reaches them: forget it rather than pan on every click. (A click on the other
        # view moves the focus between the two: Space stays held.)
        if old in self.views and new not in self.views:
            for v in self.views:
                v.set_space(False)

    # -- content -----------------------------------------------------------------------
    def set_photo(self, rgb: np.ndarray, l_full: np.ndarray, has_color: bool) -> None:
        """A new photo: its gray version in both views until a result arrives."""
        h, w = l_full.shape
        l_disp = display_lightness(l_full)
        self._gray = merge_l_ab(l_disp, np.zeros(l_disp.shape + (2,), np.float32))
        self._original = rgb if l_disp.shape == (h, w) else cv2.resize(
            rgb, (l_disp.shape[1], l_disp.shape[0]), interpolation=cv2.INTER_AREA)
        self._has_color = has_color
        self._result = None
        self.image_size = (h, w)
        self.gray_view.set_image(self._gray, (h, w))
        self._show_result()
        self._apply()

    def set_result(self, rgb: np.ndarray | None) -> None:
        self._result = rgb
        self._show_result()

    def _show_result(self) -> None:
        if self._gray is None:
            return
        if self.before:
            img = self._original if self._has_color else self._gray
        else:
            img = self._result if self._result is not None else self._gray
        self.result_view.set_image(img, self.image_size)

    def set_hints(self, hints, selected) -> None:
        for v in self.views:
            v.set_hints(hints, selected)

    def set_brush(self, radius: float, erasing: bool) -> None:
        for v in self.views:
            v.brush_radius, v.erasing = radius, erasing
            v.viewport().update()

    def set_tip(self, text: str) -> None:
        """Tip over the photo (first-time help); empty hides it."""
        if self.image_size[0]:
            self.gray_view.set_overlay(placeholder=text)
            self.result_view.set_overlay(placeholder=text if not self.side_by_side else "")

    # -- modes -------------------------------------------------------------------------
    def set_side_by_side(self, on: bool) -> None:
        self.side_by_side = on
        self._apply()

    def set_before(self, on: bool) -> None:
        self.before = on
        self._show_result()
        self._apply()

    def set_hints_visible(self, on: bool) -> None:
        self.hints_visible = on
        self._apply()

    def set_automatic(self, on: bool) -> None:
        """Badge the result when the model ignores hints (the automatic systems)."""
        self.automatic = on
        self._apply()

    def _apply(self) -> None:
        self.gray_view.setVisible(self.side_by_side)
        self.gray_view.show_hints = self.hints_visible
        self.result_view.show_hints = self.hints_visible and not self.side_by_side
        hidden = [] if self.hints_visible else ["hints hidden"]
        self.gray_view.set_overlay(badges=hidden)
        self.result_view.set_overlay(badges=(["Original"] if self.before else [])
                                     + (["automatic model: hints ignored"]
                                        if self.automatic else [])
                                     + ([] if self.side_by_side else hidden))
        if not self.image_size[0]:
            for v in self.views:
                v.set_overlay(placeholder="")
            (self.gray_view if self.side_by_side else self.result_view).set_overlay(
                placeholder=EMPTY_TEXT)

    # -- zoom and position -------------------------------------------------------------------
    def _sync(self, src: ImageView) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            dst = self.result_view if src is self.gray_view else self.gray_view
            dst.copy_view_from(src)
        finally:
            self._syncing = False

    def fit(self) -> None:
        for v in self.views:
            v.fit()

    def actual_size(self) -> None:
        """100 %, about the point under the cursor when it is over a view, else about the
        centre of the view in front; the other view follows."""
        view = self._under_cursor() or self.painted_view()
        view.actual_size(view.cursor_point())

    def cursor_image_point(self) -> QPointF | None:
        """The image point under the cursor when it is over a shown view, else None."""
        view = self._under_cursor()
        return None if view is None else view.mapToScene(view.cursor_point().toPoint())

    def _under_cursor(self) -> ImageView | None:
        """The shown view the cursor is over, if any."""
        return next((v for v in self.views if v.isVisible() and v.cursor_point() is not None),
                    None)

    def painted_view(self) -> ImageView:
        """The view the user paints on and the zoom keys act on: the gray one, or the result
        alone."""
        return self.gray_view if self.side_by_side else self.result_view

    def zoom_by(self, factor: float) -> None:
        self.painted_view().zoom_by(factor)
