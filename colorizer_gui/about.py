"""Help > About: the app's version, the model it colours with (what its sidecar says it scored
and how it was trained), the device and precision, the versions it runs on, and whose work it
follows. Built as text, so it can be checked without showing a dialog."""
from __future__ import annotations

import math
import platform

import PySide6
import torch
from PySide6.QtCore import qVersion

from net.assets import model_label
from net.hint_reach import PHOTO, REGION
from net.device import autocast_for
from net.retraining import HeldOutScores, parts_words
from net.version import __version__

from .help_text import REACH_NAMES

SCORE_HINTS = 10          # the score About quotes: PSNR with this many hints (README, "Results")
CREDITS = ('Networks after Daly and Zhao, "CNN Assisted Colorization of Gray-scale Images"; '
           'hint propagation after Levin et al. 2004; evaluation protocol after Zhang et al. 2017.')


def precision_in_use(colorizer) -> str:
    """The number type the model computes in on its device ("bfloat16", "float32"...)."""
    ctx = autocast_for(colorizer.device, colorizer.precision)
    return str(getattr(ctx, "fast_dtype", torch.float32)).removeprefix("torch.")


def _scored(meta: dict) -> str:
    """One sentence on what the sidecar says the model scored, or ""."""
    try:
        held = HeldOutScores.from_dict(meta["held_out"])      # a model retrained in the app
        return f"Retrained: {held.brief()}."
    except (KeyError, TypeError, ValueError):
        pass
    scores = meta.get("scores")
    for record in scores.values() if isinstance(scores, dict) else ():
        try:
            psnr = float(record["psnr"][record["hints"].index(SCORE_HINTS)])
            photos = int(record["photos"])
            folder = str(record["folder"])
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            continue
        if not math.isfinite(psnr):
            continue
        return (f"Scored {psnr:.2f} dB PSNR with {SCORE_HINTS} hints on {folder} ({photos} "
                f"photos), hints colouring: {REACH_NAMES[PHOTO]} (what the evaluation measures; "
                f"the README's Results give {REACH_NAMES[REGION]}'s scores too).")
    return ""


# What About calls a training run's stage (its sidecar's "stage"; "hnet" runs name their parts).
STAGE_WORDS = {"rtnet": "the colouring network with its palette from the colour photo",
               "local": "the whole model with simulated hints", "affinity": "the learned affinities"}


def _run_text(run: dict) -> str:
    if run.get("stage") == "soup" and isinstance(run.get("of"), list):
        return f"a weight average of {len(run['of'])} models"
    stage, trained = run.get("stage"), run.get("trained")
    if isinstance(trained, str) or stage == "hnet":
        what = "the " + parts_words(trained if isinstance(trained, str) else None)
    else:
        what = STAGE_WORDS.get(stage, str(stage or "?"))
    return f"{what}, {run.get('steps', '?')} steps"


def _trained(meta: dict) -> str:
    """One sentence on how the model was trained (its sidecar's history), or ""."""
    history = meta.get("training_history")
    runs = [r for r in history if isinstance(r, dict)] if isinstance(history, list) else []
    if not runs:
        return ""
    plural = "s" if len(runs) != 1 else ""
    return f"Trained in {len(runs)} run{plural}, the last: {_run_text(runs[-1])}."


def model_lines(colorizer) -> list[str]:
    """The model in use: its name and variant, then what it scored and how it was trained."""
    if colorizer is None:
        return ["Model: none loaded"]
    c = colorizer
    meta = c.meta if isinstance(c.meta, dict) else {}
    variant = f", variant {c.variant}" if c.variant != c.name else ""
    lines = [f"Model: {model_label(c.name, c.variant, c.uses_hints)}{variant}"]
    lines += [f"Weights: {c.path}"] if c.path else []
    about = " ".join(t for t in (_scored(meta), _trained(meta)) if t)
    lines += [about] if about else []
    lines.append(f"Device: {c.device.type}, computing in {precision_in_use(c)}")
    return lines


def about_text(app_name: str, colorizer) -> str:
    """Help > About, for the colorizer in use (a :class:`net.Colorizer`, or None)."""
    return "\n".join([
        f"{app_name} {__version__}", "",
        *model_lines(colorizer), "",
        f"Python {platform.python_version()}, PyTorch {torch.__version__}, "
        f"Qt {qVersion()} (PySide6 {PySide6.__version__})", "",
        CREDITS])
