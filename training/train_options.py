"""The options of ``colorizer-train`` (:func:`build_parser`), in groups by what they set;
``colorizer-train STAGE --help`` lists only the groups that apply to that stage."""
from __future__ import annotations

import argparse

from net.device import add_device_argument
from net.propagation import METHODS as PROPAGATION_METHODS

from .losses import LOSSES
from .stages import STAGES

ALL = tuple(STAGES)
AUTO = ("autoencoder", "koala", "zhang", "pix2pix")
HINTED = tuple(s for s in STAGES if s not in AUTO)     # the stages whose models take hints


class _Group:
    """An argument group whose options are listed in ``--help`` only for its ``stages`` (when
    the help is of one ``stage``; every option is parsed either way)."""

    def __init__(self, parser: argparse.ArgumentParser, title: str, stages: tuple[str, ...],
                 stage: str | None):
        self.group = parser.add_argument_group(title)
        self.hidden = stage is not None and stage not in stages

    def add_argument(self, *names, **options):
        if self.hidden:
            options["help"] = argparse.SUPPRESS
        return self.group.add_argument(*names, **options)


def help_stage(argv: list[str] | None) -> str | None:
    """The stage whose options ``argv`` asks help for (``STAGE --help``), else None: the first
    word that is not an option's value (``--out local hnet --help`` asks for hnet's)."""
    argv = list(argv or [])
    if not any(a in ("-h", "--help") for a in argv):
        return None
    nargs = {o: a.nargs for a in build_parser()._actions for o in a.option_strings}
    i = 0
    while i < len(argv):
        word, i = argv[i], i + 1
        if not word.startswith("-"):
            if word in STAGES:
                return word
            continue
        n = 0 if "=" in word else nargs.get(word, 0)
        if n in ("+", "*"):                   # its values run to the next option
            while i < len(argv) and not argv[i].startswith("-"):
                i += 1
        else:
            i += 1 if n is None else n if isinstance(n, int) else 0
    return None


