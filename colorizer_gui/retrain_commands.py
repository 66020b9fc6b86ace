"""The trainer's command lines the retraining window runs (``python -m training.train ...``):
a new run on a folder, and the resume of a run that stopped."""
from __future__ import annotations

from pathlib import Path

from net.retraining import StoppedRun


def train_command(folder: str, init: str | None, out: Path, steps: int,
                  decoder: bool) -> list[str]:
    """A new run of ``steps`` steps adapting the model ``init`` to the photos in ``folder``
    (and its decoder, if ``decoder``), into the run folder ``out``."""
    return ["-m", "training.train", "hnet", "--data", str(Path(folder).absolute()),
            "--init", str(init), "--out", str(out), "--steps", str(steps), *reporting(steps),
            "--train", "hnet,decoder" if decoder else "hnet"]


def resume_command(run: StoppedRun) -> list[str]:
    """Continue ``run``: the trainer takes its photos, model, steps and parts from the run."""
    return ["-m", "training.train", "hnet", "--out", str(run.path), "--resume",
            *reporting(run.steps)]


def reporting(steps: int) -> list[str]:
    """How a run of ``steps`` steps reports to the window: a log the window reads, a loss
    curve redrawn ten times, a checkpoint every 50 steps (what Stop and a quit keep)."""
    return ["--no-progress", "--val-every", str(max(10, steps // 10)), "--ckpt-every", "50"]
