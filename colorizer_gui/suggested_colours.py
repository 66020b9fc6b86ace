"""The colour panel's suggested colours: which point they are for, kept current as the result
changes, and what picking one does.

They are for the hint last added or selected ("Suggested for hint no. 3"), or for a point
sampled with Alt+click. Picking a colour suggested for a hint recolours that hint, selected or
not (a walkthrough: after Esc the row still said "for hint no. 3", and a click there only set
the brush); picking one suggested for a sampled point acts as any colour control does.
"""
from __future__ import annotations

from typing import Callable

from .suggestions import suggestions


class SuggestedColours:
    def __init__(self, doc, controller, panel, tool, pick: Callable[[tuple, bool], None]):
        self.doc, self.controller, self.panel, self.tool, self._pick = \
            doc, controller, panel, tool, pick
        self.at: tuple[float, float, str] | None = None   # the point and how the title names it
        self.hint: int | None = None                       # the hint they are for, if any

    def for_hint(self, index: int) -> None:
        """Suggestions at hint ``index`` (the panel numbers hints from 1)."""
        h = self.doc.hints[index]
        self.show_at(h.x, h.y, f"for hint no. {index + 1}", index)

    def show_at(self, x: float, y: float, spot: str, hint: int | None = None) -> None:
        """Suggestions for the point (x, y), which ``spot`` names ("at the sampled point")."""
        l = self.doc.lightness_at(x, y)
        if l is None:
            return
        self.at, self.hint = (x, y, spot), hint
        colors, labels = suggestions(l, self.controller.result_rgb_at(x, y),
                                     self.doc.original_rgb_at(x, y),
                                     self.controller.likely_colours_at(x, y))
        self.panel.set_suggestions(colors, labels, spot, (x, y, l),
                                   for_hint=hint is not None)

    def refresh(self) -> None:
        """A new result: "model's prediction" is the result's colour there."""
        if self.at is not None:
            self.show_at(*self.at, self.hint)

    def clear(self) -> None:
        self.at = self.hint = None
        self.panel.set_suggestions([])

    def picked(self, rgb) -> None:
        """A suggested colour was clicked: the hint it was suggested for takes it."""
        i = self.hint
        for_hint = i is not None and i < len(self.doc.hints)
        if for_hint and self.tool.selected != i:
            self.tool.select(i)
        self._pick(rgb, for_hint)
