"""What the trainer and the app's retraining window agree on about a user's photo folder."""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

from .atomic import write_text_atomic
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


# How the app and the trainer's loss plot name the parts a run trains (users do not know
# "hnet,decoder"): the values of ``colorizer-train hnet --train`` and of a sidecar's "trained".
PART_NAMES = {"hnet": "hint network", "decoder": "colouring network", "gray": "gray branch",
              "vgg": "VGG16 blocks", "affinity": "learned affinities"}


def parts_words(parts: str | None) -> str:
    """``"hnet,decoder"`` -> ``"hint network + colouring network"`` (unknown names kept)."""
    return " + ".join(PART_NAMES.get(x, x) for x in (parts or "hnet").split(",") if x)


# After adapting a model, the trainer scores the model it started from and the new one on
# photos the run held out from training (training/held_out.py) and writes the result here, in
# the run folder; the app's retraining window reads it to say whether the retraining helped.
PROGRESS_PREFIX = "step "    # the trainer's progress lines start so (the window has its own bar)
HELD_OUT_NAME = "held_out.json"
CKPT_NAME = "checkpoint.pt"  # a run's resumable state (the app deletes it when a run has finished)
ARGS_NAME = "args.json"      # a run's options, written when it starts (a resume keeps them)
MODEL_NAME = "model.safetensors"   # a finished run's model
# Set in the environment of the trainer the app's retraining window runs: the trainer then says
# how to go on in the window's words (its Resume button), not with a command line.
RETRAIN_WINDOW_ENV = "COLORIZER_RETRAIN_WINDOW"
HELD_OUT_SHARE = 20          # without --val, every 20th photo of a folder is held out of training
FEW_HELD_OUT = 5             # a verdict on fewer held-out photos is called a rough check
WORSE_AT_A_COUNT = 0.05     # dB a retrained model may lose at one hint count and still count
MAX_COUNTS = 32             # hint counts a score file may hold (the trainer writes 3)
# A mean change smaller than this (dB) is no measurable difference, not a better or worse model.
# Measured (README, "Did it help?"): a palette-network run scored +0.12..+0.28 dB on its 3
# held-out photos where 40 unseen photos of the kind saw -0.02..-0.10; and on 40 photos,
# decoder and palette runs within -0.08..+0.11 of each other colour alike ("Retraining on a few
# photos"). So a gain of a few hundredths, on one photo above all, is noise.
NOISE_DB = 0.1
BETTER, LEVEL, WORSE = "better", "level", "worse"     # HeldOutScores.outcome