def build_parser(stage: str | None = None, description: str = "") -> argparse.ArgumentParser:
    """The command line's parser; ``stage``: its help lists that stage's options only."""
    p = argparse.ArgumentParser(prog="colorizer-train", description=description,
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=None if stage else "colorizer-train STAGE --help lists "
                                                          "the options of that stage only.")
    p.add_argument("--version", action="version",
                   version="%(prog)s " + __import__("net.version", fromlist=["_"]).__version__)
    p.add_argument("stage", choices=STAGES,
                   help="what to train: " + ", ".join(STAGES) + " (see above; hnet and affinity "
                        "adapt an --init model)")
    g = _Group(p, "the run", ALL, stage)
    g.add_argument("--data", nargs="+", metavar="DIR[:WEIGHT]",
                   help="photo folders (recursive); WEIGHT, a positive number, is the folder's "
                        "share of samples (default: 1 each); required, except with --resume")
    g.add_argument("--val", nargs="*", default=[], metavar="DIR",
                   help="validation folders (default: a fixed 5%% of the training photos)")
    g.add_argument("--out", required=True, help="run folder: checkpoint, log, loss curve, model")
    g.add_argument("--resume", action="store_true",
                   help="continue from OUT/checkpoint.pt; the options that define the run "
                        "(data, model, steps, schedule, crops, loss) are the run's own")
    g.add_argument("--steps", type=int, default=5000,
                   help="training steps; the learning rate schedule spans them (default: %(default)s)")
    g.add_argument("--batch", type=int, default=16,
                   help="crops per step, per process (default: %(default)s)")
    g.add_argument("--size", type=int, default=128,
                   help="training crop size, a multiple of 16 (default: %(default)s)")
    g.add_argument("--lr", type=float, default=None, help="default 1e-3 (hnet: 1e-4 as the paper)")
    g.add_argument("--loss", choices=sorted(LOSSES), default="blurred_mse",
                   help="colour loss: the paper's blurred_mse (default), mse, l1, huber, or psnr "
                        "(each crop's MSE weighted by its inverse error: the mean PSNR's gradient)")
    g.add_argument("--seed", type=int, default=0,
                   help="seeds the crops and simulated hints, and a new model's initial weights "
                        "(default: %(default)s)")
    g.add_argument("--time-limit", type=float, default=0, metavar="MINUTES",
                   help="end the run (checkpoint and export) after this much training wall time, "
                        "counted over resumes; 0: no limit (default: %(default)s)")
    g.add_argument("--limit", type=int, default=0,
                   help="use at most this many photos per folder; 0: all (default: %(default)s)")
    g.add_argument("--max-side", type=int, default=256,
                   help="photos are decoded to this short side (default: %(default)s)")
    g.add_argument("--save-at", type=int, nargs="+", default=[], metavar="STEP",
                   help="also export the weights at these steps, as RUN/step-STEP.safetensors "
                        "(snapshots along the run, e.g. for colorizer-soup)")
    g.add_argument("--export", help="final weights path (default OUT/model.safetensors)")
    g = _Group(p, "the model it starts from", ALL, stage)
    g.add_argument("--vgg", help="torchvision-layout VGG16 weights (.safetensors or .pth)")
    g.add_argument("--init", help="start from these weights (.safetensors); required for hnet and affinity")
    g.add_argument("--warm-start", metavar="WEIGHTS",
                   help="copy every tensor of these weights whose name matches (and whose shape "
                        "matches, or grew only in its input channels) into a new model")
    g = _Group(p, "adapting a model to your photos (hnet stage)", ("hnet",), stage)
    g.add_argument("--train", default="hnet", metavar="PARTS",
                   help="hnet stage: what adapts to your photos (default: %(default)s), 'hnet' "
                        "(the palette network) or "
                        "'hnet,decoder' (also the local model's decoder; stronger) or "
                        "'hnet,decoder,gray' (also the gray branch's own layers above VGG16) "
                        "or 'hnet,decoder,gray,vgg' (also VGG16's conv4 and conv5 blocks, "
                        "at a tenth of the learning rate)")
    g.add_argument("--held-out", type=int, default=40, metavar="N",
                   help="hnet stage: at the end, score the --init model and the new one on up to N "
                        "of the photos held out from training (the validation photos) with 0, 5 "
                        "and 20 hints, into RUN/held_out.json and the sidecar; 0: skip "
                        "(default: %(default)s)")
    g = _Group(p, "simulated hints (every stage but the automatic systems)", HINTED, stage)
    g.add_argument("--hue-turn", type=float, default=0.0, metavar="SHARE",
                   help="turn the colours of this share of the crops with 10 or more hints (and "
                        "their hints) by a random hue angle, so the network follows dense hints "
                        "rather than the colours it remembers; 0: off (default: %(default)s)")
    g = _Group(p, "hints and the colour loss (local, hnet and affinity stages)",
               ("local", "hnet", "affinity"), stage)
    g.add_argument("--propagation", choices=PROPAGATION_METHODS, default=None,
                   help="hint propagation fed to the decoder: of a new local model (default "
                        "levin), or switched on an --init model (hnet stage, --train hnet,decoder)")
    g.add_argument("--correction-loss", action="store_true",
                   help="local and hnet stages (always on in affinity): the loss sees the result "
                        "after the app's residual correction at the hints (the network learns "
                        "what the correction leaves)")
    g.add_argument("--cls-weight", type=float, default=0.01,
                   help="weight of the rebalanced classification loss (models with a classifier; "
                        "default: %(default)s)")
    g = _Group(p, "a new model's shape (rtnet and local stages)", ("rtnet", "local"), stage)
    g.add_argument("--width", type=float, default=1.0,
                   help="a new model's decoder width multiplier (default: %(default)s)")
    g = _Group(p, "a new local model (local stage)", ("local",), stage)
    g.add_argument("--no-semantic", action="store_true",
                   help="new local model without VGG conv4/conv5 and the global fusion")
    g.add_argument("--no-classifier", action="store_true",
                   help="new local model without the ab classification head")
    g = _Group(p, "automatic systems (autoencoder, koala, zhang, pix2pix stages)", AUTO, stage)
    g.add_argument("--auto-width", type=int, default=32,
                   help="automatic systems: encoder/decoder base width (channels at H/2 or H; "
                        "default: %(default)s)")
    g.add_argument("--pretrain-steps", type=int, default=None,
                   help="pix2pix: steps of MSE pre-training before the GAN phase (default steps/3)")
    g = _Group(p, "the machine and reporting", ALL, stage)
    add_device_argument(g)
    g.add_argument("--precision", choices=("auto", "fp32", "bf16"), default="auto",
                   help="auto: bf16 autocast on CUDA and on CPUs that compute bf16 natively "
                        "(AVX-512, AMX), float32 elsewhere (default: %(default)s)")
    g.add_argument("--workers", type=int, default=1,
                   help="data loading processes (default: %(default)s)")
    g.add_argument("--threads", type=int, default=0,
                   help="torch CPU threads; 0: torch's own choice (default: %(default)s)")
    g.add_argument("--val-every", type=int, default=250,
                   help="validate (and plot the curve) every N steps (default: %(default)s)")
    g.add_argument("--val-count", type=int, default=64,
                   help="validation crops, spread over the validation photos (default: %(default)s)")
    g.add_argument("--ckpt-every", type=int, default=100,
                   help="checkpoint interval in steps (default: %(default)s)")
    g.add_argument("--no-progress", action="store_true",
                   help="no progress bars (reading photos, steps); the CSV log is written as always")
    return p
