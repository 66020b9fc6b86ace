"""Training data: any folder of photos, decoded once into memory, random crops with hints.

A sample is (l_norm 1xSxS, ab_norm 2xSxS, hint input 7xSxS), all float32, with the
hint input built exactly as the app builds it (shared rasteriser + propagation).
"""
from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from torch.utils.data import IterableDataset, get_worker_info

from net.color import normalize_ab, normalize_l, rgb_to_lab
from net.formats import READ_EXTENSIONS as EXTENSIONS, is_photo_name
from net.image_io import ImageError, load_image
from net.propagation import hint_input

from .hint_sampling import HintSamplingConfig, hint4_from_circles, maybe_hue_turn, sample_training_hints

log = logging.getLogger("colorizer.train")

MIN_CHROMA = 4.0   # mean Lab chroma below which a photo counts as near-grayscale


class DataError(RuntimeError):
    """A data folder that cannot be used; one-line message."""


def list_images(root: str | Path) -> list[Path]:
    root = Path(root)
    if not root.exists():
        raise DataError(f"data folder {root} does not exist")
    if not root.is_dir():
        raise DataError(f"{root} is not a folder")
    files = sorted(p for p in root.rglob("*") if is_photo_name(p.name) and p.is_file())
    if not files:
        raise DataError(f"data folder {root} contains no photos ({', '.join(EXTENSIONS)})")
    return files


def mean_chroma(rgb: np.ndarray) -> float:
    small = rgb[:: max(1, rgb.shape[0] // 64), :: max(1, rgb.shape[1] // 64)]
    lab = rgb_to_lab(small)
    return float(np.hypot(lab[:, :, 1], lab[:, :, 2]).mean())


def decode_folder(root: str | Path, max_side: int = 256, limit: int | None = None,
                  progress: bool = False) -> list[np.ndarray]:
    """Decode every usable photo (short side capped at max_side); skips are counted in the log."""
    files = list_images(root)
    if limit:
        files = files[:limit]
    images, unreadable, gray = [], 0, 0
    it = files
    if progress:
        from tqdm import tqdm
        it = tqdm(files, desc=f"reading {Path(root).name}", unit="img", leave=False,
                  disable=None)              # (none when stderr is no terminal: a log file)
    for p in it:
        try:
            rgb = load_image(p).rgb
        except ImageError:
            unreadable += 1
            continue
        if min(rgb.shape[:2]) < 16:
            unreadable += 1
            continue
        s = max_side / min(rgb.shape[:2])
        if s < 1:
            rgb = cv2.resize(rgb, (round(rgb.shape[1] * s), round(rgb.shape[0] * s)),
                             interpolation=cv2.INTER_AREA)
        if mean_chroma(rgb) < MIN_CHROMA:
            gray += 1
            continue
        images.append(np.ascontiguousarray(rgb))
    log.info("%s: %d photo%s used, %d unreadable skipped, %d near-grayscale skipped",
             root, len(images), "" if len(images) == 1 else "s", unreadable, gray)
    if not images:
        raise DataError(f"data folder {root} has no usable colour photos "
                        f"({unreadable} unreadable, {gray} near-grayscale)")
    return images


@dataclass
class Source:
    path: str
    weight: float = 1.0

    @classmethod
    def parse(cls, text: str) -> "Source":
        """``DIR`` or ``DIR:WEIGHT`` (the share of samples drawn from DIR, a positive number).
        A folder whose name has a colon is taken whole when it exists; ``DIR:x`` with an
        existing DIR and an ``x`` that is no positive number is a :class:`DataError`."""
        head, sep, tail = text.rpartition(":")
        if sep and head and not os.path.exists(text):
            try:
                weight = float(tail)
            except ValueError:
                weight = None
            if weight is not None and math.isfinite(weight) and weight > 0:
                return cls(head, weight)
            if weight is not None or os.path.isdir(head):
                raise DataError(f'the share "{tail}" of data folder {head} is not a '
                                f'{"positive " if weight is not None else ""}number (DIR:WEIGHT)')
        return cls(text, 1.0)


def make_sample(rgb: np.ndarray, rng: np.random.Generator, size: int,
                hint_cfg: HintSamplingConfig, train: bool = True, circles=None,
                propagation: str = "fgs"):
    """One crop -> (l_norm, ab_norm, hint7, circles). ``circles`` overrides hint sampling.

    ``propagation`` is the model's hint propagation method (``ModelConfig.propagation``);
    None for a system without hints: no hints are drawn and the hint input has no channels.
    """
    h, w = rgb.shape[:2]
    m = min(h, w)
    if train:
        c = int(round(m * rng.uniform(0.55, 1.0)))
        c = max(min(m, 16), c)
        ch = min(h, max(8, int(round(c * math.exp(rng.uniform(-0.15, 0.15))))))
        y0, x0 = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - c + 1))
        crop = rgb[y0:y0 + ch, x0:x0 + c]
        if rng.random() < 0.5:
            crop = crop[:, ::-1]
    else:
        y0, x0 = (h - m) // 2, (w - m) // 2
        crop = rgb[y0:y0 + m, x0:x0 + m]
    interp = cv2.INTER_AREA if min(crop.shape[:2]) > size else cv2.INTER_LINEAR
    crop = cv2.resize(np.ascontiguousarray(crop), (size, size), interpolation=interp)
    lab = rgb_to_lab(crop)
    l_norm = normalize_l(lab[:, :, 0])
    ab_norm = normalize_ab(lab[:, :, 1:]).transpose(2, 0, 1).copy()
    if propagation is None:
        return (l_norm[None].astype(np.float32), ab_norm.astype(np.float32),
                np.zeros((0, size, size), np.float32), [])
    if circles is None:
        circles = sample_training_hints(ab_norm, rng, hint_cfg)
        if train:
            ab_norm, circles = maybe_hue_turn(ab_norm, circles, rng, hint_cfg)
    hint7 = hint_input(hint4_from_circles(l_norm, circles), propagation)
    return l_norm[None].astype(np.float32), ab_norm.astype(np.float32), hint7, circles


