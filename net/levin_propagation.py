"""Levin et al.'s colorization system, solved fast enough to run on every hint change.

Levin, Lischinski and Weiss (2004) ask each unhinted pixel's chroma to equal the
affinity-weighted mean of its 3x3 neighbours, with affinities from the luminance,
hinted pixels held fixed. The exact sparse solve takes ~0.5 s at 256 px; here the
same system is solved coarse to fine: an exact sparse solve on a small pyramid level
(about 1,000 unknowns), then a few Jacobi sweeps of the same equations at every finer
level, each warm-started from the level below. On 30 photos of photos-val (protocol
hints, PSNR of the propagation alone) this scores 27.56 / 30.34 dB at 20 / 100 hints
against 27.29 / 30.09 for the exact solve and 26.72 / 29.19 for the normalised fast
global smoother used before, in about 8 ms at 256 px on the 2-core development CPU.

Everything that depends only on the luminance (the pyramid and the affinities) is
computed once per photo by :class:`LevinPyramid`; :meth:`LevinPyramid.solve` then
costs one small factorisation and the sweeps. The app's sweeps of the small levels run in
OpenCV (:func:`sweep_stacked`, fewer calls), the rest and training's in torch
(:func:`jacobi_sweep`, differentiable); a test holds the two bit-identical.
"""
from __future__ import annotations

import copy

import cv2
import numpy as np
import scipy.sparse as sp
from scipy.linalg import lapack
import torch
import torch.nn.functional as F

OFFSETS = tuple((di, dj) for di in (-1, 0, 1) for dj in (-1, 0, 1) if (di, dj) != (0, 0))
COARSE_PIXELS = 1200          # the exact solve runs on the first level at most this size
SWEEPS = (3, 6, 15, 40)     # Jacobi sweeps at the finest level, the next, ...
LU_CACHE = 4                 # coarse factorisations kept per photo (two per hint set)
# Levels of at most this many pixels sweep with OpenCV (sweep_stacked), larger ones with torch:
# a sweep of 2 planes at 96x128 took 60 us in torch and 35 in OpenCV, at 192x256 140 and 176
# (torch's two threads pay off); and the stacked weights of a large level would cost memory
# (8 x planes x pixels floats: ~19 MB for the 9 colour groups of "Own region" at 256x258).
STACKED_SWEEP_PIXELS = 20_000


def affinities(y: np.ndarray) -> np.ndarray:
    """(8, h, w) normalised neighbour weights of Levin's system for luminance y in [0, 1]."""
    h, w = y.shape
    pad = np.pad(y, 1, mode="edge")
    neigh = np.stack([pad[1 + di:1 + di + h, 1 + dj:1 + dj + w] for di, dj in OFFSETS])
    var = np.concatenate([neigh, y[None]]).var(axis=0) * 0.6
    d2 = (neigh - y[None]) ** 2
    var = np.maximum(var, -d2.min(axis=0) / np.log(0.01))
    var = np.maximum(var, 2e-6)
    wts = np.exp(-d2 / var[None])
    wts /= np.maximum(wts.sum(axis=0, keepdims=True), 1e-12)
    return wts.astype(np.float32)


