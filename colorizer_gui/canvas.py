"""Image views: the gray photo with hint markers, and the colorized result.

Scene coordinates are image pixel coordinates of the original photo, so a
result computed at working resolution is simply drawn scaled up. Views report
mouse activity as signals in image coordinates; they do not edit anything.
Zoom with the wheel (toward the cursor: the image point under it stays there), pan with the
middle button or space+drag; the two views keep the same zoom and position. The cursor's image
point (brush outline, status bar) follows every zoom and pan, not only mouse moves.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (QColor, QFont, QFontMetrics, QImage, QPainter, QPainterPath,
                           QPainterPathStroker, QPen, QPixmap, QTransform)
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QGraphicsView

from net.hints import Hint, Stroke

from .tip_layout import tip_layout

MIN_ZOOM, MAX_ZOOM = 0.02, 64.0      # the wheel and Ctrl+-/+ stop here (a fit may go below)
CRISP_ZOOM = 3.0    # from here up a photo's own pixels show as squares, not smoothed into blurs


def qimage_from_rgb(rgb: np.ndarray) -> QImage:
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def dropped_paths(e) -> list[str]:
    """The local files a drag-and-drop event carries (none for text, web links and the like)."""
    md = e.mimeData()
    return [u.toLocalFile() for u in md.urls() if u.isLocalFile()] if md.hasUrls() else []


class ImageView(QGraphicsView):
    pressed = Signal(QPointF, object, object)     # image point, button, modifiers
    dragged = Signal(QPointF)
    released = Signal(QPointF)
    hovered = Signal(QPointF)
    left = Signal()
    radiusWheel = Signal(int)                     # +1 / -1 per wheel notch with Ctrl
    viewChanged = Signal()
    spaceHeld = Signal(bool)                      # Space (pan with the left button) down / up
    filesDropped = Signal(list)                   # local paths dropped on the view

    def __init__(self, name: str, parent=None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setScene(QGraphicsScene(self))
        self._item = QGraphicsPixmapItem()
        self._item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self._item)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setMouseTracking(True)
        self.setBackgroundBrush(QColor(48, 48, 48))
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.image_size = (0, 0)        # (h, w) of the original photo
        self.hints: list[Hint | Stroke] = []
        self.selected: int | None = None
        self.show_hints = True
        self.brush_radius: float | None = None
        self.erasing = False
        self.placeholder = ""           # centred text over an empty view, or a tip
        self.badges: list[str] = []     # state shown in the top-left corner ("Original", ...)
        self._cursor_pos: QPointF | None = None     # image point under the cursor
        self._cursor_vp: QPointF | None = None      # the cursor in viewport pixels
        self._panning = False
        self._space = False
        self._pan_last = None
        self._fit_mode = True
        self.horizontalScrollBar().valueChanged.connect(lambda _: self.viewChanged.emit())
        self.verticalScrollBar().valueChanged.connect(lambda _: self.viewChanged.emit())
        self.viewChanged.connect(self._track_cursor)
        self.viewChanged.connect(self._pixel_look)

    # -- content ---------------------------------------------------------------------
    def set_image(self, rgb: np.ndarray, image_size: tuple[int, int]) -> None:
        """Show rgb stretched over an image of image_size (h, w) in scene coordinates."""
        new_size = tuple(image_size) != tuple(self.image_size)
        self.image_size = tuple(image_size)
        pix = QPixmap.fromImage(qimage_from_rgb(rgb))
        self._item.setPixmap(pix)
        h, w = image_size
        self._item.setTransform(QTransform.fromScale(w / pix.width(), h / pix.height()))
        self.scene().setSceneRect(QRectF(0, 0, w, h))
        if new_size:
            self.fit()
        self._pixel_look()
        self.viewport().update()

    def _pixel_look(self) -> None:
        """Smooth scaling, except where the pixmap's pixels are the photo's own and each covers
        CRISP_ZOOM screen pixels or more: a restorer zoomed in to inspect a spot sees pixels
        (a smaller preview stretched over the photo stays smooth)."""
        pix = self._item.pixmap()
        own = not pix.isNull() and pix.width() == self.image_size[1]
        crisp = own and self.zoom() >= CRISP_ZOOM
        mode = Qt.TransformationMode.FastTransformation if crisp else \
            Qt.TransformationMode.SmoothTransformation
        if self._item.transformationMode() != mode:
            self._item.setTransformationMode(mode)

    def displayed_image(self) -> QImage:
        return self._item.pixmap().toImage()

    def set_hints(self, hints, selected=None) -> None:
        self.hints, self.selected = list(hints), selected
        self.viewport().update()

    # -- zoom and pan ------------------------------------------------------------------------
    def fit(self) -> None:
        if self.image_size[0]:
            self._fit_mode = True
            self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
            self.viewChanged.emit()

    def actual_size(self, at: QPointF | None = None) -> None:
        """100 %, about the viewport point ``at`` (the image point there stays there), or about
        the view's centre."""
        self._zoom_to(1.0, at)

    def zoom_by(self, factor: float, at: QPointF | None = None) -> None:
        """Zoom about the viewport point ``at`` (the image point there stays there), or about
        the view's centre. A step past MIN_ZOOM or MAX_ZOOM stops at it."""
        cur = self.transform().m11()
        lo, hi = min(MIN_ZOOM, cur), max(MAX_ZOOM, cur)    # a panorama fitted below the range
        scale = min(hi, max(lo, cur * factor))             # still zooms in; a limit stays put
        if scale != cur:
            self._zoom_to(scale, at)

    def _zoom_to(self, scale: float, at: QPointF | None) -> None:
        """Show the photo at ``scale`` with the image point at the viewport point ``at`` (the
        view's centre if None) staying where it is."""
        self._fit_mode = False
        if at is None:
            r = self.viewport().rect()
            at = QPointF(r.width() / 2, r.height() / 2)
        anchor = self.viewportTransform().inverted()[0].map(at)
        self.setTransform(QTransform.fromScale(scale, scale))
        self._lay_out_scroll_bars()
        d = self.viewportTransform().map(anchor) - at
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + round(d.x()))
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + round(d.y()))
        self.viewChanged.emit()

    def cursor_point(self) -> QPointF | None:
        """Where the cursor is in the viewport (None when it is not over the view)."""
        return self._cursor_vp

    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_percent(self) -> int:
        return round(100 * self.zoom())

    def _lay_out_scroll_bars(self) -> None:
        """Show or hide the scroll bars a new zoom needs now. Left to the event loop, a scroll
        bar that appears narrows the viewport after the zoom has placed its point, and the
        point under the cursor moved (~8 photo pixels on the step that brought the bar);
        setting the policy makes the scroll area lay them out at once."""
        self.setVerticalScrollBarPolicy(self.verticalScrollBarPolicy())

    def copy_view_from(self, other: "ImageView") -> None:
        self._fit_mode = other._fit_mode     # a fitted view zoomed in must not re-fit here
        self.setTransform(other.transform())
        self._lay_out_scroll_bars()          # (else this view's later layout moved both views)
        self.horizontalScrollBar().setValue(other.horizontalScrollBar().value())
        self.verticalScrollBar().setValue(other.verticalScrollBar().value())

    def resizeEvent(self, e):
        super().resizeEvent(e)
        if self._fit_mode:
            self.fit()

    # -- input -------------------------------------------------------------------------------
    def _img(self, e) -> QPointF:
        return self.mapToScene(e.position().toPoint())

    def wheelEvent(self, e):
        dy = e.angleDelta().y()
        if not dy:
            return
        if e.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.radiusWheel.emit(1 if dy > 0 else -1)
        else:
            self.zoom_by(1.25 if dy > 0 else 0.8, e.position())
        e.accept()

    def set_space(self, held: bool) -> None:
        """Space is down (a left drag pans) or up. The keyboard reaches only the focused view,
        so the views share this through :attr:`spaceHeld` (:class:`ViewPair`)."""
        self._space = held
        if not self._panning:
            if held:
                self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            else:
                self.viewport().unsetCursor()

    def keyPressEvent(self, e):
        if e.key() == Qt.Key.Key_Space and not e.isAutoRepeat():
            self.set_space(True)
            self.spaceHeld.emit(True)
            return
        super().keyPressEvent(e)

    def keyReleaseEvent(self, e):
        if e.key() == Qt.Key.Key_Space and not e.isAutoRepeat():
            self.set_space(False)
            self.spaceHeld.emit(False)
            return
        super().keyReleaseEvent(e)

    # -- files dropped on the view (the scene has nothing that takes them) ------------
    def dragEnterEvent(self, e):
        if dropped_paths(e):
            e.acceptProposedAction()
        else:
            e.ignore()

    def dragMoveEvent(self, e):
        if dropped_paths(e):
            e.acceptProposedAction()
        else:
            e.ignore()

    def dropEvent(self, e):
        paths = dropped_paths(e)
        if not paths:
            e.ignore()
            return
        e.acceptProposedAction()
        self.filesDropped.emit(paths)

    def mousePressEvent(self, e):
        if e.button() == Qt.MouseButton.MiddleButton or (
                e.button() == Qt.MouseButton.LeftButton and self._space):
            self._panning, self._pan_last = True, e.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            return
        self.setFocus()
        self.pressed.emit(self._img(e), e.button(), e.modifiers())

    def _track_cursor(self) -> None:
        """The view moved under a still cursor: its image point (brush, status bar) did too."""
        if self._cursor_vp is not None and not self._panning:
            self._cursor_pos = self.mapToScene(self._cursor_vp.toPoint())
            self.hovered.emit(self._cursor_pos)
            self.viewport().update()

    def mouseMoveEvent(self, e):
        self._cursor_vp = e.position()
        if self._panning:
            d = e.position() - self._pan_last
            self._pan_last = e.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(d.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(d.y()))
            return
        p = self._img(e)
        self._cursor_pos = p
        if e.buttons() & Qt.MouseButton.LeftButton:
            self.dragged.emit(p)
        self.hovered.emit(p)
        self.viewport().update()

    def mouseReleaseEvent(self, e):
        if self._panning:
            self._panning = False
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if self._space else Qt.CursorShape.ArrowCursor)
            return
        if e.button() == Qt.MouseButton.LeftButton:
            self.released.emit(self._img(e))

    def leaveEvent(self, e):
        self._cursor_pos = self._cursor_vp = None
        self.left.emit()
        self.viewport().update()
        super().leaveEvent(e)

    # -- overlay --------------------------------------------------------------------------
    def set_overlay(self, placeholder: str | None = None, badges: list[str] | None = None) -> None:
        if placeholder is not None:
            self.placeholder = placeholder
        if badges is not None:
            self.badges = list(badges)
        self.viewport().update()

    def paintEvent(self, e):
        super().paintEvent(e)
        p = QPainter(self.viewport())
        p.setFont(self.overlay_font())
        r = self.viewport().rect()
        fm = p.fontMetrics()
        box, lines = self.tip(fm, r)
        if lines:
            p.fillRect(box, QColor(0, 0, 0, 150))
            p.setPen(QColor(235, 235, 235))
            p.drawText(box, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, "\n".join(lines))
        if not self.image_size[0]:
            return
        texts = list(self.badges)
        x = 8
        for t in texts:
            w = fm.horizontalAdvance(t) + 14
            p.fillRect(x, 8, w, 24, QColor(0, 0, 0, 160))
            p.setPen(QColor(255, 220, 90))
            p.drawText(x, 8, w, 24, Qt.AlignmentFlag.AlignCenter, t)
            x += w + 6
        zoom = self.zoom_box(fm, r)
        p.fillRect(zoom, QColor(0, 0, 0, 130))
        p.setPen(QColor(230, 230, 230))
        p.drawText(zoom, Qt.AlignmentFlag.AlignCenter, f"{self.zoom_percent()} %")

    def overlay_font(self) -> QFont:
        """The font of the tip, the badges and the zoom percentage."""
        f = QFont(self.viewport().font())
        f.setPointSizeF(max(f.pointSizeF(), 9) * 1.15)
        return f

    def zoom_box(self, fm: QFontMetrics, r: QRect) -> QRect:
        """Where the zoom percentage is drawn: the bottom right corner of the view ``r``."""
        w = fm.horizontalAdvance(f"{self.zoom_percent()} %") + 12
        return QRect(r.right() - w - 8, r.bottom() - 30, w, 22)

    def tip_box(self, fm: QFontMetrics, r: QRect) -> QRect:
        return self.tip(fm, r)[0]

    def tip(self, fm: QFontMetrics, r: QRect) -> tuple[QRect, list[str]]:
        """Where the placeholder is drawn and its lines: centred in an empty view; over a photo,
        a tip of at most two lines at the bottom that never runs under the zoom percentage
        (see tip_layout); none when the view is too small for it."""
        if not self.placeholder:
            return QRect(), []
        if self.image_size[0]:
            return tip_layout(fm, self.placeholder, r, self.zoom_box(fm, r))
        return (fm.boundingRect(r.adjusted(20, 0, -20, 0), Qt.AlignmentFlag.AlignCenter
                                | Qt.TextFlag.TextWordWrap, self.placeholder).adjusted(-12, -8, 12, 8),
                [self.placeholder])

    def _draw_hint(self, painter: QPainter, h, selected: bool, px: float):
        if isinstance(h, Stroke):
            path = QPainterPath(QPointF(*h.points[0]))
            for x, y in h.points[1:]:
                path.lineTo(x, y)
            if len(h.points) == 1:
                path.lineTo(h.points[0][0] + 1e-3, h.points[0][1])
            r = max(h.radius, 3 * px)
            for color, width in ((QColor(0, 0, 0), 2 * r + 6 * px), (QColor(255, 255, 255), 2 * r + 3 * px),
                                 (QColor(*h.rgb), 2 * r)):
                pen = QPen(color, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                           Qt.PenJoinStyle.RoundJoin)
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawPath(path)
            if selected:
                stroker = QPainterPathStroker()
                stroker.setWidth(2 * r + 10 * px)
                stroker.setCapStyle(Qt.PenCapStyle.RoundCap)
                stroker.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
                painter.setPen(QPen(QColor(255, 210, 0), 2 * px, Qt.PenStyle.DashLine))
                painter.drawPath(stroker.createStroke(path).simplified())
            return
        r = max(h.radius, 3 * px)
        c = QPointF(h.x, h.y)
        painter.setBrush(QColor(*h.rgb))
        painter.setPen(QPen(QColor(255, 255, 255), 3 * px))
        painter.drawEllipse(c, r, r)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(0, 0, 0), 1.2 * px))
        painter.drawEllipse(c, r + 1.5 * px, r + 1.5 * px)
        if selected:
            painter.setPen(QPen(QColor(255, 210, 0), 2 * px, Qt.PenStyle.DashLine))
            painter.drawEllipse(c, r + 5 * px, r + 5 * px)

    def drawForeground(self, painter: QPainter, rect):
        if not self.image_size[0]:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        px = 1.0 / max(self.zoom(), 1e-6)   # one screen pixel in scene units
        if self.show_hints:
            for i, h in enumerate(self.hints):
                self._draw_hint(painter, h, i == self.selected, px)
        if self.brush_radius and self._cursor_pos is not None:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(QColor(255, 90, 90, 230) if self.erasing else QColor(255, 255, 255, 200),
                                1.5 * px))
            painter.drawEllipse(self._cursor_pos, self.brush_radius, self.brush_radius)
            painter.setPen(QPen(QColor(0, 0, 0, 200), 1 * px, Qt.PenStyle.DotLine))
            painter.drawEllipse(self._cursor_pos, self.brush_radius + 1.5 * px,
                                self.brush_radius + 1.5 * px)
