"""Figures of ``colorizer-eval figure``: what a model does with hints, and models side by side.

Both are grids of 256-px cells, one photo per row, the gray input first and the ground truth
last, with the protocol's hints (white rings) drawn on every result that received them.
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from net.device import pick_device
from net.image_io import save_image

from .evaluate import SEED, NetworkMethod, load_photos
from .hint_sampling import protocol_hints

CELL = 256 + 4              # a photo of the protocol's size and its white margin
HEADER = 28


def _result(net, photo, circles, mark: bool) -> np.ndarray:
    out = photo.rgb_from_ab_norm(net.predict([photo], [circles])[0]).copy()
    if mark:
        for cx, cy, r, a, b in circles:          # each hint: a white ring around its colour
            cv2.circle(out, (int(cx), int(cy)), int(r) + 2, (255, 255, 255), 1)
    return out


def _grid(rows: list[list[np.ndarray]], labels: list[str], png: Path) -> Path:
    lines = [np.concatenate([np.pad(c, ((2, 2), (2, 2), (0, 0)), constant_values=255) for c in cells],
                            axis=1) for cells in rows]
    width = max(line.shape[1] for line in lines)
    lines = [np.pad(line, ((0, 0), (0, width - line.shape[1]), (0, 0)), constant_values=255)
             for line in lines]
    header = np.full((HEADER, width, 3), 255, np.uint8)
    for k, text in enumerate(labels):
        cv2.putText(header, text[:24], (k * CELL + 8, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.55,
                    (0, 0, 0), 1, cv2.LINE_AA)
    return save_image(png, np.concatenate([header] + lines, axis=0))


def _gray(photo) -> np.ndarray:
    return photo.rgb_from_ab_norm(np.zeros_like(photo.ab_norm))


def hints_figure(folder: str, weights: str, png: Path, count: int = 4, levels=(0, 5, 20),
                 device="auto") -> Path:
    """Per photo: the gray input, the model's result at each hint count, the truth."""
    net = NetworkMethod(weights, pick_device(device))
    rows = []
    for i, p in enumerate(load_photos(folder, count)):
        cells = [_gray(p)]
        for li, n in enumerate(levels):
            cells.append(_result(net, p, protocol_hints(p.ab_norm, n, np.random.default_rng([SEED, i, li])),
                                 mark=True))
        rows.append(cells + [p.rgb])
    return _grid(rows, ["input"] + [f"{n} hints" for n in levels] + ["ground truth"], png)


def systems_figure(folder: str, weights: list[str], png: Path, count: int = 4, hints: int = 0,
                   device="auto") -> Path:
    """Per photo: the gray input, every model's result with the same hints, the truth.

    A model is labelled by its file name (as in the sweep's tables).
    """
    dev = pick_device(device)
    nets = [NetworkMethod(w, dev) for w in weights]
    rows = []
    for i, p in enumerate(load_photos(folder, count)):
        circles = protocol_hints(p.ab_norm, hints, np.random.default_rng([SEED, i, 0]))
        rows.append([_gray(p)] + [_result(n, p, circles, mark=hints > 0) for n in nets] + [p.rgb])
    labels = ["input"] + [Path(w).stem for w in weights] + ["ground truth"]
    return _grid(rows, labels, png)
