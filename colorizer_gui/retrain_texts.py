"""What the retraining window says: the folder field's status, a run's name, the verdict on a
finished run; and what it reads from a run's training log."""
from __future__ import annotations

import csv
import re
import time
from pathlib import Path

from net.assets import model_name
from net.formats import FORMATS
from net.retraining import (BETTER, FEW_PHOTOS, LEVEL, HeldOutScores, StoppedRun,  # noqa: F401
                            duration_text, run_options)  # (re-exported: the window's texts use it)

CHOOSE_FOLDER = "Choose a folder of colour photos (yours: similar subjects work best)."
NO_PHOTOS = f"That folder holds no photos ({', '.join(f.label for f in FORMATS)})."
NO_FOLDER = "That folder does not exist."
NOT_STARTED = "Not started"     # the progress bar before a run
STEPS_TIP = ("How long it learns: each step learns from a few of your photos. More steps adapt "
             "the model more and take longer; once it runs, the window says how long is left.")


def photos_text(n: int) -> str:
    return f"{n} photo{'s' if n != 1 else ''}"


def run_name(folder: str) -> str:
    """A retrained model's name (its run folder): the photos' folder and when, so the Model menu
    says what each one was trained on ("forests-20261202-0612")."""
    stem = re.sub(r"[^\w.-]+", "-", Path(folder).name).strip("-.")[:40] or "photos"
    return f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"


def decoder_tip(local: bool) -> str:
    """The decoder box's tooltip, for a local model (``local``) or another (or none). In the
    user's words the palette network is the "hint network" and the decoder the "colouring
    network"."""
    return ("Adapts the colouring network, which paints the photo from your hints, as well as "
            "the hint network, which reads them (measured on scene photos: +0.05-0.4 dB, "
            "against +0.02-0.07 dB for the hint network alone)."
            if local else "Only a local model has a colouring network that sees your hints; "
                          "with this one, only the hint network adapts.")


def folder_status(folder: str, is_dir: bool, n: int) -> str:
    """What the window says of the folder field: missing, empty, or how many photos."""
    if not folder:
        return CHOOSE_FOLDER
    if not is_dir:
        return NO_FOLDER
    if n == 0:
        return NO_PHOTOS
    many = f"{FEW_PHOTOS} or more photos" if n >= FEW_PHOTOS else photos_text(n)
    return (f"{many} found. Press Start to adapt the model to them (it learns from their "
            f"colours: black-and-white photos among them are left out).")


def decoder_note(n: int, ticked: bool) -> str:
    """What the decoder box means for a folder of only ``n`` photos (below FEW_PHOTOS)."""
    why = (f"Only {photos_text(n)}: below {FEW_PHOTOS}, adapting the colouring network too "
           f"colours photos like these no better than the hint network alone, and other photos "
           f"worse")
    if ticked:
        return f"{why}. Untick the box to adapt the hint network alone."
    return (f"{why}, so only the hint network adapts. Tick the box to adapt the colouring "
            f"network anyway.")


def progress_text(step: int, total: int, loss: str, elapsed: float, left: float | None) -> str:
    """The status line while training: where it is, and about how long it has still to go."""
    eta = f", about {duration_text(left)} left" if left is not None and step < total else ""
    return f"Step {step} of {total}, loss {loss} · {duration_text(elapsed)}{eta}"


def stopped_text(run: StoppedRun, step: int, just_now: bool = False) -> str:
    """What the window says of a run on the folder that stopped before its end."""
    at = f"at step {step} of {run.steps}" if step else f"before its first steps (of {run.steps})"
    when = "Stopped" if just_now else f"A run on this folder ({run.path.name}) stopped"
    return (f"{when} {at}. Resume continues it where it stopped (also after the app is "
            f"closed); Start begins a new run.")


def quit_text(folder: str, step: int, total: int) -> str:
    """What quitting the app asks during a run on ``folder`` at ``step`` of ``total``."""
    name = folder or "your photos"
    if not step:       # no checkpoint before its first steps (the photos are being read)
        return f"Retraining on {name} has started. Quit and stop it? It will start over."
    return (f"Retraining on {name} is at step {step} of {total}. Quit and stop it? "
            f"Tools > Retrain on the same folder resumes it where it stopped.")


