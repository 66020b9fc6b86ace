"""Post-processing levers on a model's output, measured on a validation folder (sessions 19, 20).

Runs the model through the app's path (``training.evaluate.NetworkMethod``) and Levin et al.
2004 on the sweep's photos and hints (the evaluation protocol's seeds), then changes the
outputs after the fact and prints the PSNR of each lever at every hint count. It is how
docs/EXPERIMENTS.md, "Inference-only levers after v4", was measured:

    python3 scripts/inference_levers.py ../shared/data/photos-val \\
        --weights assets/models/local.safetensors --also RUN17/model.safetensors RUN18/model.safetensors

(the oracles pick, per photo, what scored best against the truth: upper bounds, not methods).
"""
from __future__ import annotations

import argparse

import cv2
import numpy as np
import torch

from net.color import AB_SCALE, merge_l_ab
from net.device import pick_device
from training.evaluate import SEED, SWEEP_N, LevinMethod, NetworkMethod, load_photos, psnr
from training.hint_sampling import protocol_hints


def predictions(method: NetworkMethod, photos, circles) -> np.ndarray:
    """(photos, levels, 2, H, W) normalised ab."""
    return np.stack([np.stack(method.predict_levels(p, [c[i] for c in circles]))
                     for i, p in enumerate(photos)])


def guided(l: np.ndarray, ab: np.ndarray, r: int = 2, eps: float = 1e-3) -> np.ndarray:
    g = (l / 100.0).astype(np.float32)
    return np.stack([cv2.ximgproc.guidedFilter(g, ab[c].astype(np.float32), r, eps)
                     for c in range(2)])


def edge_aware(l: np.ndarray, ab: np.ndarray, kind: str) -> np.ndarray:
    """Session 20's smoothing of the chroma along L: the fast global smoother (lambda 20,
    sigma 4 gray levels) or the domain transform (sigma_s 16 px, sigma_r 0.05 of L's range)."""
    if kind == "fgs":
        g = np.clip(l / 100.0 * 255, 0, 255).astype(np.uint8)
        return np.stack([cv2.ximgproc.fastGlobalSmootherFilter(g, ab[c].astype(np.float32), 20, 4)
                         for c in range(2)])
    g = (l / 100.0).astype(np.float32)
    return np.stack([cv2.ximgproc.dtFilter(g, ab[c].astype(np.float32), 16, 0.05) for c in range(2)])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder")
    ap.add_argument("--weights", default="assets/models/local.safetensors")
    ap.add_argument("--also", nargs="*", default=[], help="models whose outputs are averaged in")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    dev = pick_device("cpu")
    photos = load_photos(args.folder, args.limit)
    circles = [[protocol_hints(p.ab_norm, n, np.random.default_rng([SEED, i, li]))
                for i, p in enumerate(photos)] for li, n in enumerate(SWEEP_N)]
    main_pred = predictions(NetworkMethod(args.weights, dev), photos, circles)
    others = [predictions(NetworkMethod(w, dev), photos, circles) for w in args.also]
    levin = LevinMethod(None)
    lev = np.stack([np.stack([levin.predict_one(p, c[i]) for c in circles])
                    for i, p in enumerate(photos)])

    def scores(ab_of) -> np.ndarray:
        """PSNR (photos, levels) of the ab that ab_of(photo index, level index) gives."""
        return np.array([[psnr(merge_l_ab(p.l, ab_of(i, li).transpose(1, 2, 0) * AB_SCALE), p.rgb)
                          for li in range(len(SWEEP_N))] for i, p in enumerate(photos)])

    ours, theirs = scores(lambda i, li: main_pred[i, li]), scores(lambda i, li: lev[i, li])
    blends = [scores(lambda i, li, w=w: (1 - w) * main_pred[i, li] + w * lev[i, li])
              for w in (0.25, 0.5, 0.75)]
    rows = [("model", ours), ("Levin et al. 2004", theirs),
            ("chroma x 0.9", scores(lambda i, li: 0.9 * main_pred[i, li])),
            ("automatic colour x 0.9 (f - 0.1 f0)",
             scores(lambda i, li: main_pred[i, li] - 0.1 * main_pred[i, 0])),
            ("0.8 model + 0.2 Levin", scores(lambda i, li: 0.8 * main_pred[i, li] + 0.2 * lev[i, li])),
            ("guided filter along L (r 2, eps 1e-3)",
             scores(lambda i, li: guided(photos[i].l, main_pred[i, li]))),
            ("fast global smoother along L (lambda 20, sigma 4)",
             scores(lambda i, li: edge_aware(photos[i].l, main_pred[i, li], "fgs"))),
            ("domain transform along L (sigma_s 16, sigma_r 0.05)",
             scores(lambda i, li: edge_aware(photos[i].l, main_pred[i, li], "dt")))]
    if others:
        rows.append((f"output average with {len(others)} more",
                     scores(lambda i, li: (main_pred[i, li] + sum(o[i, li] for o in others))
                            / (1 + len(others)))))
    rows += [("oracle: per photo, the better of model and Levin", np.maximum(ours, theirs)),
             ("oracle: per photo, the best blend (steps of 0.25)",
              np.max(np.stack([ours, theirs, *blends]), axis=0))]
    print(f"{args.folder}: {len(photos)} photos; hints " + " / ".join(map(str, SWEEP_N)))
    for name, s in rows:
        print(f"| {name} | " + " | ".join(f"{v:.2f}" for v in s.mean(axis=0)) + " |")
    below = [(n, int((ours[:, li] < theirs[:, li]).sum())) for li, n in enumerate(SWEEP_N) if n]
    print("photos where the model is below Levin: " + ", ".join(f"{k} at {n}" for n, k in below))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
