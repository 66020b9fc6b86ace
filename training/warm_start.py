"""Starting a new architecture from a trained model, and the colour prior of a training set.

``warm_start`` copies every tensor whose name and shape match; a convolution that only
gained input channels (a decoder stage given a new input) keeps its trained filters for
the old channels and starts at zero on the new ones, so the warm-started network
computes exactly what the old one did until training moves it.
"""
from __future__ import annotations

import logging

import numpy as np
import torch

from net.ab_bins import empirical_prior, rebalance_weights
from net.color import normalize_ab, rgb_to_lab
from net.weights import WeightsError, load_model

log = logging.getLogger("colorizer.train")


def warm_start(model: torch.nn.Module, path: str) -> dict:
    """Copy matching tensors of the weights at ``path`` into ``model``; returns a summary."""
    source, meta = load_model(path)
    src = source.state_dict()
    dst = model.state_dict()
    copied, grown, skipped = [], [], []
    with torch.no_grad():
        for k, t in dst.items():
            s = src.get(k)
            if s is None or k.endswith("num_batches_tracked"):
                continue
            if s.shape == t.shape:
                t.copy_(s)
                copied.append(k)
            elif (s.dim() == 4 and t.dim() == 4 and s.shape[0] == t.shape[0]
                  and s.shape[2:] == t.shape[2:] and s.shape[1] < t.shape[1]):
                t.zero_()
                t[:, :s.shape[1]] = s
                grown.append(k)
            else:
                skipped.append(k)
    if not copied:
        raise WeightsError(f"{path}: no tensor matches the new model; nothing to warm-start from")
    new = [k for k in dst if k not in src and not k.endswith("num_batches_tracked")]
    log.info("warm start from %s: %d tensors copied, %d grown (new input channels at zero), "
             "%d skipped (shape changed), %d new", path, len(copied), len(grown), len(skipped), len(new))
    return {"from": str(path), "copied": len(copied), "grown": grown, "skipped": skipped,
            "new": len(new), "source_history": meta.get("training_history", [])}


def colour_prior_weights(sources: list[list[np.ndarray]], shares: list[float],
                         photos: int = 600, pixels: int = 256, seed: int = 0) -> np.ndarray:
    """Class-rebalancing weights from the empirical ab distribution of the training photos.

    Samples ``photos`` photos (by each source's share) and ``pixels`` random pixels of
    each; deterministic for a given seed.
    """
    rng = np.random.default_rng(seed)
    p = np.asarray(shares, np.float64)
    p = p / p.sum()
    samples = []
    for _ in range(photos):
        src = sources[int(rng.choice(len(sources), p=p))]
        rgb = src[int(rng.integers(len(src)))]
        ii = rng.integers(0, rgb.shape[0], pixels)
        jj = rng.integers(0, rgb.shape[1], pixels)
        lab = rgb_to_lab(np.ascontiguousarray(rgb[ii, jj][None]))[0]
        samples.append(normalize_ab(lab[:, 1:]))
    prior = empirical_prior(np.concatenate(samples))
    return rebalance_weights(prior)
