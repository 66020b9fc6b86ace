"""The methods ``colorizer-eval`` compares, on the protocol's photos: a model through the users'
inference path (:class:`NetworkMethod`) and the classical baseline of Levin et al. 2004
(:class:`LevinMethod`, whose scores are cached between runs, keyed on the code they come from,
the photo and the hints)."""
from __future__ import annotations

import hashlib
import inspect
import json
from pathlib import Path

import cv2
import numpy as np
import scipy

import net.color as _color
import net.exact_lab as _exact_lab
import net.hints as _hints
from net.atomic import write_text_atomic
from net.color import AB_SCALE, L_CENTER, L_SCALE, merge_l_ab, normalize_ab, normalize_l, rgb_to_lab
from net.colorizer import Colorizer
from net.hint_reach import DEFAULT_HINT_REACH, check_hint_reach
from net.hints import paint_circles
from net.image_io import load_image

from . import hint_sampling as _hint_sampling
from . import levin as _levin_module
from .hint_sampling import PROTOCOL_SIZE, hint4_from_circles
from .levin import levin_colorize


class Photo:
    """A photo resized to the protocol's 256x256, with its Lab planes."""

    def __init__(self, path: Path | None, size: int = PROTOCOL_SIZE, rgb: np.ndarray | None = None,
                 name: str | None = None):
        """From a file at ``path``, or from an RGB uint8 array ``rgb`` named ``name``."""
        if rgb is None:
            rgb = load_image(path).rgb
        interp = cv2.INTER_AREA if min(rgb.shape[:2]) > size else cv2.INTER_CUBIC
        self.rgb = cv2.resize(rgb, (size, size), interpolation=interp)
        lab = rgb_to_lab(self.rgb)
        self.l = lab[:, :, 0]
        self.l_norm = normalize_l(self.l)
        self.ab_norm = normalize_ab(lab[:, :, 1:]).transpose(2, 0, 1).copy()
        self.name = name if name is not None else Path(path).name

    def rgb_from_ab_norm(self, ab_norm: np.ndarray) -> np.ndarray:
        return merge_l_ab(self.l, ab_norm.transpose(1, 2, 0) * AB_SCALE)


class NetworkMethod:
    """A model evaluated through the users' inference path (:class:`net.Colorizer`).

    The simulated hints carry exact mean colours, so they enter after rasterisation
    (:meth:`net.ColorizeSession.predict_ab_painted`); everything from there on, the
    propagation, the network and its precision, is what the app and the CLI run.
    """

    def __init__(self, path: str, device, precision: str = "auto", hint_correction: bool = True,
                 name: str | None = None, hint_reach: str = DEFAULT_HINT_REACH):
        self.colorizer = Colorizer.load(path, device=device, working_size=PROTOCOL_SIZE,
                                        precision=precision)
        self.path = path
        self.name = name or Path(path).stem
        cfg = self.colorizer.model.cfg
        if not hint_correction and getattr(cfg, "hint_correction", False):
            cfg.hint_correction = False          # the ablation: the network's own output
            self.name += " (no correction)"
        self.hint_reach = check_hint_reach(hint_reach)
        if hint_reach != DEFAULT_HINT_REACH:
            self.name += f" (hint reach: {hint_reach})"

    def predict_levels(self, photo: Photo, circles_per_level: list[list]) -> list[np.ndarray]:
        """Normalised ab (2, H, W) for each list of circles; the photo is encoded once."""
        s = self.colorizer.open(photo.rgb)
        s.hint_reach = self.hint_reach
        h, w = s.work_shape
        return [s.predict_ab_painted(paint_circles(c, h, w)).transpose(2, 0, 1) / AB_SCALE
                for c in circles_per_level]

    def predict(self, photos: list[Photo], circles: list[list]) -> list[np.ndarray]:
        return [self.predict_levels(p, [c])[0] for p, c in zip(photos, circles)]


class LevinMethod:
    """Levin et al. 2004 with a result cache (deterministic, model-independent, slow)."""

    name = "levin"

    def __init__(self, cache: Path | None):
        self.cache_path = cache
        self.cache = {}
        self.code = levin_fingerprint()
        if cache and cache.is_file():
            try:
                stored = json.loads(cache.read_text())
            except (OSError, json.JSONDecodeError):
                stored = {}
            # scores of other code (or of the format before the fingerprint) are dropped
            self.cache = {k: v for k, v in stored.items() if k.startswith(self.code + ":")} \
                if isinstance(stored, dict) else {}

    def predict_one(self, photo: Photo, circles) -> np.ndarray:
        hint = hint4_from_circles(photo.l_norm, circles)
        y = np.clip((photo.l_norm * L_SCALE + L_CENTER) / 100.0, 0, 1)
        return levin_colorize(y, hint[1:3], hint[3] > 0)

    def save(self):
        if self.cache_path:
            write_text_atomic(self.cache_path, json.dumps(self.cache))


def _cache_key(code: str, photo: Photo, circles) -> str:
    """A cached Levin score depends on the code (:func:`levin_fingerprint`), the photo and the
    hints: key on all three."""
    h = hashlib.sha1(photo.rgb.tobytes()).hexdigest()[:16]
    hints = hashlib.sha1(np.asarray(circles, np.float64).round(6).tobytes()).hexdigest()[:16]
    return f"{code}:{photo.name}:{h}:{hints}"


# The code a cached Levin score comes from besides the photo and its hints: the hints'
# rasterisation, the solve and the merge into RGB that the score is taken on. The cache stores
# scores, so a change to any of them (session 26 found the README's Levin rows 0.00-0.01 dB
# off: cached before the merge's lightness handling changed) must not reuse old ones.
LEVIN_SOURCES = [Path(m.__file__) for m in (_levin_module, _hint_sampling, _hints, _color,
                                            _exact_lab)]


def levin_fingerprint() -> str:
    """A short hash of :data:`LEVIN_SOURCES`, :class:`Photo` and the versions of the libraries
    the solve and the conversion run on."""
    h = hashlib.sha1()
    for path in LEVIN_SOURCES:
        h.update(path.read_bytes())
    h.update(inspect.getsource(Photo).encode())
    h.update(f"{np.__version__} {scipy.__version__} {cv2.__version__}".encode())
    return h.hexdigest()[:12]
