"""What the trainer and the app's retraining window agree on about a user's photo folder."""
from __future__ import annotations

import os

from .formats import is_photo_name

# Fewer photos than this and a decoder adapted to them learns them by heart. Measured (session
# 14, README "Retraining on a few photos"): the app's retraining (1000 steps) of the default
# model on 19 forest photos with the decoder more than doubled the validation loss (0.0038 ->
# 0.0082) and cost 0.3-1.7 dB on 40 unseen forest photos, the palette network alone
# -0.02..+0.12; with 200 forest photos the decoder gained +0.01-0.34 dB there, with 1000
# +0.07-0.58. 100 lies between the harmful 19 and the helpful 200.
FEW_PHOTOS = 100


def count_photos(folder: str | os.PathLike, stop_at: int = FEW_PHOTOS) -> int:
    """Photos (by file extension) under ``folder``, recursively; counting stops at
    ``stop_at``. 0 for a folder without photos or a path that is not a folder."""
    n = 0
    for _, _, files in os.walk(folder):
        n += sum(1 for f in files if is_photo_name(f))
        if n >= stop_at:
            return stop_at
    return n
