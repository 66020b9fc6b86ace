"""Where the first-hint tip goes over a photo, and how much of it fits.

The tip sits at the bottom of the view, left of the zoom percentage, on at most two lines;
a narrow view would otherwise wrap it into a tall box over most of the photo. What does not
fit ends in "…" (the view's tooltip, the status bar and Help say it all). When there is too
little room beside the zoom percentage it takes the whole width just above it; when even
that leaves too few characters a line, or a line would cover more than a quarter of the
view's height, the tip is not shown.
"""
from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics

MAX_LINES = 2
MAX_SHARE = 0.25     # of the view's height the tip may cover
MIN_CHARS = 12       # a narrower line says too little to be worth covering the photo
PAD_X, PAD_Y = 12, 8
ELLIPSIS = "…"


def fit_lines(fm: QFontMetrics, text: str, width: int, max_lines: int) -> list[str]:
    """``text`` wrapped at words to ``width`` pixels, the last of at most ``max_lines`` lines
    ending in "…" when the rest does not fit."""
    lines: list[str] = []
    for word in text.split():
        if lines and fm.horizontalAdvance(f"{lines[-1]} {word}") <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    if len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1:]).split()
        last = ""
        for word in rest:
            if fm.horizontalAdvance(f"{last} {word}{ELLIPSIS}".lstrip()) > width:
                break
            last = f"{last} {word}".lstrip()
        lines = lines[:max_lines - 1] + [last.rstrip(";,.:") + ELLIPSIS if last else " ".join(rest)]
    return [fm.elidedText(line, Qt.TextElideMode.ElideRight, width) for line in lines]


def shown_chars(lines: list[str]) -> int:
    return sum(len(line.rstrip(ELLIPSIS)) for line in lines)


def tip_layout(fm: QFontMetrics, text: str, r: QRect, zoom: QRect) -> tuple[QRect, list[str]]:
    """The tip's box in the view ``r`` (with the zoom percentage at ``zoom``) and its lines;
    no lines (and an empty box) when it is not worth showing."""
    max_lines = min(MAX_LINES, int((r.height() * MAX_SHARE - 2 * PAD_Y) // fm.lineSpacing()))
    if max_lines < 1:
        return QRect(), []
    beside = QRect(r.left() + 20, 0, zoom.left() - 28 - r.left() - 20, 0)  # bottom, left of it
    above = QRect(r.left() + 8 + PAD_X, 0, r.width() - 16 - 2 * PAD_X, 0)  # just above it
    best = None
    for area, bottom in ((beside, r.bottom() - 14), (above, zoom.top() - 6)):
        if area.width() < MIN_CHARS * fm.averageCharWidth():
            continue
        lines = fit_lines(fm, text, area.width(), max_lines)
        if best is None or shown_chars(lines) > shown_chars(best[2]):
            best = (area, bottom, lines)
        if not lines[-1].endswith(ELLIPSIS):
            break                                   # the whole text fits: no need to go up
    if best is None:
        return QRect(), []
    area, bottom, lines = best
    box = fm.boundingRect(QRect(area.left(), 0, area.width(), 10_000), Qt.AlignmentFlag.AlignCenter,
                          "\n".join(lines)).adjusted(-PAD_X, -PAD_Y, PAD_X, PAD_Y)
    box.moveBottom(bottom)
    box.moveLeft(max(r.left() + 8, area.left() + (area.width() - box.width()) // 2))
    return box, lines
