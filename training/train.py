"""``colorizer-train STAGE``: train a colorization model (the command line).

Stages (one policy object each, :mod:`training.stages`):

* ``rtnet``: the seed RTNet, CNN1 computing the palette from the colour image.
* ``hnet``:  HNet alone, RTNet frozen. For a seed model HNet is distilled to the
  palettes CNN1 computes (the paper); for a local model it is fine-tuned through
  the frozen RTNet. This is the "retrain HNet on my photos" action.
* ``local``: the local variant end to end with simulated hints.
* ``affinity``: a local model's learned affinities, which steer where the residual
  correction spreads each hint (:mod:`net.affinity`); the rest of the model stays frozen.
* ``autoencoder``, ``koala``, ``zhang``, ``pix2pix``: the automatic systems our design
  draws on (:mod:`net.auto_models`), for side-by-side comparison; they ignore hints.

Adam, bf16 autocast where it helps, progress bar, validation every N steps,
atomic checkpoints with ``--resume`` (continues after kill -9), CSV log and a
PNG loss curve, final export to safetensors + JSON sidecar. Runs under
``torchrun`` with DistributedDataParallel (gloo on CPU, NCCL on CUDA). The loop is
in :mod:`training.loop`, the run state in :mod:`training.run`.
"""
from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import sys
import textwrap

from net.weights import WeightsError, read_sidecar

from .checkpoint import CheckpointError
from .data import DataError, Source
from . import train_options
from .logs import cli_logging
from .resume_options import given_options, how_to_resume, keep_run_options
from .loop import Stopped, load_sources, refuse_existing_run, train  # noqa: F401 (re-exported)
from .run import CKPT_NAME, Run  # noqa: F401 (re-exported)
from .stages import STAGES, palette_model_config as model_config  # noqa: F401 (re-exported)
from .stages import NEEDS_VGG, stage_classes

log = logging.getLogger("colorizer.train")


def build_parser(stage: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser (:mod:`training.train_options`); ``stage``: a help of that
    stage's options, under that stage's line of this module's description."""
    return train_options.build_parser(stage, _description(stage))


def _description(stage: str | None) -> str:
    """The first line of this module's description and its list of stages (or ``stage``'s)."""
    if not __doc__:                     # (python -OO drops docstrings)
        return ""
    first, _, stages = __doc__.split("\n\n")[:3]      # (its second paragraph: "Stages (...):")
    items = re.split(r"\n(?=\* )", stages)
    if stage is not None:
        items = [i for i in items if f"``{stage}``" in i] or items
    plain = lambda text: re.sub(r":\w+:`([^`]*)`", r"\1", text).replace("``", "")  # noqa: E731
    return plain(first) + "\n\n" + "\n".join(
        textwrap.fill(plain(" ".join(i.split())), 79, subsequent_indent="  ") for i in items)


def check_before_reading(args) -> None:
    """What can be refused before the (slow) reading of the photos, as the errors the run
    itself would raise (one line, exit code 2): a missing --init or --vgg, an --init, --vgg or
    --warm-start file that does not exist, a --data share that is no number, a data folder
    that does not exist; a new run into a folder that holds one. A resume builds its model from
    the checkpoint, so the files it was started from need not be there any more."""
    stage = stage_classes()[args.stage]
    if not args.resume:
        refuse_existing_run(args.out)          # the first thing to say: nothing would be lost
    if not args.resume and not args.init:
        if stage.needs_init:
            raise WeightsError(stage.needs_init_message())
        if stage.needs_vgg and not args.vgg:
            raise WeightsError(NEEDS_VGG)
    for option, path in (("--init", args.init), ("--vgg", args.vgg),
                         ("--warm-start", args.warm_start)):
        if args.resume or not path:
            continue
        if not os.path.isfile(path):
            what = "is a folder, not a weights file" if os.path.isdir(path) else "file not found"
            raise WeightsError(f"{option} {path}: {what}")
        if option != "--vgg":      # a file that is no model: said before the photos are read
            try:
                read_sidecar(path)
            except WeightsError as e:
                raise WeightsError(f"{option} {e}") from None
    folders = [Source.parse(d).path for d in args.data] + list(args.val)   # DataError
    for folder in folders:
        if not os.path.exists(folder):
            raise DataError(f"data folder {folder} does not exist")


def main(argv=None) -> int:
    cli_logging()
    parser = build_parser(train_options.help_stage(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    if args.held_out < 0:
        parser.error("--held-out takes a number of photos (0: skip)")
    if not 0.0 <= args.hue_turn <= 1.0:
        parser.error("--hue-turn is a share of the crops, from 0 to 1")
    if args.train != "hnet" and args.stage != "hnet":
        parser.error(f"--train chooses what the hnet stage adapts; the {args.stage} stage trains "
                     f"its own parts")
    try:
        if args.resume:
            keep_run_options(args, given_options(build_parser, argv))
    except (CheckpointError, DataError) as e:
        print(f"colorizer-train: error: {e}", file=sys.stderr)
        return 2
    if not args.data:
        parser.error("--data is required" + (f" (no readable {args.out}/args.json to take it "
                                             f"from)" if args.resume else ""))
    if args.steps < 1:
        parser.error("--steps takes a number of steps, at least 1")
    if any(s < 1 or s > args.steps for s in args.save_at):
        parser.error(f"--save-at takes steps from 1 to --steps ({args.steps})")
    try:
        check_before_reading(args)
        train(args)
    except KeyboardInterrupt as e:
        if isinstance(e, Stopped):      # the loop said where it stopped and how to go on
            pass
        elif os.path.exists(os.path.join(args.out, CKPT_NAME)):
            print(f"training interrupted; the last checkpoint is kept "
                  f"({how_to_resume(args.stage, args.out)})", file=sys.stderr)
        else:
            print("training interrupted before its first checkpoint", file=sys.stderr)
        return 128 + getattr(e, "signum", signal.SIGINT)
    except (DataError, WeightsError, CheckpointError, FloatingPointError, ValueError) as e:
        print(f"colorizer-train: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"colorizer-train: error: {e.strerror or e} ({getattr(e, 'filename', '') or ''})",
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
