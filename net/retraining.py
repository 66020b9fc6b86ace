"""What the trainer and the app's retraining window agree on about a user's photo folder."""
from __future__ import annotations

import os

from .formats import is_photo_name

# Fewer photos than this and adapting the decoder too is not worth it. Measured (sessions 14-15,
# README "Retraining on a few photos"): the app's retraining (1000 steps) of the default model on
# 19, 50, 100, 200, 500 and 1000 forest photos, scored on 40 unseen forest photos: with the
# decoder -0.3..-1.7 dB (19), -0.3..-1.3 (50), -0.1..+0.3 (100), 0.0..+0.3 (200), 0.0..+0.5
# (500), +0.1..+0.6 (1000) against the default model; the palette network alone -0.1..+0.2 at
# every size, better than the decoder below 200, level at 200, below it at 500 (by 0.02-0.26)
# and 1000, and it costs other kinds of photos far less (a decoder adapted to 100-1000 forests
# loses 0.1-1.2 dB on photos-val, the palette network alone at most 0.1).
FEW_PHOTOS = 500


def count_photos(folder: str | os.PathLike, stop_at: int = FEW_PHOTOS) -> int:
    """Photos (by file extension) under ``folder``, recursively; counting stops at
    ``stop_at``. 0 for a folder without photos or a path that is not a folder."""
    n = 0
    for _, _, files in os.walk(folder):
        n += sum(1 for f in files if is_photo_name(f))
        if n >= stop_at:
            return stop_at
    return n
