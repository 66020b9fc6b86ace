"""What the retraining window says: the folder field's status, a run's name, the verdict on a
finished run; and what it reads from a run's training log."""
from __future__ import annotations

import csv
import re
import time
from pathlib import Path

from net.formats import FORMATS
from net.retraining import BETTER, FEW_PHOTOS, LEVEL, HeldOutScores

CHOOSE_FOLDER = "Choose a folder of colour photos (yours: similar subjects work best)."
NO_PHOTOS = f"That folder holds no photos ({', '.join(f.label for f in FORMATS)})."
NO_FOLDER = "That folder does not exist."
NOT_STARTED = "Not started"     # the progress bar before a run


def photos_text(n: int) -> str:
    return f"{n} photo{'s' if n != 1 else ''}"


def run_name(folder: str) -> str:
    """A retrained model's name (its run folder): the photos' folder and when, so the Model menu
    says what each one was trained on ("forests-20261202-0612")."""
    stem = re.sub(r"[^\w.-]+", "-", Path(folder).name).strip("-.")[:40] or "photos"
    return f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"


def folder_status(folder: str, is_dir: bool, n: int) -> str:
    """What the window says of the folder field: missing, empty, or how many photos."""
    if not folder:
        return CHOOSE_FOLDER
    if not is_dir:
        return NO_FOLDER
    if n == 0:
        return NO_PHOTOS
    many = f"{FEW_PHOTOS} or more photos" if n >= FEW_PHOTOS else photos_text(n)
    return f"{many} found. Press Start to adapt the model to them."


def measured_text(scores: HeldOutScores | None, before: str) -> str:
    """How the new model coloured the photos the run held out, against ``before`` (the name of
    the model it started from); a difference within the noise is called none."""
    if scores is None:
        return ("It could not be measured on photos it did not train on (too few photos to "
                "hold some out, or the measurement failed: see the log).")
    if scores.outcome == BETTER:
        return f"It colours your photos better than {before}: {scores.summary()}."
    if scores.outcome == LEVEL:
        return (f"It colours your photos about as well as {before} (no measurable "
                f"difference): {scores.summary()}.")
    return (f"It colours your photos no better than {before} ({scores.verdict()}): "
            f"{scores.summary()}.")


def last_step(csv_path: Path) -> tuple[int, str]:
    """(latest step, latest loss text) from a training log, (0, '') when absent."""
    try:
        with open(csv_path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError:
        return 0, ""
    if not rows:
        return 0, ""
    r = rows[-1]
    try:
        return int(r["step"]), r.get("train_loss", "")
    except (KeyError, ValueError):
        return 0, ""