def verdict_text(seconds: int, run: str, before: str | None, now: str | None, switched: bool,
                 scores: HeldOutScores | None, loaded: bool) -> str:
    """What the window says when run ``run`` has written its model: whether it is loaded and
    why, then (a paragraph of its own: a walkthrough found the two run together hard to read)
    how it coloured the photos it held out from training, against ``before`` (the model it
    started from), where it could measure. ``now``: the app's model; ``switched``: the user
    chose it during the run."""
    done = f"Done in {duration_text(seconds)}."
    listed = f"the Model menu lists it as \"Retrained: {run}\""
    before_name = model_name(before) if before else "the model it started from"
    measured = measured_text(scores, before_name)
    if loaded:
        # Measured (README, "Retraining on a few photos"): a model adapted to a folder
        # colours that kind of photo better and other kinds worse.
        why = (", as it scored higher on average, if only a little"
               if scores is not None and scores.outcome == LEVEL else "")
        return (f"{done} Loaded into the app{why}; {listed}. It is made for photos like "
                f"these: for other photos, {before_name} may colour better.\n\n{measured}")
    now_name = model_name(now) if now else "no model"
    if not switched and now != before:         # a resumed run, started from another model
        return (f"{done} {now_name if now else 'No model'} stays loaded: the run started "
                f"from {before_name}, and was measured against that one; {listed}."
                f"\n\n{measured}")
    if switched:
        return (f"{done} The app uses {now_name} now, chosen during the run, so the new model "
                f"was not loaded; {listed}.\n\n{measured}")
    why = (", as the new one scored no higher"
           if scores is not None and scores.outcome == LEVEL else "")
    return (f"{done} {now_name if now else 'No model'} stays loaded{why}; {listed} if you "
            f"want it anyway.\n\n{measured}")


def verdict_after_choice(seconds: int, run: str, before: str | None, now: str | None,
                         chosen: bool, scores: HeldOutScores | None) -> str:
    """The verdict once the user has chosen another model after the run ended (Manage > Use,
    the Model menu): ``chosen`` says the app now uses the run's model, else ``now``. Its
    first sentence said which model was loaded at the end, which is no longer so."""
    done = f"Done in {duration_text(seconds)}."
    before_name = model_name(before) if before else "the model it started from"
    measured = measured_text(scores, before_name)
    if chosen:
        return (f"{done} In use now, as you chose it (the Model menu lists it as "
                f"\"Retrained: {run}\"). It is made for photos like these: for other photos, "
                f"{before_name} may colour better.\n\n{measured}")
    now_name = model_name(now) if now else "No model"
    return (f"{done} {now_name} is in use now, as you chose it; the Model menu lists the new "
            f"model as \"Retrained: {run}\".\n\n{measured}")


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
    return (f"It colours your photos {'worse' if scores.worse else 'no better'} than {before} "
            f"({scores.verdict()}): {scores.summary()}.")


def training_seconds(csv_path: Path) -> float:
    """The training time a run's log records at its last row (its resumes' sittings summed),
    0 when it records none."""
    try:
        with open(csv_path, newline="") as f:
            rows = list(csv.DictReader(f))
        return max(0.0, float(rows[-1]["wall_seconds"]))
    except (OSError, IndexError, KeyError, TypeError, ValueError):
        return 0.0


def last_step(csv_path: Path) -> tuple[int, str]:
    """(latest step, latest training loss text) from a training log, (0, '') when absent. (A
    row may have no training loss: a validation a few steps after a resume, a stop.)"""
    try:
        with open(csv_path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError:
        return 0, ""
    if not rows:
        return 0, ""
    losses = [r.get("train_loss") for r in rows if r.get("train_loss")]
    try:
        return int(rows[-1]["step"]), losses[-1] if losses else ""
    except (KeyError, ValueError, TypeError):
        return 0, ""


def seconds_per_step(runs: Path, parts: str) -> float | None:
    """How long a step took in the newest run in ``runs`` that adapted ``parts`` ("hnet" or
    "hnet,decoder"): its log's training time over its steps, validations included. The
    window's estimate before Start; None without such a run."""
    newest: tuple[float, float] | None = None
    for log in runs.glob("*/log.csv"):
        options = run_options(log.parent)
        if not options or options.get("train") != parts:
            continue
        step, seconds = last_step(log)[0], training_seconds(log)
        try:
            when = log.stat().st_mtime
        except OSError:
            continue
        if step > 0 and seconds > 0 and (newest is None or when > newest[0]):
            newest = (when, seconds / step)
    return None if newest is None else newest[1]


def estimate_text(steps: int, per_step: float | None) -> str:
    """The time a run of ``steps`` steps should take at ``per_step`` seconds a step ("" when
    no run on this computer has measured one)."""
    if per_step is None:
        return ""
    return f"About {duration_text(steps * per_step)} of training, at your last run's speed"
