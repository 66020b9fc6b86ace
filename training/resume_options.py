"""What ``--resume`` keeps: the options that define a run come back from the run's ``args.json``.

A run is its data, its model and its schedule: a resume that took the command line's defaults
for what it leaves out (``--steps`` back to 5000, another learning rate) would quietly train
another run under the old one's name, its cosine schedule restarted halfway. So a resume takes
each of :data:`RUN_OPTIONS` from the run when the command line leaves it out, and refuses one
given with another value (one line, naming the option), except the run's length
(:data:`EXTENDABLE`: given anew, the run goes on to the new end, its schedule stretched to it,
which the log says). The rest (threads, workers, device, precision, how often to validate or
checkpoint, snapshots, progress bars) may change.
"""
from __future__ import annotations

import argparse
import logging
import os

from net.retraining import ARGS_NAME, RETRAIN_WINDOW_ENV, run_options

from .checkpoint import CheckpointError
from .data import Source

log = logging.getLogger("colorizer.train")

RUN_OPTIONS = ("data", "val", "vgg", "init", "steps", "batch", "size", "lr", "train", "loss",
               "max_side", "limit", "seed", "width", "propagation", "no_semantic",
               "no_classifier", "correction_loss", "cls_weight", "warm_start", "time_limit",
               "hue_turn", "auto_width", "pretrain_steps", "val_count")
PATH_OPTIONS = ("data", "val", "vgg", "init", "warm_start")   # resolved against the run's folder
EXTENDABLE = ("steps", "time_limit")     # a resume may give these anew: a longer or shorter run


def how_to_resume(stage: str, out) -> str:
    """How whoever reads the trainer's output continues a stopped run: with the window's Resume
    when the app's retraining window runs the trainer (a walkthrough read "--resume" in its
    log), else with the command."""
    if os.environ.get(RETRAIN_WINDOW_ENV):
        return "Resume in the retraining window continues it"
    return f"continue it with colorizer-train {stage} --out {out} --resume"


def given_options(build_parser, argv) -> set[str]:
    """The options the command line ``argv`` sets itself (not left at their defaults)."""
    parser = build_parser()
    for action in parser._actions:
        action.default = argparse.SUPPRESS
    return set(vars(parser.parse_args(argv)))


def _flag(key: str) -> str:
    return "--" + key.replace("_", "-")


def _shown(key: str, value) -> str:
    """An option's value as the command line writes it ("with --correction-loss")."""
    if isinstance(value, bool):
        return f"{'with' if value else 'without'} {_flag(key)}"
    if value is None:
        return f"without {_flag(key)}"
    if isinstance(value, list):
        value = " ".join(str(v) for v in value) or "(none)"
    return f"with {_flag(key)} {value}"


def _resolved(key: str, value, base: str):
    """A path option's value (``data``'s "DIR:WEIGHT" entries too) made absolute against the
    folder ``base`` it was given in; other options as they are."""
    if key not in PATH_OPTIONS or value is None:
        return value
    if isinstance(value, list):
        return [_resolved(key, v, base) for v in value]
    text = str(value)
    head = Source.parse(text).path if key == "data" else text
    return os.path.normpath(os.path.join(base, head)) + text[len(head):]


def _same(a, b) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, str) and isinstance(b, str):
        return os.path.normcase(a) == os.path.normcase(b)
    if isinstance(a, float) or isinstance(b, float):
        try:
            return a is not None and b is not None and float(a) == float(b)
        except (TypeError, ValueError):
            return False
    return a == b


def keep_run_options(args, given: set[str]) -> None:
    """Fill ``args`` (a ``--resume``) with the run's own options where the command line left them
    out; CheckpointError when one is given with another value than the run's."""
    saved = run_options(args.out)
    if saved is None:
        log.warning("%s has no readable %s: the run's options are this command line's (the "
                    "defaults for any left out)", args.out, ARGS_NAME)
        return
    here, there = os.getcwd(), str(saved.get("cwd") or os.getcwd())
    if saved.get("stage", args.stage) != args.stage:
        raise CheckpointError(f"{args.out} is a {saved['stage']!r} run, not {args.stage!r}; "
                              f"use a different --out")
    for key in RUN_OPTIONS:
        if key not in saved:
            continue
        saved[key] = _resolved(key, saved[key], there)
        if key in given:
            setattr(args, key, _resolved(key, getattr(args, key), here))
            if key in EXTENDABLE and not _same(getattr(args, key), saved[key]):
                log.warning("%s was started %s; it now runs %s (its learning-rate schedule "
                            "follows)", args.out, _shown(key, saved[key]),
                            _shown(key, getattr(args, key)))
            elif not _same(getattr(args, key), saved[key]):
                raise CheckpointError(
                    f"{args.out} was started {_shown(key, saved[key])}; resume it the same way "
                    f"(or leave {_flag(key)} out: a resume keeps the run's own)")
        else:
            setattr(args, key, saved[key])