@dataclass(frozen=True)
class HeldOutScores:
    """PSNR (dB) of the starting model (``before``) and the adapted one (``after``) on
    ``photos`` held-out photos, with each count of ``hints`` (the evaluation protocol)."""
    photos: int
    hints: tuple[int, ...]
    before: tuple[float, ...]
    after: tuple[float, ...]

    def __post_init__(self):
        if not (0 < len(self.hints) == len(self.before) == len(self.after) <= MAX_COUNTS) \
                or self.photos < 1:
            raise ValueError("held-out scores need one before and one after per hint count")
        if not all(math.isfinite(x) for x in self.before + self.after):
            raise ValueError("held-out scores must be finite numbers")

    @property
    def gain(self) -> float:
        """Mean change in dB over the hint counts (positive: the adaptation helped)."""
        return sum(a - b for a, b in zip(self.after, self.before)) / len(self.hints)

    @property
    def helped(self) -> bool:
        """Whether the adapted model did better: on average by at least the 0.01 dB the summary
        shows, and at no hint count worse by more than :data:`WORSE_AT_A_COUNT`. (A model that
        colours better without hints but worse with them is no better for painting hints: the
        50-photo decoder run of "Retraining on a few photos" scored +0.66 / -0.15 / -0.32 dB
        at 0 / 5 / 20 hints on its 3 held-out photos, +0.06 on average, and lost 0.64-1.16 dB
        on 40 unseen photos of the kind.)"""
        return round(self.gain, 2) > 0 and self.worst_loss()[1] <= WORSE_AT_A_COUNT

    @property
    def outcome(self) -> str:
        """How the adapted model compares, in words a user can trust: :data:`BETTER` (it
        :attr:`helped`, by at least :data:`NOISE_DB` on average), :data:`LEVEL` (no measurable
        difference on average and no hint count lost more than :data:`WORSE_AT_A_COUNT`), else
        :data:`WORSE` (:meth:`verdict` says why)."""
        gain = round(self.gain, 2)
        if self.helped and gain >= NOISE_DB:
            return BETTER
        if abs(gain) < NOISE_DB and self.worst_loss()[1] <= WORSE_AT_A_COUNT:
            return LEVEL
        return WORSE

    def worst_loss(self) -> tuple[int, float]:
        """(hint count, dB lost there) where the adapted model did worst against the starting
        one, rounded to the 0.01 dB the summary shows (negative: it gained everywhere)."""
        lost, count = max((round(b - a, 2), h)
                          for h, b, a in zip(self.hints, self.before, self.after))
        return count, lost

    def verdict(self) -> str:
        """Why the adapted model counts as no better (empty when it helped): "worse" when its
        mean dropped (by how much, and where it lost most if that was more), else the hint
        count it lost most at when that loss decided it, else "not better on average".
        (Session 24's walk: +0.09 / 0.00 / -0.10 dB at 0 / 5 / 20 hints, +0.00 on average, was
        "not better on average", as if it had been no different; session 32's: a run 0.10 dB
        worse on average and 0.39 worse with 20 hints was called "no better".)"""
        if self.helped:
            return ""
        count, lost = self.worst_loss()
        mean = round(self.gain, 2)
        at_count = f"{lost:.2f} dB worse with {count} hint{'s' if count != 1 else ''}"
        if mean < 0:
            on_average = f"{-mean:.2f} dB worse on average"
            return on_average + (f", {at_count}" if lost > -mean + 0.005 else "")
        if lost > WORSE_AT_A_COUNT:
            return at_count
        return "not better on average"

    @property
    def worse(self) -> bool:
        """Whether the adapted model scored lower on average (to the 0.01 dB shown)."""
        return round(self.gain, 2) < 0

    def summary(self) -> str:
        """One sentence a user can read: the counts, before and after (and, on fewer than
        :data:`FEW_HELD_OUT` photos, that it is a rough check)."""
        counts = " / ".join(str(h) for h in self.hints)
        fmt = lambda xs: " / ".join(f"{x:.2f}" for x in xs)  # noqa: E731
        on = ("on the one photo it did not train on" if self.photos == 1 else
              f"on {self.photos} of the photos it did not train on")
        rough = (f"; {'one photo is' if self.photos == 1 else f'{self.photos} photos are'} only a "
                 f"rough check: a run holds out one photo in {HELD_OUT_SHARE} of its folder, at "
                 f"least one" if self.photos < FEW_HELD_OUT else "")
        return (f"{on}, with {counts} hints: {fmt(self.before)} dB before, {fmt(self.after)} dB "
                f"after ({round(self.gain, 2) + 0.0:+.2f} dB on average; higher is better{rough})")

    def brief(self, before: str | None = None) -> str:
        """The verdict in one line, for lists: "+0.23 dB against local on 12 photos it did not
        train on (better)" (the same outcome the retraining window gives); ``before``: the name
        of the model it started from, if known (retrained models build on each other)."""
        n = f"{self.photos} photo{'s' if self.photos != 1 else ''}"
        word = {BETTER: "better", LEVEL: "no measurable difference"}.get(
            self.outcome, f"{'worse' if self.worse else 'no better'}: {self.verdict()}")
        against = before or "the model it started from"
        return (f"{round(self.gain, 2) + 0.0:+.2f} dB against {against} on {n} "
                f"it did not train on ({word})")

    def to_dict(self) -> dict:
        return {"photos": self.photos, "hints": list(self.hints),
                "before": [round(x, 4) for x in self.before],
                "after": [round(x, 4) for x in self.after]}

    @classmethod
    def from_dict(cls, d: dict) -> "HeldOutScores":
        try:
            lists = [d[k] for k in ("hints", "before", "after")]
            if not all(isinstance(v, list) and len(v) <= MAX_COUNTS for v in lists):
                raise TypeError("hints, before and after must be short lists")
            return cls(int(d["photos"]), tuple(int(h) for h in d["hints"]),
                       tuple(float(x) for x in d["before"]), tuple(float(x) for x in d["after"]))
        except (KeyError, TypeError, ValueError, OverflowError) as e:
            raise ValueError(f"not a held-out score: {e}") from None


