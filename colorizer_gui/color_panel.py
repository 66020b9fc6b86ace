"""The colour panel (right dock): tool mode, colour, radius, ab picker, recent and suggested
colours, a gamut warning, and the list of hints.

It has a fixed width: nothing that appears in it later (suggestions, warnings) can
widen it and shrink the photo views under the cursor. In the dock it sits in a vertical
scroll area (:func:`scrollable`), so a small window can still reach all of it.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtWidgets import (QButtonGroup, QFormLayout, QFrame, QHBoxLayout, QLabel,
                               QScrollArea, QSizePolicy, QSlider, QStyle, QToolButton, QVBoxLayout,
                               QWidget)

from net.hint_reach import PHOTO, REGION

from .color_widgets import (GAMUT_WARN_AB, AbPicker, ColorRow, ColorSwatch, RecentColors,
                            gamut_shift)
from .app_settings import MAX_RECENT_COLORS
from .help_text import REACH_KEY, REACH_NAMES, REACH_TIPS
from .hint_list import HintList
from .suggestions import MAX_SUGGESTIONS

PANEL_WIDTH = 270
SLIDER_STEPS = 1000
UNDER_CURSOR, AT_SELECTED_HINT = "under the cursor", "at the selected hint"   # the spots described
# How the colour plane names whose lightness it shows (short: it is written in its corner).
PICKER_WHERE = {UNDER_CURSOR: "under cursor", AT_SELECTED_HINT: "at hint"}
REST_WHERE = "photo median"           # no spot: the photo's median lightness
# The panel's either-or buttons (Paint | Eraser, Whole photo | Own region): the one on is filled
# with the highlight colour (the style's slightly darker "pressed" look was hard to tell apart).
CHOICE_STYLE = ("QToolButton { padding: 3px 4px; border: 1px solid palette(mid); "
                "border-radius: 3px; background: palette(button); color: palette(button-text); }"
                "QToolButton:hover { border-color: palette(highlight); }"
                "QToolButton:checked { background: palette(highlight); "
                "color: palette(highlighted-text); border-color: palette(highlight); }")
SELECTED_TIP = ("The colour and radius controls show and change the selected hint. Esc "
                "deselects it: they then show the brush again, the next hint's colour and size.")
SUGGEST_TITLE, SUGGEST_TIP = "Suggested colours", (  # until a hint is added, selected or sampled
    "Add or select a hint (or Alt+click to sample a colour): colours suggested for that point "
    "show here")
SUGGEST_FOR = ("Colours {spot} (x {x:.0f}, y {y:.0f}, L {l:.0f}), not for the spot under the "
               "cursor: {what}.{click}")
SUGGEST_CLICK = " Click one to give it to that hint."     # (suggestions for a hint)
SUGGEST_KINDS = (   # (a label's start in net's suggestions, what the tooltip calls such colours)
    ("model's prediction", "the model's current colour there"),
    ("likely here", "colours the model finds likely there (how likely, in %)"),
    ("photo's own colour", "the photo's own colour"),
    ("", "common colours at that lightness"))
GAMUT_TEXT = "This colour cannot exist {where} (L {l:.0f}): it comes out grayer there."
GAMUT_TIP = "Colours that exist at that lightness are the coloured part of the square below"


class ReservedLabel(QLabel):
    """A word-wrapped label as tall as the longest of ``texts`` needs at its width: the space
    stays while it is empty (nothing below it jumps as a text comes and goes), and no text is
    cut."""

    def __init__(self, texts: list[str], parent=None):
        super().__init__(parent)
        self.texts = texts
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.height_for(PANEL_WIDTH))

    def height_for(self, width: int) -> int:
        flags = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap   # as QLabel wraps
        fm = self.fontMetrics()
        return max(fm.boundingRect(QRect(0, 0, max(1, width), 100_000), flags, t).height()
                   for t in self.texts) + 4

    def resizeEvent(self, e):
        super().resizeEvent(e)
        self.setFixedHeight(self.height_for(self.width()))


def scrollable(panel: QWidget) -> QScrollArea:
    """The panel in a vertical scroll area as wide as the panel and its scroll bar."""
    area = QScrollArea()
    area.setWidget(panel)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)    # Tab goes from the views into the panel itself
    area.setFixedWidth(PANEL_WIDTH + area.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent))
    return area


class ColorPanel(QWidget):
    colorPicked = Signal(tuple)
    suggestionPicked = Signal(tuple)      # a suggested colour (for the point they are for)
    colorDragged = Signal(tuple)          # a drag through the ab picker (colorPicked ends it)
    radiusPicked = Signal(float)
    modePicked = Signal(str)
    reachPicked = Signal(str)             # "photo" | "region" (net.hint_reach)

    def __init__(self, recent=(), parent=None):
        super().__init__(parent)
        self.setFixedWidth(PANEL_WIDTH)
        lay = QVBoxLayout(self)
        self._groups: list[QButtonGroup] = []           # the rows' exclusive button groups
        self.paint_btn, self.erase_btn = self._choice_row(lay, None, self.modePicked, (
            ("Paint", "paint", "Paint hints: click for a circle, drag for a stroke (P)"),
            ("Eraser", "erase",
             "Erase: removes the hints under the brush and cuts strokes where it passes (E)")))
        self.photo_reach_btn, self.region_reach_btn = self._choice_row(
            lay, "Hints colour", self.reachPicked,
            [(REACH_NAMES[r], r, f"{REACH_TIPS[r]} ({REACH_KEY})") for r in (PHOTO, REGION)])
        form = QFormLayout()
        self.swatch = ColorSwatch()
        form.addRow("Colour", self.swatch)
        self.radius_slider = QSlider(Qt.Orientation.Horizontal)
        self.radius_slider.setRange(0, SLIDER_STEPS)
        self.radius_slider.setToolTip("Hint radius ([ and ], or Ctrl+wheel); it scales with the "
                                      "photo, so it means the same on any photo size")
        self.radius_label = QLabel()
        form.addRow("Radius", self.radius_slider)
        form.addRow("", self.radius_label)
        lay.addLayout(form)
        self.gamut_label = ReservedLabel([GAMUT_TEXT.format(where=w, l=100)
                                          for w in (UNDER_CURSOR, AT_SELECTED_HINT)])
        self.gamut_label.setStyleSheet("color: #e0a030;")
        self.gamut_label.setToolTip(GAMUT_TIP)
        lay.addWidget(self.gamut_label)
        self.ab_picker = AbPicker()
        self.ab_picker.setMinimumSize(160, 160)
        lay.addWidget(self.ab_picker, 1)
        self.recent = RecentColors(recent)
        self.recent_row = ColorRow("Recent colours", "Colours you used recently", MAX_RECENT_COLORS)
        self.suggest_row = ColorRow(SUGGEST_TITLE, SUGGEST_TIP, MAX_SUGGESTIONS)
        lay.addWidget(self.recent_row)
        lay.addWidget(self.suggest_row)
        self.hint_list = HintList()
        self.hint_label = self.hint_list.label   # the hint count (and which one is selected)
        lay.addWidget(self.hint_list, 1)
        self.recent_row.set_colors(self.recent.colors)
        self.rgb = (200, 40, 40)
        self.lightness: float | None = None
        self._where = UNDER_CURSOR               # the spot the lightness is of
        self._rest_l = self.ab_picker.l          # the square's lightness with no spot to describe
        self._rest_where = ""                    # and what it is (nothing before a photo)
        self._r_min, self._r_max = 1.0, 500.0
        for w in (self.swatch, self.ab_picker, self.recent_row):
            w.colorPicked.connect(self.colorPicked)
        self.suggest_row.colorPicked.connect(self.suggestionPicked)
        self.ab_picker.colorDragged.connect(self.colorDragged)
        self.radius_slider.valueChanged.connect(
            lambda v: self.radiusPicked.emit(self._radius_of(v)))

    def _choice_row(self, lay, label, signal, choices) -> list[QToolButton]:
        """A row of exclusive tool buttons (text, value, tip) that emit ``signal(value)``; the
        first starts checked."""
        row = QHBoxLayout()
        if label:
            row.addWidget(QLabel(label))
        group = QButtonGroup(self)
        self._groups.append(group)
        buttons = []
        for text, value, tip in choices:
            b = QToolButton(text=text)
            b.setToolTip(tip)
            b.setCheckable(True)
            b.setStyleSheet(CHOICE_STYLE)
            b.setMinimumWidth(b.fontMetrics().horizontalAdvance(text) + 12)   # (never elided)
            group.addButton(b)
            b.clicked.connect(lambda _=False, v=value: signal.emit(v))
            row.addWidget(b)
            buttons.append(b)
        buttons[0].setChecked(True)
        row.addStretch(1)
        lay.addLayout(row)
        return buttons

    # -- radius (logarithmic slider between the photo's limits) ----------------------------
    def _radius_of(self, v: int) -> float:
        if v <= 0 or v >= SLIDER_STEPS:
            return self._r_min if v <= 0 else self._r_max      # the ends exactly
        t = v / SLIDER_STEPS
        return math.exp(math.log(self._r_min) + t * (math.log(self._r_max) - math.log(self._r_min)))

    def _slider_of(self, r: float) -> int:
        t = (math.log(max(r, self._r_min)) - math.log(self._r_min)) / (
            math.log(self._r_max) - math.log(self._r_min))
        return int(round(min(1.0, max(0.0, t)) * SLIDER_STEPS))

    def set_radius(self, r: float, r_min: float, r_max: float, photo_side: int,
                   fraction: float | None = None) -> None:
        """The radius control at ``r`` pixels; without a photo (``photo_side`` 0) the label
        gives the brush's share of a photo (``fraction``), since pixels mean nothing yet."""
        self._r_min, self._r_max = r_min, r_max
        self.radius_slider.blockSignals(True)
        self.radius_slider.setValue(self._slider_of(r))
        self.radius_slider.blockSignals(False)
        if photo_side:
            self.radius_label.setText(f"{r:.1f} px ({100 * r / photo_side:.1f} % of the photo)")
        else:
            self.radius_label.setText(f"{100 * fraction:.1f} % of the photo" if fraction
                                      else f"{r:.1f} px")

    # -- colour -----------------------------------------------------------------------------
    def set_color(self, rgb) -> None:
        self.rgb = tuple(rgb)
        self.swatch.set_rgb(rgb)
        self.ab_picker.set_marker_rgb(rgb)
        self._check_gamut()

    def set_mode(self, mode: str) -> None:
        (self.erase_btn if mode == "erase" else self.paint_btn).setChecked(True)
        self._check_gamut()          # the eraser lays no colour under the cursor: no warning

    def set_reach(self, reach: str) -> None:
        (self.region_reach_btn if reach == REGION else self.photo_reach_btn).setChecked(True)

    def set_lightness(self, l: float | None, where: str = UNDER_CURSOR) -> None:
        """Lightness where the colour would land: ``where`` says which spot that is (under the
        cursor, or at the selected hint), for the gamut warning. None: no spot (the cursor is off
        the photo and no hint is selected), so no warning, and the square goes back to the
        lightness it shows before any spot is touched (the photo's typical one, see
        :meth:`reset_lightness`; the picker's own before a photo), not the last spot's."""
        self.lightness, self._where = l, where
        self.ab_picker.set_lightness(self._rest_l if l is None else l,
                                     self._rest_where if l is None else PICKER_WHERE.get(where, ""))
        self._check_gamut()

    def reset_lightness(self, typical: float) -> None:
        """A new photo: no lightness under the cursor yet; the picker shows a typical one of it,
        also whenever no spot is described later."""
        self._rest_l, self._rest_where = typical, REST_WHERE
        self.set_lightness(None)

    def _check_gamut(self) -> None:
        l = self.lightness
        erasing_here = self.erase_btn.isChecked() and self._where == UNDER_CURSOR
        if l is not None and not erasing_here and gamut_shift(l, self.rgb) > GAMUT_WARN_AB:
            self.gamut_label.setText(GAMUT_TEXT.format(where=self._where, l=l))
        else:
            self.gamut_label.setText("")

    def set_suggestions(self, colors, labels=None, spot: str | None = None, at=None,
                        for_hint: bool = False) -> None:
        """Colours suggested ``spot`` ("for hint no. 3", "at the sampled point"), a point whose
        (x, y, lightness) is ``at``: the row's title and tip say which point they are for (the
        square's lightness follows the cursor, these do not), and ``for_hint`` that a click
        gives the colour to that hint. No spot: the row is empty."""
        row = self.suggest_row
        if spot is None:
            row.set_colors([])
            row.title.setText(SUGGEST_TITLE)
            row.setToolTip(SUGGEST_TIP)
            return
        row.set_colors(colors, labels)
        row.title.setText(f"Suggested {spot}")
        x, y, l = at
        row.setToolTip(SUGGEST_FOR.format(spot=spot, x=x, y=y, l=l, what=_kinds(labels),
                                          click=SUGGEST_CLICK if for_hint else "")
                       if labels else SUGGEST_TIP)

    def remember(self, rgb) -> bool:
        """Add a used colour to the recent row; True when the row changed."""
        if self.recent.use(rgb):
            self.recent_row.set_colors(self.recent.colors)
            return True
        return False

    def set_hint_count(self, n: int, selected: int | None = None) -> None:
        text = f"{n} hint{'s' if n != 1 else ''}" if n else "No hints"
        if selected is not None:          # (one line beside Delete; the tip says how to let go)
            text += f" · no. {selected + 1} selected"
        self.hint_label.setText(text)
        self.hint_label.setToolTip(SELECTED_TIP if selected is not None else "")


def _kinds(labels) -> str:
    """What the suggested colours with these labels are, in the order shown: only the kinds
    present (a gray photo has no colour of its own to offer)."""
    kinds = []
    for label in labels:
        kind = next(k for start, k in SUGGEST_KINDS if label.startswith(start))
        if kind not in kinds:
            kinds.append(kind)
    return ", ".join(kinds[:-1]) + (" and " if len(kinds) > 1 else "") + (kinds[-1] if kinds else "")
