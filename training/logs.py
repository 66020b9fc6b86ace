"""The training log (CSV, truncated to the checkpoint on resume), its loss-curve plot, and
what the command lines log."""
from __future__ import annotations

import csv
import logging
from pathlib import Path

from net.retraining import PROGRESS_PREFIX, duration_text, parts_words

LOG_HEADER = "step,train_loss,val_loss,images_per_s,lr,wall_seconds\n"


def cli_logging() -> None:
    """The command lines' messages (the ``colorizer.*`` loggers) at INFO on stderr; other
    libraries' only from WARNING (matplotlib's "generated new fontManager" reached the app's
    retrain log)."""
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("colorizer").setLevel(logging.INFO)


def append_log_row(csv_path: Path, step: int, lr: float, wall: float, train_loss: float | None = None,
                   val_loss: float | None = None, images_per_s: float | None = None) -> None:
    """One row of the training log (LOG_HEADER's columns); a missing value stays empty."""
    def cell(v, fmt):
        return "" if v is None else format(v, fmt)
    with open(csv_path, "a") as f:
        f.write(f"{step},{cell(train_loss, '.6f')},{cell(val_loss, '.6f')},"
                f"{cell(images_per_s, '.2f')},{lr:.3g},{wall:.1f}\n")


def progress_line(step: int, steps: int, train_loss: float | None, val_loss: float | None,
                  crops_per_s: float, seconds_left: float | None) -> str:
    """What a run without a progress bar (in a pipe, a log file, the app's window) logs at each
    validation: "step 500 of 5000 (10 %): training loss 0.0123, validation loss 0.0021,
    12.3 crops/s, about 35 min 10 s left"."""
    parts = [f"training loss {train_loss:.4f}" if train_loss is not None else "",
             f"validation loss {val_loss:.4f}" if val_loss is not None else "",
             f"{crops_per_s:.1f} crops/s", time_left_text(seconds_left)]
    return (f"{PROGRESS_PREFIX}{step} of {steps} ({100 * step // steps} %): "
            + ", ".join(p for p in parts if p))


def time_left_text(seconds: float | None) -> str:
    """"about 35 min 10 s left" (the app's way of writing durations); "" when not known or
    nothing is left."""
    if seconds is None or not 0 < seconds < float("inf"):
        return ""
    return f"about {duration_text(seconds)} left"


def start_log(csv_path: Path, step: int) -> None:
    """A fresh log, or on resume the old one without rows written after the checkpoint."""
    rows = []
    if step > 0 and csv_path.exists():
        with open(csv_path, newline="") as f:
            rows = [r for r in csv.reader(f)][1:]
        rows = [r for r in rows if r and r[0].isdigit() and int(r[0]) <= step]
    text = LOG_HEADER + "".join(",".join(r) + "\n" for r in rows)
    from net.atomic import write_text_atomic
    write_text_atomic(csv_path, text)


# How the loss curve names what trains (net.retraining.parts_words) and what it measures (the
# app's retraining window shows the plot to users, who do not know "hnet (blurred_mse)").
STAGE_NAMES = {"rtnet": "RTNet", "local": "local model", "affinity": "learned affinities"}
LOSS_NAMES = {"blurred_mse": "blurred squared colour error", "psnr": "PSNR-weighted squared error",
              "mse": "squared colour error", "l1": "absolute colour error",
              "huber": "Huber colour error", "rebalanced_ce": "rebalanced cross-entropy"}


def curve_title(stage: str, parts: str | None, folders: list[str], loss: str) -> tuple[str, str]:
    """(title, y label) of a run's loss plot, e.g. ("Training the hint network + colouring
    network on forests", "blurred squared colour error (lower is better)")."""
    if stage == "hnet":
        what = parts_words(parts)
    else:
        what = STAGE_NAMES.get(stage, stage)
    names = [Path(f).resolve().name for f in folders]
    title = f"Training the {what} on {', '.join(n for n in names if n) or 'photos'}"
    return title, f"{LOSS_NAMES.get(loss, loss)} (lower is better)"


def plot_curves(csv_path: Path, png_path: Path, title: str, ylabel: str = "loss") -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from net.atomic import atomic_path

    steps, train, vsteps, val = [], [], [], []
    with open(csv_path, newline="") as f:
        for row in csv.DictReader(f):
            if row["train_loss"]:
                steps.append(int(row["step"])); train.append(float(row["train_loss"]))
            if row["val_loss"]:
                vsteps.append(int(row["step"])); val.append(float(row["val_loss"]))
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    if train:       # (a lone point, e.g. a 1-step run's, is a line of no length: marked)
        ax.plot(steps, train, label="training", alpha=0.8, marker="o" if len(train) == 1 else None)
    if val:
        ax.plot(vsteps, val, "o-", label="validation")
    ax.set_xlabel("step"); ax.set_ylabel(ylabel); ax.set_yscale("log"); ax.set_title(title)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))  # no 2.5 steps
    ax.grid(alpha=0.3); ax.legend()
    fig.tight_layout()
    with atomic_path(png_path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
