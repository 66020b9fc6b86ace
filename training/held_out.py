"""Did an adaptation help? The starting model and the adapted one on held-out photos.

At the end of an ``hnet`` run (which adapts its ``--init`` model to a folder of photos) the
trainer scores both models on photos the run did not train on: its validation photos, i.e.
every 20th photo of the training folders, or the ``--val`` folders. The scores follow the
evaluation protocol (docs/DESIGN.md section 4: 256x256, random 6x6 hint patches of the true
colour, fixed seeds) through the app's own inference path, at :data:`HINTS` hint counts. They
go to ``RUN/held_out.json`` (:class:`net.retraining.HeldOutScores`) and into the new model's
sidecar; the app's retraining window reads them to tell the user whether retraining helped,
and keeps the model it started from when it did not.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from net.atomic import write_text_atomic
from net.retraining import BETTER, HELD_OUT_NAME, LEVEL, HeldOutScores
from net.weights import read_sidecar, write_sidecar

from .evaluate import Photo, evenly_spread, method_names, sweep

log = logging.getLogger("colorizer.train")
HINTS = (0, 5, 20)


def score(images: list[np.ndarray], before: str, after: str, limit: int, device="auto",
          hints=HINTS) -> HeldOutScores | None:
    """PSNR of ``before`` and ``after`` (weights files) on up to ``limit`` RGB uint8
    ``images``; None without images."""
    chosen = evenly_spread(images, limit) if limit > 0 else []
    if not chosen:
        return None
    photos = [Photo(None, rgb=im, name=f"held-out {i}") for i, im in enumerate(chosen)]
    names = method_names([str(before), str(after)])
    result = sweep("held-out photos", [str(before), str(after)], levels=tuple(hints),
                   photos=photos, levin=False, progress=False, device=device)
    return HeldOutScores(len(photos), tuple(int(h) for h in hints),
                         tuple(result["psnr"][names[0]]), tuple(result["psnr"][names[1]]))


def record(run_dir: Path, weights: Path, scores: HeldOutScores, before: str) -> None:
    """Write RUN/held_out.json and the same scores (with the starting model's path) into the
    new model's sidecar, both atomically."""
    write_text_atomic(Path(run_dir) / HELD_OUT_NAME, json.dumps(scores.to_dict(), indent=2) + "\n")
    meta = read_sidecar(weights)
    meta["held_out"] = {**scores.to_dict(), "before_weights": str(before)}
    write_sidecar(weights, meta)


def score_run(run_dir: Path, weights: Path, before: str, images: list[np.ndarray], limit: int,
              device="auto") -> HeldOutScores | None:
    """Score, record and log one finished run (nothing when it held out no photos)."""
    if not images or limit <= 0:
        return None
    n = min(len(images), limit)
    log.info("scoring %s and the new model on %d held-out photo%s", Path(before).name, n,
             "" if n == 1 else "s")
    scores = score(images, before, str(weights), limit, device)
    if scores is None:
        return None
    record(run_dir, weights, scores, before)
    verdict = {BETTER: "better than", LEVEL: "not measurably different from"}.get(
        scores.outcome, f"not better ({scores.verdict()}) than")
    log.info("held-out photos: the new model is %s %s, %s", verdict, Path(before).name,
             scores.summary())
    return scores
