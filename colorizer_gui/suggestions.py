"""Suggested hint colours at a point: the model's current prediction, the photo's own
colour when it had one, and frequent natural colours that exist at that lightness."""
from __future__ import annotations

import numpy as np

from net.color import rgb_to_lab

from .color_widgets import rgb_for

# Frequent colours in photographs (sRGB), used only for their chroma.
COMMON_COLORS = {
    "sky": (110, 160, 215), "skin": (224, 172, 140), "foliage": (70, 110, 45),
    "grass": (110, 160, 60), "wood": (130, 90, 55), "brick": (170, 75, 55),
    "sand": (210, 190, 140), "water": (40, 95, 120), "red": (190, 30, 35),
    "gold": (210, 160, 40), "navy": (35, 45, 95), "lips": (180, 90, 100),
}
_COMMON_AB = {k: rgb_to_lab(np.array([[v]], np.uint8))[0, 0, 1:] for k, v in COMMON_COLORS.items()}


MAX_SUGGESTIONS = 10


def suggestions(l: float, predicted_rgb=None, original_rgb=None, likely=()) -> tuple[list, list]:
    """(colours, labels) for lightness l; each colour keeps its chroma at that lightness.

    ``likely``: [(a, b, probability)] the model's classifier finds likely at that point
    (:meth:`net.ColorizeSession.likely_colours_at`), offered right after the prediction.
    """
    colors, labels = [], []

    def add(rgb, label):
        rgb = tuple(int(c) for c in rgb)
        if all(sum(abs(a - b) for a, b in zip(rgb, c)) > 12 for c in colors):
            colors.append(rgb)
            labels.append(label)

    if predicted_rgb is not None:
        add(predicted_rgb, "model's prediction")
    for a, b, prob in likely:
        add(rgb_for(l, float(a), float(b)), f"likely here ({prob:.0%})")
    if original_rgb is not None:
        add(original_rgb, "photo's own colour")
    for name, (a, b) in _COMMON_AB.items():
        rgb = rgb_for(l, float(a), float(b))
        back = rgb_to_lab(np.array([[rgb]], np.uint8))[0, 0]
        if abs(back[1] - a) < 6 and abs(back[2] - b) < 6:   # keep only in-gamut ones
            add(rgb, name)
    return colors[:MAX_SUGGESTIONS], labels[:MAX_SUGGESTIONS]