def read_held_out(run_dir: str | os.PathLike) -> HeldOutScores | None:
    """The held-out scores a run wrote, or None when it wrote none or the file is unreadable
    (a run without held-out photos, an older trainer)."""
    try:
        with open(Path(run_dir) / HELD_OUT_NAME, encoding="utf-8") as f:
            return HeldOutScores.from_dict(json.load(f))
    except (OSError, ValueError, RecursionError):     # (JSON errors are ValueErrors)
        return None


def run_options(run_dir: str | os.PathLike) -> dict | None:
    """The options the run in folder ``run_dir`` was started with (its args.json), or None."""
    try:
        options = json.loads((Path(run_dir) / ARGS_NAME).read_text())
    except (OSError, ValueError):
        return None
    return options if isinstance(options, dict) else None


def duration_text(seconds: float) -> str:
    """How the trainer and the app's window write a duration: "45 s", "3 min 05 s", "1 h 02 min"."""
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


@dataclass(frozen=True)
class StoppedRun:
    """A run that stopped before its end with its checkpoint kept: ``--resume`` continues it."""
    path: Path             # the run folder
    steps: int             # the run's length
    init: str | None       # the model it started from
    train: str             # what it adapts (--train)


def stopped_run(runs_dir: str | os.PathLike, photos: str | os.PathLike) -> StoppedRun | None:
    """The newest retraining (``hnet``) run in ``runs_dir`` on the one photo folder ``photos``
    that stopped before its end (a checkpoint and no model), or None."""
    want = os.path.normcase(os.path.abspath(photos))
    found: list[tuple[float, StoppedRun]] = []
    try:
        runs = [d for d in Path(runs_dir).iterdir() if d.is_dir()]
    except OSError:
        return None
    for run in runs:
        ckpt = run / CKPT_NAME
        if not ckpt.is_file() or (run / MODEL_NAME).exists():
            continue
        args = run_options(run)
        try:
            data = args["data"]
            if args.get("stage") != "hnet" or len(data) != 1 or \
                    os.path.normcase(os.path.abspath(data[0])) != want:
                continue
            found.append((ckpt.stat().st_mtime, StoppedRun(
                run, int(args["steps"]), args.get("init"), str(args.get("train", "hnet")))))
        except (OSError, ValueError, KeyError, TypeError):     # (None: no readable options)
            continue
    return max(found, key=lambda f: f[0])[1] if found else None


def _init_of(options: dict) -> Path | None:
    """The model a run's options name as its start (``init``), made absolute against the folder
    it ran in; None without one."""
    init = options.get("init")
    if not isinstance(init, str) or not init:
        return None
    return _real(os.path.join(str(options.get("cwd") or ""), init))


def _real(path: str | os.PathLike) -> Path:
    return Path(os.path.normcase(os.path.realpath(path)))


def stopped_runs_from(runs_dir: str | os.PathLike, start: str | os.PathLike) -> list[Path]:
    """The runs in ``runs_dir`` that stopped before their end (Resume continues them) and
    started from the weights file ``start``, or from weights in the folder ``start``: at their
    end they measure against those weights."""
    want = _real(start)
    try:
        runs = sorted(d for d in Path(runs_dir).iterdir() if d.is_dir())
    except OSError:
        return []
    found = []
    for run in runs:
        if not (run / CKPT_NAME).is_file() or (run / MODEL_NAME).exists():
            continue
        init = _init_of(run_options(run) or {})
        if init is not None and (init == want or init.is_relative_to(want)):
            found.append(run)
    return found


def repoint_runs(runs_dir: str | os.PathLike, old: str | os.PathLike,
                 new: str | os.PathLike) -> None:
    """The weights file or folder ``old`` moved to ``new`` (a retrained model renamed): the
    stopped runs that started from weights there are told, so their end still measures
    against them."""
    for run in stopped_runs_from(runs_dir, old):
        options = run_options(run)
        init = _init_of(options or {})
        if options is None or init is None:        # (changed since it was read)
            continue
        options["init"] = str(Path(os.path.abspath(new)) / init.relative_to(_real(old)))
        try:
            write_text_atomic(run / ARGS_NAME, json.dumps(options, indent=2))
        except OSError:
            continue            # (that run's end then cannot measure: it says so)