class PhotoStream(IterableDataset):
    """Endless random training samples drawn from weighted sources."""

    def __init__(self, sources: list[list[np.ndarray]], weights: list[float], size: int,
                 hint_cfg: HintSamplingConfig, seed: int = 0, rank: int = 0,
                 propagation: str = "fgs"):
        self.sources, self.size, self.hint_cfg = sources, size, hint_cfg
        self.propagation = propagation
        w = np.asarray(weights, np.float64)
        self.p = w / w.sum()
        self.seed, self.rank = seed, rank

    def __iter__(self):
        info = get_worker_info()
        wid = info.id if info else 0
        rng = np.random.default_rng([self.seed, self.rank, wid])
        while True:
            src = self.sources[int(rng.choice(len(self.sources), p=self.p))]
            rgb = src[int(rng.integers(len(src)))]
            l, ab, h7, _ = make_sample(rgb, rng, self.size, self.hint_cfg,
                                       propagation=self.propagation)
            yield torch.from_numpy(l), torch.from_numpy(ab), torch.from_numpy(h7)


def validation_batch(images: list[np.ndarray], size: int, hint_cfg: HintSamplingConfig,
                     count: int = 64, seed: int = 1234, propagation: str = "fgs"):
    """A fixed validation set: centre crops with hints from a fixed seed per photo."""
    idx = np.linspace(0, len(images) - 1, min(count, len(images))).round().astype(int)
    ls, abs_, hs = [], [], []
    for k, i in enumerate(idx):
        rng = np.random.default_rng([seed, k])
        l, ab, h7, _ = make_sample(images[i], rng, size, hint_cfg, train=False,
                                   propagation=propagation)
        ls.append(l); abs_.append(ab); hs.append(h7)
    return (torch.from_numpy(np.stack(ls)), torch.from_numpy(np.stack(abs_)),
            torch.from_numpy(np.stack(hs)))