def _half(x: np.ndarray) -> np.ndarray:
    h, w = x.shape[-2:]
    size = (max(1, w // 2), max(1, h // 2))
    if x.ndim == 2:
        return cv2.resize(x, size, interpolation=cv2.INTER_AREA)
    return np.stack([cv2.resize(c, size, interpolation=cv2.INTER_AREA) for c in x])


def coarse_indices(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the 8 neighbour entries of every pixel (edges replicated)."""
    idx = np.arange(h * w).reshape(h, w)
    cols = []
    for di, dj in OFFSETS:
        ii = np.clip(np.arange(h)[:, None] + di, 0, h - 1)
        jj = np.clip(np.arange(w)[None, :] + dj, 0, w - 1)
        cols.append((ii * w + jj).ravel())
    return np.tile(idx.ravel(), len(OFFSETS)), np.concatenate(cols)


def sweeps_at(sweeps: tuple, lv: int) -> int:
    """Jacobi sweeps at pyramid level ``lv`` from a per-level tuple, finest first (the last
    entry repeats for coarser levels)."""
    return sweeps[min(lv, len(sweeps) - 1)]


def area_pyramid(t: torch.Tensor, shapes) -> list[torch.Tensor]:
    """``t`` (N, C, H, W) and its area means at each further (h, w) of ``shapes`` (finest
    first, the first being t's own): the torch twin of the pyramid's halving."""
    out = [t]
    for shape in list(shapes)[1:]:
        out.append(F.interpolate(out[-1], size=tuple(shape), mode="area"))
    return out


def jacobi_sweep(u: torch.Tensor, wts: torch.Tensor, fixed: torch.Tensor, conf: torch.Tensor,
           keep: float = 1.0) -> torch.Tensor:
    """One Jacobi sweep: u = conf * fixed + (1 - conf) * keep * (weighted mean of the neighbours).

    Torch, for training's gradients (and :mod:`net.hole_fill`); :meth:`LevinPyramid.solve`
    runs its twin :func:`sweep_stacked` on the small levels."""
    h, w = u.shape[-2:]
    pad = F.pad(u[None], (1, 1, 1, 1), mode="replicate")[0]
    out = wts[0] * pad[:, 0:h, 0:w]
    for k, (di, dj) in enumerate(OFFSETS[1:], start=1):
        out.addcmul_(wts[k], pad[:, 1 + di:1 + di + h, 1 + dj:1 + dj + w])
    if keep != 1.0:
        out.mul_(keep)
    return out.addcmul_(conf, fixed - out)


def stacked(planes: np.ndarray) -> np.ndarray:
    """(c, h, w) -> the "stacked" layout of :func:`sweep_stacked`: the planes one below the
    other with two unused rows between neighbours, (c * (h + 2) - 2, w) float32."""
    c, h, w = planes.shape
    out = np.zeros((c, h + 2, w), np.float32)
    out[:, :h] = planes
    return out.reshape(c * (h + 2), w)[:c * (h + 2) - 2]


def sweep_stacked(u: np.ndarray, wts: list[np.ndarray], fixed: np.ndarray, conf: np.ndarray,
                  keep: float = 1.0) -> np.ndarray:
    """:func:`jacobi_sweep` with OpenCV on numpy arrays: the same arithmetic in the same order
    (bit-identical, ``tests/test_propagation.py``) in about a third of the calls, whose
    overhead dominates at the small pyramid levels. Inference only; training sweeps with the
    torch twin for its gradients.

    ``u``: (c, h, w) float32 planes, each C-contiguous; ``fixed``, ``conf`` and each of the 8
    ``wts``: :func:`stacked` (c * (h + 2) - 2, w), ``conf`` and ``wts`` the same for every
    plane (:meth:`LevinPyramid.stacked_weights`). All planes are swept by each call at once, as
    one tall image whose two rows between planes are computed and never read. Returns the new
    ``u`` (a view into a new buffer).
    """
    c, h, w = u.shape
    pad = np.empty((c, h + 2, w + 2), np.float32)
    for i in range(c):
        cv2.copyMakeBorder(u[i], 1, 1, 1, 1, cv2.BORDER_REPLICATE, dst=pad[i])
    tall = pad.reshape(c * (h + 2), w + 2)
    n = c * (h + 2) - 2

    def shifted(di: int, dj: int) -> np.ndarray:     # every plane moved by (di, dj), stacked
        return tall[1 + di:1 + di + n, 1 + dj:1 + dj + w]

    buf = np.empty((c, h + 2, w), np.float32)
    out = buf.reshape(c * (h + 2), w)[:n]
    cv2.multiply(wts[0], shifted(*OFFSETS[0]), dst=out)
    for k, (di, dj) in enumerate(OFFSETS[1:], start=1):
        cv2.accumulateProduct(wts[k], shifted(di, dj), out)
    if keep != 1.0:
        out *= np.float32(keep)
    cv2.accumulateProduct(conf, cv2.subtract(fixed, out), out)
    return buf[:, :h]


class LevinPyramid:
    """Per-photo part of the solver: luminance pyramid and affinities at every level."""

    def __init__(self, y: np.ndarray):
        y = np.asarray(y, np.float32)
        self.levels = [y]
        while self.levels[-1].size > COARSE_PIXELS and min(self.levels[-1].shape) >= 8:
            self.levels.append(_half(self.levels[-1]))
        self.wts = [torch.from_numpy(affinities(lv)) for lv in self.levels]
        self._rows, self._cols = coarse_indices(*self.levels[-1].shape)
        self._vals = self.wts[-1].numpy().reshape(-1).astype(np.float64)
        self._lus: dict = {}
        self._stacked_wts: dict = {}
        self._band_layout()

    def _band_layout(self) -> None:
        """Where each coarse-level weight sits in LAPACK's band storage. Pixels are numbered
        along the shorter side, so the system is banded with half-width that side + 1 (at most
        ~35 at COARSE_PIXELS): a banded LU takes a third of a general sparse one's time."""
        h, w = self.levels[-1].shape
        n = h * w
        # new number of each pixel (row-major index): row-major if w <= h, else column-major
        self._new = np.arange(n) if w <= h else np.arange(n).reshape(h, w).T.ravel().argsort()
        self._order = np.argsort(self._new)              # the pixel at each new number
        self._kl = min(h, w) + 1
        rows, cols = self._new[self._rows], self._new[self._cols]
        width = 3 * self._kl + 1                         # kl + ku + 1 rows, kl more for the LU
        self._band_shape = (width, n)
        self._band_pos = (2 * self._kl + rows - cols) * n + cols
        self._band_diag = 2 * self._kl * n + np.arange(n)

    @property
    def coarse_rows(self) -> np.ndarray:
        """Row index of each neighbour weight of the coarsest level (its (8, h, w) flattened)."""
        return self._rows

    @property
    def coarse_cols(self) -> np.ndarray:
        """Column index (the neighbour) of each of those weights."""
        return self._cols

    def with_affinities(self, wts) -> "LevinPyramid":
        """The same pyramid with other neighbour weights at every level (``wts``: (8, h, w)
        tensors, finest first, each summing to 1 over the neighbours), e.g. the learned ones of
        :func:`net.affinity.learned_affinities`; its own factorisations."""
        if [tuple(w.shape) for w in wts] != [tuple(w.shape) for w in self.wts]:
            raise ValueError("the weights do not match this pyramid's levels")
        other = copy.copy(self)
        other.wts = [torch.as_tensor(w, dtype=torch.float32).contiguous() for w in wts]
        other._vals = other.wts[-1].numpy().reshape(-1).astype(np.float64)
        other._lus = {}
        other._stacked_wts = {}
        return other

    def _factor(self, conf: np.ndarray, keep: float = 1.0):
        """Banded LU factors of the coarsest level's system (:meth:`coarse_band`). The
        :data:`LU_CACHE` most recently used systems are kept (each preview solves two, with
        other constraints: the hint input's and the residual correction's), so a change of
        colour only, which leaves the mask as it was, factorises nothing."""
        key = (float(keep), conf.shape, conf.tobytes())
        lu = self._lus.pop(key, None)
        if lu is not None:
            self._lus[key] = lu                          # now the most recently used
            return lu
        factors, piv, info = lapack.dgbtrf(self.coarse_band(conf, keep), self._kl, self._kl)
        if info != 0:                    # cannot happen with hints: affinities are positive
            raise np.linalg.LinAlgError(f"singular coarse system (LAPACK dgbtrf info {info})")
        lu = (factors, piv)
        if len(self._lus) >= LU_CACHE:
            del self._lus[next(iter(self._lus))]          # the least recently used
        self._lus[key] = lu
        return lu

    def coarse_band(self, conf: np.ndarray, keep: float = 1.0) -> np.ndarray:
        """:meth:`coarse_matrix` in LAPACK's band storage for ``dgbtrf`` (pixels renumbered
        along the shorter side; the first kl rows are room for the factorisation)."""
        free, vals = self._off_diagonal(conf, keep)
        size = self._band_shape[0] * self._band_shape[1]
        band = np.bincount(self._band_pos[free], weights=vals, minlength=size)
        band = band.astype(np.float64, copy=False)   # (integer when every pixel is hinted)
        band[self._band_diag] += 1.0
        return band.reshape(self._band_shape)

    def _off_diagonal(self, conf: np.ndarray, keep: float) -> tuple[np.ndarray, np.ndarray]:
        """The coarse system's neighbour entries: which of the 8 x h x w are present (their
        pixel not held fully) and their values, -(1 - conf) * keep * weight."""
        c = conf.ravel().astype(np.float64)
        free = c[self._rows] < 1.0
        return free, -(1.0 - c[self._rows[free]]) * self._vals[free] * keep

    def coarse_matrix(self, conf: np.ndarray, keep: float = 1.0) -> sp.csc_matrix:
        """A of the coarsest level's system A u = conf * hab, i.e. u = conf * hab + (1 - conf) *
        keep * W u (W the neighbour affinities, ``conf`` the constraint weights there)."""
        n = conf.size
        free, vals = self._off_diagonal(conf, keep)
        return sp.csc_matrix((np.concatenate([np.ones(n), vals]),
                              (np.concatenate([np.arange(n), self._rows[free]]),
                               np.concatenate([np.arange(n), self._cols[free]]))), shape=(n, n))

    def level_constraints(self, mask: np.ndarray, reach: float | None = None,
                          hard: bool = False) -> list[tuple[np.ndarray, float]]:
        """(conf, keep) of every level, finest first, as :meth:`solve` sets them for these hints."""
        ms = [np.asarray(mask, np.float32)]
        for _ in self.levels[1:]:
            ms.append(_half(ms[-1]))
        return [self._constraints(m, mask, lv, reach, hard) for lv, m in enumerate(ms)]

    @staticmethod
    def _constraints(ms: np.ndarray, mask: np.ndarray, lv: int, reach, hard) -> tuple[np.ndarray, float]:
        # On coarse levels a partly hinted pixel is held to its hint colour in proportion to
        # the hinted share of its area (a soft constraint), so small hints survive; ``hard``
        # holds it fully.
        if lv == 0:
            conf = (mask > 0).astype(np.float32)
        elif hard:
            conf = (ms > 1e-6).astype(np.float32)
        else:
            conf = np.clip(ms, 0.0, 1.0)
        keep = 1.0 if reach is None else 1.0 / (1.0 + (2.0 ** lv / reach) ** 2)
        return conf, keep

    def _coarse_solve(self, hab: np.ndarray, conf: np.ndarray, keep: float = 1.0) -> np.ndarray:
        """Exact solve of u = conf * hab + (1 - conf) * keep * W u on the coarsest level."""
        c = hab.shape[0]
        rhs = conf.ravel().astype(np.float64)[:, None] * hab.reshape(c, -1).T
        factors, piv = self._factor(conf, keep)
        x, info = lapack.dgbtrs(factors, self._kl, self._kl, rhs[self._order], piv)
        return x[self._new].T.reshape((c,) + conf.shape).astype(np.float32)

    def solve(self, hint_ab: np.ndarray, mask: np.ndarray, sweeps: tuple = SWEEPS,
              reach: float | None = None, hard: bool = False) -> np.ndarray:
        """hint_ab (2, h, w) valid where mask (h, w) > 0 -> (2, h, w) chroma of the whole photo
        (any number of channels propagates the same way: (c, h, w) -> (c, h, w)).

        ``sweeps``: Jacobi sweeps at the finest level, the next, ... (the last repeats).
        ``reach``: if given, the system is screened: each unhinted pixel is its neighbours'
        mean times 1 / (1 + 1 / reach^2) (finest-level pixels), so the solution fades towards 0
        away from the hints (over about 0.6 reach on a flat image) and, above all, hardly
        crosses a strong edge that the hints do not reach on both sides.
        ``hard``: on coarse levels too, a pixel with any hinted share is held to the mean of
        its hinted part (instead of in proportion to that share).
        """
        mask = np.asarray(mask, np.float32)
        if not (mask > 0).any():
            return np.zeros((len(hint_ab),) + mask.shape, np.float32)
        hs, ms = [np.asarray(hint_ab, np.float32) * mask], [mask]
        for _ in self.levels[1:]:
            hs.append(_half(hs[-1])); ms.append(_half(ms[-1]))
        u = None
        coarsest = len(self.levels) - 1
        for lv in range(coarsest, -1, -1):
            conf, keep = self._constraints(ms[lv], mask, lv, reach, hard)
            hab = hs[lv] / np.maximum(ms[lv], 1e-6)
            if u is None:
                u = self._coarse_solve(hab, conf, keep)
                continue
            h, w = self.levels[lv].shape
            u = np.stack([cv2.resize(c, (w, h), interpolation=cv2.INTER_LINEAR) for c in u])
            n_sweeps = sweeps_at(sweeps, lv)
            if n_sweeps and h * w <= STACKED_SWEEP_PIXELS:
                c = len(u)
                fixed, conf = stacked(hab), stacked(np.broadcast_to(conf, u.shape))
                wts = self.stacked_weights(lv, c)
                for _ in range(n_sweeps):
                    u = sweep_stacked(u, wts, fixed, conf, keep)
                u = np.ascontiguousarray(u)
            elif n_sweeps:
                ut, ct, ft = torch.from_numpy(u), torch.from_numpy(conf)[None], torch.from_numpy(hab)
                with torch.inference_mode():
                    for _ in range(n_sweeps):
                        ut = jacobi_sweep(ut, self.wts[lv], ft, ct, keep)
                u = ut.numpy()
        return u

    def stacked_weights(self, lv: int, channels: int) -> list[np.ndarray]:
        """Level ``lv``'s 8 neighbour weights for :func:`sweep_stacked` on ``channels`` planes
        (:func:`stacked`). Kept for one and two planes (the chroma's solves, on every preview);
        made anew for more (hint reach "region" solves one plane per colour group, so keeping
        every count it meets would hold up to ~10 MB)."""
        key = (lv, channels)
        wts = self._stacked_wts.get(key)
        if wts is None:
            shape = (channels,) + self.levels[lv].shape
            wts = [stacked(np.broadcast_to(wk.numpy(), shape)) for wk in self.wts[lv]]
            if channels <= 2:
                self._stacked_wts[key] = wts
        return wts
