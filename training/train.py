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
import signal
import sys

from net.device import add_device_argument
from net.propagation import METHODS as PROPAGATION_METHODS
from net.weights import WeightsError, read_sidecar

from .checkpoint import CheckpointError
from .data import DataError, Source
from .logs import cli_logging
from .losses import LOSSES
from .resume_options import given_options, keep_run_options
from .loop import load_sources, refuse_existing_run, train  # noqa: F401 (re-exported)
from .run import CKPT_NAME, Run  # noqa: F401 (re-exported)
from .stages import STAGES, palette_model_config as model_config  # noqa: F401 (re-exported)
from .stages import NEEDS_VGG, stage_classes

log = logging.getLogger("colorizer.train")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="colorizer-train", description=__doc__.split("\n\n")[0])
    p.add_argument("--version", action="version",
                   version="%(prog)s " + __import__("net.version", fromlist=["_"]).__version__)
    p.add_argument("stage", choices=STAGES,
                   help="what to train: " + ", ".join(STAGES) + " (see above; hnet and affinity "
                        "adapt an --init model)")
    p.add_argument("--data", nargs="+", metavar="DIR[:WEIGHT]",
                   help="photo folders (recursive); WEIGHT, a positive number, is the folder's "
                        "share of samples (default: 1 each); required, except with --resume")
    p.add_argument("--val", nargs="*", default=[], metavar="DIR",
                   help="validation folders (default: a fixed 5%% of the training photos)")
    p.add_argument("--out", required=True, help="run folder: checkpoint, log, loss curve, model")
    p.add_argument("--vgg", help="torchvision-layout VGG16 weights (.safetensors or .pth)")
    p.add_argument("--init", help="start from these weights (.safetensors); required for hnet and affinity")
    p.add_argument("--resume", action="store_true",
                   help="continue from OUT/checkpoint.pt; the options that define the run "
                        "(data, model, steps, schedule, crops, loss) are the run's own")
    p.add_argument("--steps", type=int, default=5000,
                   help="training steps; the learning rate schedule spans them (default: %(default)s)")
    p.add_argument("--batch", type=int, default=16,
                   help="crops per step, per process (default: %(default)s)")
    p.add_argument("--size", type=int, default=128,
                   help="training crop size, a multiple of 16 (default: %(default)s)")
    p.add_argument("--lr", type=float, default=None, help="default 1e-3 (hnet: 1e-4 as the paper)")
    p.add_argument("--train", default="hnet", metavar="PARTS",
                   help="hnet stage: what adapts to your photos (default: %(default)s), 'hnet' "
                        "(the palette network) or "
                        "'hnet,decoder' (also the local model's decoder; stronger) or "
                        "'hnet,decoder,gray' (also the gray branch's own layers above VGG16) "
                        "or 'hnet,decoder,gray,vgg' (also VGG16's conv4 and conv5 blocks, "
                        "at a tenth of the learning rate)")
    p.add_argument("--loss", choices=sorted(LOSSES), default="blurred_mse",
                   help="colour loss: the paper's blurred_mse (default), mse, l1, huber, or psnr "
                        "(each crop's MSE weighted by its inverse error: the mean PSNR's gradient)")
    add_device_argument(p)
    p.add_argument("--precision", choices=("auto", "fp32", "bf16"), default="auto",
                   help="auto: bf16 autocast on CUDA and on CPUs that compute bf16 natively "
                        "(AVX-512, AMX), float32 elsewhere (default: %(default)s)")
    p.add_argument("--workers", type=int, default=1,
                   help="data loading processes (default: %(default)s)")
    p.add_argument("--threads", type=int, default=0,
                   help="torch CPU threads; 0: torch's own choice (default: %(default)s)")
    p.add_argument("--val-every", type=int, default=250,
                   help="validate (and plot the curve) every N steps (default: %(default)s)")
    p.add_argument("--val-count", type=int, default=64,
                   help="validation crops, spread over the validation photos (default: %(default)s)")
    p.add_argument("--ckpt-every", type=int, default=100,
                   help="checkpoint interval in steps (default: %(default)s)")
    p.add_argument("--max-side", type=int, default=256,
                   help="photos are decoded to this short side (default: %(default)s)")
    p.add_argument("--limit", type=int, default=0,
                   help="use at most this many photos per folder; 0: all (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0,
                   help="seeds the crops and simulated hints, and a new model's initial weights "
                        "(default: %(default)s)")
    p.add_argument("--export", help="final weights path (default OUT/model.safetensors)")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bars (reading photos, steps); the CSV log is written as always")
    p.add_argument("--width", type=float, default=1.0,
                   help="a new model's decoder width multiplier (default: %(default)s)")
    p.add_argument("--propagation", choices=PROPAGATION_METHODS, default=None,
                   help="hint propagation fed to the decoder: of a new local model (default "
                        "levin), or switched on an --init model (hnet stage, --train hnet,decoder)")
    p.add_argument("--no-semantic", action="store_true",
                   help="new local model without VGG conv4/conv5 and the global fusion")
    p.add_argument("--no-classifier", action="store_true",
                   help="new local model without the ab classification head")
    p.add_argument("--correction-loss", action="store_true",
                   help="local and hnet stages (always on in affinity): the loss sees the result after the app's residual "
                        "correction at the hints (the network learns what the correction leaves)")
    p.add_argument("--cls-weight", type=float, default=0.01,
                   help="weight of the rebalanced classification loss (models with a classifier; "
                        "default: %(default)s)")
    p.add_argument("--warm-start", metavar="WEIGHTS",
                   help="copy every tensor of these weights whose name matches (and whose shape "
                        "matches, or grew only in its input channels) into a new model")
    p.add_argument("--time-limit", type=float, default=0, metavar="MINUTES",
                   help="end the run (checkpoint and export) after this much training wall time, "
                        "counted over resumes; 0: no limit (default: %(default)s)")
    p.add_argument("--save-at", type=int, nargs="+", default=[], metavar="STEP",
                   help="also export the weights at these steps, as RUN/step-STEP.safetensors "
                        "(snapshots along the run, e.g. for colorizer-soup)")
    p.add_argument("--hue-turn", type=float, default=0.0, metavar="SHARE",
                   help="turn the colours of this share of the crops with 10 or more hints (and "
                        "their hints) by a random hue angle, so the network follows dense hints "
                        "rather than the colours it remembers; 0: off (default: %(default)s)")
    p.add_argument("--held-out", type=int, default=40, metavar="N",
                   help="hnet stage: at the end, score the --init model and the new one on up to N "
                        "of the photos held out from training (the validation photos) with 0, 5 "
                        "and 20 hints, into RUN/held_out.json and the sidecar; 0: skip "
                        "(default: %(default)s)")
    p.add_argument("--auto-width", type=int, default=32,
                   help="automatic systems: encoder/decoder base width (channels at H/2 or H; "
                        "default: %(default)s)")
    p.add_argument("--pretrain-steps", type=int, default=None,
                   help="pix2pix: steps of MSE pre-training before the GAN phase (default steps/3)")
    return p


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
    parser = build_parser()
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
        if os.path.exists(os.path.join(args.out, CKPT_NAME)):
            print(f"training interrupted; the last checkpoint is kept (continue it with "
                  f"colorizer-train {args.stage} --out {args.out} --resume)", file=sys.stderr)
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
