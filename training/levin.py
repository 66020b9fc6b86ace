"""The classical baseline: Levin, Lischinski and Weiss 2004, "Colorization using Optimization".

Each unhinted pixel's chroma is the affinity-weighted mean of its 3x3 neighbours,
with affinities exp(-(Y_r - Y_s)^2 / (2 sigma_r^2)) from the luminance; hinted
pixels are fixed. One sparse linear solve (factorised once, used for both a and b).
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla


def levin_colorize(y: np.ndarray, hint_ab: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """y: HxW luminance in [0, 1]; hint_ab: (2, H, W); mask: HxW bool. Returns (2, H, W)."""
    h, w = y.shape
    n = h * w
    hinted = mask.reshape(-1).astype(bool)
    if not hinted.any():
        return np.zeros((2, h, w), np.float32)
    y = y.astype(np.float64)
    pad = np.pad(y, 1, mode="edge")
    offsets = [(di, dj) for di in (-1, 0, 1) for dj in (-1, 0, 1) if (di, dj) != (0, 0)]
    neigh = np.stack([pad[1 + di:1 + di + h, 1 + dj:1 + dj + w] for di, dj in offsets])
    win = np.concatenate([neigh, y[None]], axis=0)
    var = win.var(axis=0) * 0.6
    diff2 = (neigh - y[None]) ** 2
    mgv = diff2.min(axis=0)
    var = np.maximum(var, -mgv / np.log(0.01))
    var = np.maximum(var, 2e-6)
    wts = np.exp(-diff2 / var[None])
    ii, jj = np.mgrid[0:h, 0:w]
    valid = np.stack([(ii + di >= 0) & (ii + di < h) & (jj + dj >= 0) & (jj + dj < w)
                      for di, dj in offsets])
    wts = wts * valid
    wts /= np.maximum(wts.sum(axis=0, keepdims=True), 1e-12)
    rows, cols, vals = [np.arange(n)], [np.arange(n)], [np.ones(n)]
    idx = np.arange(n).reshape(h, w)
    free = ~hinted
    for k, (di, dj) in enumerate(offsets):
        v = valid[k].reshape(-1) & free
        src = idx.reshape(-1)[v]
        tgt = (idx + di * w + dj).reshape(-1)[v]
        rows.append(src); cols.append(tgt); vals.append(-wts[k].reshape(-1)[v])
    A = sp.csc_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                      shape=(n, n))
    rhs = np.zeros((n, 2))
    rhs[hinted] = hint_ab.reshape(2, -1).T[hinted]
    sol = spla.splu(A).solve(rhs)
    return sol.T.reshape(2, h, w).astype(np.float32)
