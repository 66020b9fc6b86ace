"""The inference API: ``Colorizer`` and its per-photo ``ColorizeSession``.

    c = Colorizer.load()            # bundled default model, device="auto"
    s = c.open(rgb)                 # gray-only features computed once
    s.preview(hints)                # uint8 RGB at working resolution (fast path)
    s.render(hints)                 # uint8 RGB at full resolution; L equals the input's

The network runs on the photo resized so its long side is the working size, or for a
panorama longer (:func:`working_shape`; aspect kept; edges replicated up to a multiple of
16, then cropped away). Its
chroma is upsampled to full size and merged with the original luminance.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import torch

from .device import autocast_for, pick_device  # noqa: F401 (re-exported)
from .ab_bins import top_colours
from .assets import (DEFAULT_MODEL, assets_dir, model_name, models_dir,  # noqa: F401 (re-exported)
                     resolve_model_path)
from .color import AB_SCALE, merge_l_ab, normalize_l, rgb_to_l
from .hints import Hint, HintRaster, photo_side
from .hint_reach import (DEFAULT_HINT_REACH, REGION, check_hint_reach, colour_guided,
                         correction_reach_for, hint_groups, localise, region_split)
from .decoder_cache import cache_for
from .models import fold_batchnorm
from .propagation import Propagator
from .weights import WeightsError, load_model  # noqa: F401 (WeightsError re-exported)

MULTIPLE = 16
STAGES = ("hint input", "network", "hint reach", "correction")
# Network outputs kept per colour group (hint reach "region"): this prediction's groups and
# the most recent others, ~0.5 MB each at working size 256.
GROUP_MEMO = 12


# A photo more than twice as wide as high (or high as wide) is worked on with a longer long
# side, so that its short side stays at half the working size, up to this many working sizes:
# a 4059x300 panorama was worked on at 256x19 pixels and came out nearly gray (a walkthrough);
# now at 1024x76. Photos up to 2:1, the evaluation's squares among them, are unchanged.
PANORAMA_MAX_LONG = 4


def working_shape(h: int, w: int, working_size: int) -> tuple[int, int]:
    """Content size at working resolution, aspect kept: long side = working_size (a smaller
    photo is enlarged to it), or for a panorama longer (:data:`PANORAMA_MAX_LONG`), but then
    not beyond the photo's own long side: :func:`net.hints.photo_side` (the long side, at most
    twice the short one) is what becomes working_size."""
    long = max(h, w)
    side = min(working_size * PANORAMA_MAX_LONG, working_size * long / photo_side(h, w))
    side = max(working_size, min(side, long))
    s = side / float(long)
    return max(1, int(round(h * s))), max(1, int(round(w * s)))


def padded(n: int) -> int:
    return max(MULTIPLE, -(-n // MULTIPLE) * MULTIPLE)


class Colorizer:
    def __init__(self, model, meta: dict, device: torch.device, working_size: int = 256,
                 precision: str = "auto", path: Path | None = None, mirror: bool = True):
        if working_size % MULTIPLE or working_size < 32:
            raise ValueError(f"working size must be a multiple of {MULTIPLE}, at least 32")
        self.model = model.to(device).eval()
        if device.type == "cpu":
            self.model = self.model.to(memory_format=torch.channels_last)
        self.meta = meta
        self.device = device
        self.working_size = working_size
        self.precision = precision
        self.path = path
        # Gray features averaged with the photo's mirror image (ColorizationModel only); one
        # more gray-branch pass when a photo is opened, none per preview.
        self.mirror = mirror
        self._lock = threading.Lock()

    @property
    def variant(self) -> str:
        return self.model.cfg.variant

    @property
    def uses_hints(self) -> bool:
        """False for the automatic systems (net.auto_models): they accept hints and ignore them."""
        return bool(getattr(self.model, "uses_hints", True))

    @property
    def name(self) -> str:
        return model_name(self.path) if self.path else self.variant

    @classmethod
    def load(cls, path: str | os.PathLike | None = None, device: str = "auto",
             working_size: int = 256, precision: str = "auto", mirror: bool = True) -> "Colorizer":
        """Load weights (default: the bundled model in assets/). Raises WeightsError."""
        p = resolve_model_path(path)
        dev = pick_device(device)
        model, meta = load_model(p, device="cpu")
        fold_batchnorm(model.eval())       # this model only ever runs inference
        return cls(model, meta, dev, working_size=working_size, precision=precision, path=p,
                   mirror=mirror)

    def open(self, rgb: np.ndarray) -> "ColorizeSession":
        return ColorizeSession(self, rgb)

    def colorize(self, rgb: np.ndarray, hints=(), hint_reach: str = DEFAULT_HINT_REACH) -> np.ndarray:
        return self.open(rgb).render(hints, hint_reach)

    def _tensor(self, a: np.ndarray) -> torch.Tensor:
        t = torch.from_numpy(np.ascontiguousarray(a))[None].to(self.device)
        if self.device.type == "cpu":
            t = t.contiguous(memory_format=torch.channels_last)
        return t


class ColorizeSession:
    """One photo opened for interactive colorization. Thread-safe; one inference at a time."""

    def __init__(self, colorizer: Colorizer, rgb: np.ndarray):
        rgb = np.asarray(rgb)
        if rgb.ndim not in (2, 3) or rgb.size == 0:
            raise ValueError(f"expected an HxWx3 uint8 image, got shape {rgb.shape}")
        self.colorizer = colorizer
        self.l_full = rgb_to_l(rgb)                       # float32 HxW, [0, 100]
        self.size = self.l_full.shape                     # (H, W)
        h, w = working_shape(*self.size, colorizer.working_size)
        self.work_shape = (h, w)
        self._raster = HintRaster(self.size, self.work_shape)
        l_work = cv2.resize(self.l_full, (w, h), interpolation=cv2.INTER_AREA)
        self.l_work = l_work
        ph, pw = padded(h), padded(w)
        self._pad = (ph - h, pw - w)
        self.l_norm_padded = np.pad(normalize_l(l_work), ((0, ph - h), (0, pw - w)), mode="edge")
        self._last_key = None
        self._last_ab = None
        self._hint_reach = DEFAULT_HINT_REACH
        self._raw_without_hints = None    # for hint_reach "region": the network's output without
        self._region_pyramid = None       # hints and the solver it guides (net.hint_reach)
        self._group_outputs: dict = {}    # "region": the network's output per colour group
        self.last_inference_ms = 0.0
        self.last_stage_ms: dict[str, float] = {}
        c = colorizer
        t0 = time.perf_counter()
        with torch.inference_mode(), autocast_for(c.device, c.precision):
            l_t = c._tensor(self.l_norm_padded[None])
            emb = None
            if hasattr(c.model, "encode_photo"):          # seed and local models
                self._gray, emb = c.model.encode_photo(l_t, mirror=c.mirror)
            else:
                self._gray = c.model.encode_gray(l_t)
            if not (c.uses_hints and c.model.cfg.hint_correction):
                emb = None             # (e.g. evaluated with --no-hint-correction)
        self._decoder_cache = cache_for(c.model)    # filled by the first prediction
        self._propagator = Propagator(self.l_norm_padded, c.model.cfg.propagation) if c.uses_hints else None
        if emb is not None:
            self._propagator.set_correction_affinity(emb[0].float().cpu())
        self.open_ms = (time.perf_counter() - t0) * 1000

    @property
    def hint_reach(self) -> str:
        """How far a hint's colour reaches (:mod:`net.hint_reach`): ``"photo"`` (the default)
        or ``"region"`` (the hint's own region; the rest keeps its colour without hints). The
        predicting methods take ``hint_reach=`` too, for one call (threads that share a
        session pass it rather than set this)."""
        return self._hint_reach

    @hint_reach.setter
    def hint_reach(self, reach: str) -> None:
        with self.colorizer._lock:
            self._hint_reach = check_hint_reach(reach)

    # -- core -----------------------------------------------------------------
    def painted(self, hints) -> np.ndarray:
        """The hints rasterised at working resolution: (a, b, mask) over the content area."""
        return self._raster(hints)

    def hint_tensor(self, hints) -> np.ndarray:
        """The 7-channel network input for these hints (padded working resolution)."""
        with self.colorizer._lock:           # the propagation keeps per-photo state
            return self._hint_input(self.painted(hints))

    def _hint4(self, painted: np.ndarray) -> np.ndarray:
        """(L, a, b, mask) at padded working resolution; the padding gets no hints."""
        h, w = self.work_shape
        ph, pw = self.l_norm_padded.shape
        full = np.zeros((4, ph, pw), np.float32)
        full[0] = self.l_norm_padded
        full[1:, :h, :w] = painted
        return full

    def _hint_input(self, painted: np.ndarray) -> np.ndarray:
        return self._propagator.hint_input(self._hint4(painted))

    def _reach(self, hint_reach: str | None) -> str:
        return self._hint_reach if hint_reach is None else check_hint_reach(hint_reach)

    def predict_ab(self, hints, hint_reach: str | None = None) -> np.ndarray:
        """Chroma (a, b in Lab units) at working resolution, HxWx2 float32."""
        c = self.colorizer
        with c._lock:
            reach = self._reach(hint_reach)
            key = (reach,) + tuple(
                (h.x, h.y, h.radius, h.rgb) if isinstance(h, Hint) else repr(h) for h in hints
            ) if c.uses_hints else ()
            if key == self._last_key and self._last_ab is not None:
                return self._last_ab
            ab = self._predict(self.painted(hints) if c.uses_hints else None, reach)
            self._last_key, self._last_ab = key, ab
            return ab

    def predict_ab_painted(self, painted: np.ndarray | None, hint_reach: str | None = None) -> np.ndarray:
        """:meth:`predict_ab` for hints already rasterised at working resolution.

        ``painted``: (a, b, mask) float32 over the content area, a and b normalised as in
        :mod:`net.color` (what :meth:`painted` returns). The evaluation's simulated hints carry
        exact mean colours this way; everything after rasterisation is the users' path.
        """
        with self.colorizer._lock:
            return self._predict(painted if self.colorizer.uses_hints else None,
                                 self._reach(hint_reach))

    def _predict(self, painted: np.ndarray | None, reach: str) -> np.ndarray:
        t0 = time.perf_counter()
        self._stage_s = dict.fromkeys(STAGES, 0.0)
        hint4 = self._timed("hint input", self._hint4, painted) if painted is not None else None
        hinted = hint4 is not None and bool((hint4[3] > 0).any())
        if hinted and reach == REGION:             # its network inputs are made per colour
            ab = self._own_regions(hint4)          # (each group's output corrected already)
        else:
            hint7 = (self._timed("hint input", self._propagator.hint_input, hint4)
                     if hint4 is not None else None)
            ab = self._timed("network", self._network, hint7)
            if hint7 is not None and not hinted:
                self._raw_without_hints = ab          # (what "region" needs, for free)
            if hint4 is not None:
                ab = self._corrected(ab, hint4, reach)
        h, w = self.work_shape
        ab = ab[:, :h, :w].transpose(1, 2, 0) * AB_SCALE
        ab = np.ascontiguousarray(ab, dtype=np.float32)
        self.last_inference_ms = (time.perf_counter() - t0) * 1000
        # Where the last computed prediction's time went (net.benchmark prints these): the hint
        # input includes the propagation of every network run's hints, the network every run;
        # a repeated hint set answered by predict_ab's memo leaves both as they were.
        self.last_stage_ms = {k: v * 1000 for k, v in self._stage_s.items()}
        return ab

    def _timed(self, stage: str, fn, *args):
        t = time.perf_counter()
        out = fn(*args)
        self._stage_s[stage] += time.perf_counter() - t
        return out

    def _run(self, hint4: np.ndarray) -> np.ndarray:
        """The network's chroma for these hints (propagated first)."""
        hint7 = self._timed("hint input", self._propagator.hint_input, hint4)
        return self._timed("network", self._network, hint7)

    def _corrected(self, ab: np.ndarray, hint4: np.ndarray, reach: str) -> np.ndarray:
        """``ab`` made to pass through the hints of ``hint4`` (the residual correction), if the
        model asks for it."""
        if not self.colorizer.model.cfg.hint_correction:
            return ab
        return self._timed("correction", self._propagator.correct, ab, hint4,
                           correction_reach_for(reach))

    def _own_regions(self, hint4: np.ndarray):
        """Hint reach "region" (:mod:`net.hint_reach`): the network's chroma per colour group of
        the hints, each corrected to pass through its own hints and kept in its group's region.
        A group whose hints are as in one of the last predictions is not run again (a hint
        change reruns its own group's network and correction, and undo finds the group it
        had). Each group's residual correction is spread from its own hints and kept where its
        share reaches, so a red flag's residual does not redden a suit hinted blue, nor cross
        an edge the region stops at (a red dot on a house finch's breast left a red glow on the
        blurred background, a* +5.2, while the correction was kept wherever the colour owned
        the pixel, which with one colour is everywhere)."""
        labels, n = self._timed("hint reach", hint_groups, hint4[1:])
        outputs, memo = [], {}
        for g in range(n):
            own = labels == g
            key = hint4[1:, own].tobytes() + np.flatnonzero(own).tobytes()
            out = self._group_outputs.get(key)
            if out is None:
                alone = hint4.copy()
                alone[1:] *= own
                out = self._corrected(self._run(alone), alone, REGION)
            outputs.append(out)
            memo[key] = out
        for key, out in self._group_outputs.items():      # the most recent first
            if len(memo) >= GROUP_MEMO:
                break
            memo.setdefault(key, out)
        self._group_outputs = memo
        if self._raw_without_hints is None:
            none = hint4.copy()
            none[1:] = 0
            self._raw_without_hints = self._run(none)
        t = time.perf_counter()
        if self._region_pyramid is None:
            self._region_pyramid = colour_guided(self._propagator.levin_pyramid(),
                                                 self._raw_without_hints)
        owners, weight = region_split(self._region_pyramid, labels, n)
        ab = localise(outputs, self._raw_without_hints, owners * weight[None])
        self._stage_s["hint reach"] += time.perf_counter() - t
        return ab

    def _network(self, hint7: np.ndarray | None) -> np.ndarray:
        """The network's chroma (2, padded h, w; normalised) for this hint input."""
        c = self.colorizer
        x = c._tensor(hint7) if hint7 is not None else None
        with torch.inference_mode(), autocast_for(c.device, c.precision):
            if self._decoder_cache is None:
                ab = c.model.colorize_from_gray(self._gray, x)
            else:
                ab = c.model.colorize_from_gray(self._gray, x, self._decoder_cache)
        return ab[0].float().cpu().numpy()

    def preview(self, hints=(), hint_reach: str | None = None) -> np.ndarray:
        """uint8 RGB at working resolution (:attr:`work_shape`)."""
        return merge_l_ab(self.l_work, self.predict_ab(hints, hint_reach))

    def render(self, hints=(), hint_reach: str | None = None) -> np.ndarray:
        """uint8 RGB at the input's full resolution; its luminance is the input's."""
        return self.render_on(self.l_full, hints, hint_reach)

    def render_on(self, l: np.ndarray, hints=(), hint_reach: str | None = None,
                  depth: int = 8) -> np.ndarray:
        """uint8 RGB with lightness ``l`` (the photo's L at any size, e.g. the screen's), or
        uint16 RGB for ``depth=16`` (a 16-bit photo's own L: :mod:`net.export`).

        The chroma is upsampled along ``l``'s edges (:mod:`net.upsample`), so colours stop at
        the photo's edges at every size.
        """
        return merge_l_ab(l, self.predict_ab(hints, hint_reach), guide=self.l_work, depth=depth)

    def likely_colours_at(self, x: float, y: float, count: int = 3) -> list[tuple[float, float, float]]:
        """The automatic colours the model finds likely at an input-image point, most likely first.

        [(a, b, probability)] from the classifier's distribution over the ab bins (models
        with a classifier; an empty list otherwise). Independent of the hints: it says what
        the photo itself suggests, which is what a user wants offered before painting.
        """
        if len(self._gray) <= 5:
            return []
        logits = self._gray[4]                     # (1, Q, H/8, W/8) of the padded photo
        h, w = self.work_shape
        gh, gw = logits.shape[-2:]
        ph, pw = self.l_norm_padded.shape
        i = min(gh - 1, max(0, int(y * h / self.size[0] * gh / ph)))
        j = min(gw - 1, max(0, int(x * w / self.size[1] * gw / pw)))
        return top_colours(logits[0, :, i, j].float().cpu(), count)

    def ab_at(self, x: float, y: float, hints=()) -> tuple[float, float]:
        """The model's current chroma at an input-image point (for colour suggestions)."""
        ab = self.predict_ab(hints)
        h, w = self.work_shape
        j = min(w - 1, max(0, int(x * w / self.size[1])))
        i = min(h - 1, max(0, int(y * h / self.size[0])))
        return float(ab[i, j, 0]), float(ab[i, j, 1])
