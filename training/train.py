"""``colorizer-train rtnet|hnet|local``: the training loop.

* ``rtnet``: the seed RTNet, CNN1 computing the palette from the colour image.
* ``hnet``:  HNet alone, RTNet frozen. For a seed model HNet is distilled to the
  palettes CNN1 computes (the paper); for a local model it is fine-tuned through
  the frozen RTNet. This is the "retrain HNet on my photos" action.
* ``local``: the local variant end to end with simulated hints.

Adam, bf16 autocast where it helps, progress bar, validation every N steps,
atomic checkpoints with ``--resume`` (continues after kill -9), CSV log and a
PNG loss curve, final export to safetensors + JSON sidecar. Runs under
``torchrun`` with DistributedDataParallel (gloo on CPU, NCCL on CUDA).
"""
from __future__ import annotations

import argparse
import csv
import json
import logging
import math
import os
import signal
import sys
import time
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn.functional as F

from net.device import autocast_for, pick_device
from net.ab_bins import NUM_BINS, rebalanced_cross_entropy
from net.models import LEGACY_CONFIG, ColorizationModel, ModelConfig
from net.propagation import METHODS as PROPAGATION_METHODS
from net.weights import WeightsError, import_vgg16, load_model, save_model

from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .data import DataError, PhotoStream, Source, decode_folder, validation_batch
from .hint_sampling import HintSamplingConfig
from .losses import LOSSES
from .warm_start import colour_prior_weights, warm_start

log = logging.getLogger("colorizer.train")
STAGES = ("rtnet", "hnet", "local")
CKPT_NAME = "checkpoint.pt"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="colorizer-train", description=__doc__.split("\n\n")[0])
    p.add_argument("--version", action="version",
                   version="%(prog)s " + __import__("net.version", fromlist=["_"]).__version__)
    p.add_argument("stage", choices=STAGES)
    p.add_argument("--data", nargs="+", required=True, metavar="DIR[:WEIGHT]",
                   help="photo folders (recursive); WEIGHT is the folder's share of samples")
    p.add_argument("--val", nargs="*", default=[], metavar="DIR",
                   help="validation folders (default: a fixed 5%% of the training photos)")
    p.add_argument("--out", required=True, help="run folder: checkpoint, log, loss curve, model")
    p.add_argument("--vgg", help="torchvision-layout VGG16 weights (.safetensors or .pth)")
    p.add_argument("--init", help="start from these weights (.safetensors); required for hnet")
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
    p.add_argument("--steps", type=int, default=5000)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--size", type=int, default=128, help="training crop size (multiple of 16)")
    p.add_argument("--lr", type=float, default=None, help="default 1e-3 (hnet: 1e-4 as the paper)")
    p.add_argument("--loss", choices=sorted(LOSSES), default="blurred_mse")
    p.add_argument("--device", default="auto")
    p.add_argument("--precision", choices=("auto", "fp32", "bf16"), default="auto")
    p.add_argument("--workers", type=int, default=1, help="data loading processes")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: default)")
    p.add_argument("--val-every", type=int, default=250)
    p.add_argument("--val-count", type=int, default=64)
    p.add_argument("--ckpt-every", type=int, default=100, help="checkpoint interval in steps")
    p.add_argument("--max-side", type=int, default=256, help="photos are decoded to this short side")
    p.add_argument("--limit", type=int, default=0, help="use at most this many photos per folder")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--export", help="final weights path (default OUT/model.safetensors)")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--width", type=float, default=1.0, help="decoder width multiplier")
    p.add_argument("--propagation", choices=PROPAGATION_METHODS, default="levin",
                   help="hint propagation fed to a new local model's decoder")
    p.add_argument("--no-semantic", action="store_true",
                   help="new local model without VGG conv4/conv5 and the global fusion")
    p.add_argument("--no-classifier", action="store_true",
                   help="new local model without the ab classification head")
    p.add_argument("--cls-weight", type=float, default=0.01,
                   help="weight of the rebalanced classification loss (models with a classifier)")
    p.add_argument("--warm-start", metavar="WEIGHTS",
                   help="copy every tensor of these weights whose name matches (and whose shape "
                        "matches, or grew only in its input channels) into a new model")
    return p


def model_config(args, variant: str) -> ModelConfig:
    if variant == "seed":         # the paper's system keeps its own gray branch
        base = ModelConfig(variant=variant, **LEGACY_CONFIG)
    else:
        semantic = not args.no_semantic
        base = ModelConfig(variant=variant, propagation=args.propagation, semantic=semantic,
                           ab_classes=0 if (args.no_classifier or not semantic) else NUM_BINS)
    if args.width != 1.0:
        base.decoder = tuple(max(8, int(round(c * args.width))) for c in base.decoder)
    return base


class Run:
    """State of one training run (single process or one DDP rank)."""

    def __init__(self, args):
        self.args = args
        self.out = Path(args.out)
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        self.is_main = self.rank == 0
        if args.size % 16:
            raise DataError(f"--size must be a multiple of 16, got {args.size}")
        if args.threads:
            torch.set_num_threads(args.threads)
        self.device = pick_device(args.device)
        if self.world > 1:
            dist.init_process_group("nccl" if self.device.type == "cuda" else "gloo")
            if self.device.type == "cuda":
                self.device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
                torch.cuda.set_device(self.device)
        self.precision = "fp32" if args.precision == "fp32" else "auto"
        if args.precision == "auto" and self.device.type == "mps":
            self.precision = "fp32"

    # ----------------------------------------------------------------- model
    def build_model(self, resume_state: dict | None):
        a = self.args
        stage = a.stage
        init_meta = {}
        if resume_state is not None:
            cfg = ModelConfig.from_dict(resume_state["config"])
            model = ColorizationModel(cfg)
            init_meta = dict(resume_state.get("init_meta") or {})
        elif stage == "hnet" or a.init:
            if not a.init:
                raise WeightsError("the hnet stage needs --init WEIGHTS (a trained seed or local model)")
            model, init_meta = load_model(a.init)
            if stage == "rtnet" and model.cfg.variant != "seed":
                raise WeightsError(f"{a.init}: rtnet training needs a seed model, this is {model.cfg.variant!r}")
            if stage == "local" and model.cfg.variant != "local":
                raise WeightsError(f"{a.init}: local training needs a local model, this is {model.cfg.variant!r}")
        else:
            model = ColorizationModel(model_config(a, "seed" if stage == "rtnet" else "local"))
            if not a.vgg:
                raise WeightsError("training from scratch needs --vgg (torchvision VGG16 weights)")
            import_vgg16(model, a.vgg)
            if a.warm_start:
                summary = warm_start(model, a.warm_start)
                init_meta = {"warm_start": {k: v for k, v in summary.items() if k != "source_history"},
                             "training_history": summary["source_history"]}
        model.set_vgg_trainable(False)
        self.init_meta = init_meta
        # What trains in each stage.
        if stage == "hnet":
            for p in model.parameters():
                p.requires_grad_(False)
            for p in model.hnet.parameters():
                p.requires_grad_(True)
            self.distil = model.cfg.variant == "seed" and bool(
                init_meta.get("cnn1_trained", resume_state is not None and resume_state.get("distil")))
        else:
            self.distil = False
            if stage == "rtnet":
                for p in model.hnet.parameters():
                    p.requires_grad_(False)
        if resume_state is not None:
            try:
                model.load_state_dict(resume_state["model"], strict=True)
            except RuntimeError as e:
                first = str(e).strip().splitlines()[0]
                raise CheckpointError(f"{self.out / CKPT_NAME} does not match the model its config "
                                      f"describes ({first[:200]})") from None
            self.distil = bool(resume_state.get("distil", self.distil))
        model.to(self.device)
        if self.device.type == "cpu":
            model = model.to(memory_format=torch.channels_last)
        self.model = model
        params = [p for p in model.parameters() if p.requires_grad]
        lr = a.lr if a.lr is not None else (1e-4 if stage == "hnet" else 1e-3)
        self.base_lr = lr
        self.opt = torch.optim.Adam(params, lr=lr)
        self.ddp = model
        if self.world > 1:
            self.ddp = torch.nn.parallel.DistributedDataParallel(
                model, find_unused_parameters=True,
                device_ids=[self.device.index] if self.device.type == "cuda" else None)

    def set_train_mode(self):
        m = self.model
        m.train()
        m.rtnet.vgg.eval()
        if self.args.stage == "hnet":
            m.eval()
            m.hnet.train()
        elif self.args.stage == "rtnet":
            m.hnet.eval()

    def lr_at(self, step: int) -> float:
        total = max(1, self.args.steps)
        warm = min(200, total // 10)
        if step < warm:
            return self.base_lr * (step + 1) / warm
        t = (step - warm) / max(1, total - warm)
        return self.base_lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, t))))

    # ------------------------------------------------------------------ step
    def to_dev(self, t):
        t = t.to(self.device, non_blocking=True)
        if self.device.type == "cpu" and t.dim() == 4:
            t = t.contiguous(memory_format=torch.channels_last)
        return t

    def loss_on(self, l, ab, h7, model=None):
        """(training loss, colour loss): the second leaves out auxiliary terms (validation)."""
        model = model or self.ddp
        loss_fn = LOSSES[self.args.loss]
        logits = None
        with autocast_for(self.device, self.precision):
            if self.args.stage == "rtnet":
                pred = model(l, h7, lab_norm=torch.cat([l, ab], 1))
            elif self.distil:
                target = self.model.cnn1(torch.cat([l, ab], 1)).detach()
                pred_pal = self.model.hnet(h7[:, :4]) if model is self.model else model.module.hnet(h7[:, :4])
                loss = F.mse_loss(pred_pal.float(), target.float())
                return loss, loss
            else:
                pred, logits = model(l, h7, with_logits=True)
        colour = loss_fn(pred.float(), ab)
        if logits is None or self.class_weights is None:
            return colour, colour
        cls = rebalanced_cross_entropy(logits, ab, self.model.rtnet.classifier.centres,
                                       self.class_weights)
        return colour + self.args.cls_weight * cls, colour

    @torch.no_grad()
    def validate(self, val) -> float:
        self.model.eval()
        l, ab, h7 = val
        total, n = 0.0, 0
        for i in range(0, l.shape[0], 16):
            bl, bab, bh = (self.to_dev(x[i:i + 16]) for x in (l, ab, h7))
            total += float(self.loss_on(bl, bab, bh, model=self.model)[1]) * bl.shape[0]
            n += bl.shape[0]
        self.set_train_mode()
        return total / max(1, n)


def load_sources(args) -> tuple[list, list, list]:
    sources = [Source.parse(s) for s in args.data]
    train_sets, weights, val_imgs = [], [], []
    for s in sources:
        imgs = decode_folder(s.path, max_side=args.max_side, limit=args.limit or None,
                             progress=not args.no_progress)
        if not args.val:
            # fixed 95:5 split (every 20th photo) when no validation folder is given
            val_imgs += imgs[::20]
            imgs = [im for i, im in enumerate(imgs) if i % 20] or imgs
        train_sets.append(imgs)
        weights.append(s.weight)
    for v in args.val:
        val_imgs += decode_folder(v, max_side=args.max_side, limit=args.limit or None,
                                  progress=not args.no_progress)
    return train_sets, weights, val_imgs


LOG_HEADER = "step,train_loss,val_loss,images_per_s,lr,wall_seconds\n"


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


def plot_curves(csv_path: Path, png_path: Path, title: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from net.atomic import atomic_path

    steps, train, vsteps, val = [], [], [], []
    with open(csv_path, newline="") as f:
        for row in csv.DictReader(f):
            if row["train_loss"]:
                steps.append(int(row["step"])); train.append(float(row["train_loss"]))
            if row["val_loss"]:
                vsteps.append(int(row["step"])); val.append(float(row["val_loss"]))
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    if train:
        ax.plot(steps, train, label="training", alpha=0.8)
    if val:
        ax.plot(vsteps, val, "o-", label="validation")
    ax.set_xlabel("step"); ax.set_ylabel("loss"); ax.set_yscale("log"); ax.set_title(title)
    ax.grid(alpha=0.3); ax.legend()
    fig.tight_layout()
    with atomic_path(png_path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)


def _ignore_stop_signals(_worker_id):
    """Ctrl-C reaches the whole process group: the main process handles it and stops the workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def train(args) -> Path:
    run = Run(args)
    out = run.out
    ckpt_path = out / CKPT_NAME
    resume_state = None
    if args.resume:
        resume_state = load_checkpoint(ckpt_path)
        if resume_state.get("stage") != args.stage:
            raise CheckpointError(f"{ckpt_path} is a {resume_state.get('stage')!r} run, "
                                  f"not {args.stage!r}; use a different --out")
    elif ckpt_path.exists():
        raise CheckpointError(f"{ckpt_path} exists; pass --resume to continue it or choose a new --out")
    train_sets, weights, val_imgs = load_sources(args)
    run.build_model(resume_state)
    hint_cfg = HintSamplingConfig()
    step, best_val, wall_before = 0, math.inf, 0.0
    if resume_state is not None:
        try:
            run.opt.load_state_dict(resume_state["optimizer"])
        except (ValueError, KeyError) as e:
            raise CheckpointError(f"{ckpt_path} does not match this run's model ({e})") from None
        step = int(resume_state["step"])
        best_val = float(resume_state.get("best_val", math.inf))
        wall_before = float(resume_state.get("wall_seconds", 0.0))
        if run.is_main:
            log.info("resuming %s at step %d", ckpt_path, step)
    run.class_weights = None
    if run.model.rtnet.classifier is not None and args.stage == "local":
        run.class_weights = torch.from_numpy(colour_prior_weights(train_sets, weights)).to(run.device)
    prop = run.model.cfg.propagation
    stream = PhotoStream(train_sets, weights, args.size, hint_cfg,
                         seed=args.seed * 100003 + step, rank=run.rank, propagation=prop)
    loader = torch.utils.data.DataLoader(stream, batch_size=args.batch, num_workers=args.workers,
                                         persistent_workers=args.workers > 0,
                                         worker_init_fn=_ignore_stop_signals)
    val = (validation_batch(val_imgs, args.size, hint_cfg, count=args.val_count, propagation=prop)
           if val_imgs else None)
    if run.is_main:
        out.mkdir(parents=True, exist_ok=True)
        (out / "args.json").write_text(json.dumps(vars(args), indent=2))
    csv_path = out / "log.csv"
    if run.is_main:
        start_log(csv_path, step if resume_state is not None else 0)

    def checkpoint(final=False):
        if not run.is_main:
            return
        save_checkpoint(ckpt_path, {
            "model": run.model.state_dict(), "optimizer": run.opt.state_dict(), "step": step,
            "config": run.model.cfg.to_dict(), "stage": args.stage, "best_val": best_val,
            "distil": run.distil, "wall_seconds": wall_before + time.time() - t_start,
            "init_meta": run.init_meta,
            "args": {k: v for k, v in vars(args).items() if isinstance(v, (int, float, str, bool))}})

    stop = {"now": False}

    def on_signal(signum, frame):
        stop["now"] = True

    old_term = signal.signal(signal.SIGTERM, on_signal)
    t_start = time.time()
    run.set_train_mode()
    bar = None
    if run.is_main and not args.no_progress:
        from tqdm import tqdm
        bar = tqdm(total=args.steps, initial=step, unit="step", dynamic_ncols=True)
    window_loss, window_n, window_t = 0.0, 0, time.time()
    last_val = None
    in_step = False           # an interruption inside a step leaves no consistent state to save
    try:
        it = iter(loader)
        while step < args.steps and not stop["now"]:
            l, ab, h7 = (run.to_dev(x) for x in next(it))
            in_step = True
            for g in run.opt.param_groups:
                g["lr"] = run.lr_at(step)
            loss, _ = run.loss_on(l, ab, h7)
            if not torch.isfinite(loss):
                raise FloatingPointError(f"loss became {float(loss)} at step {step}; "
                                         "try a lower --lr or --precision fp32")
            run.opt.zero_grad(set_to_none=True)
            loss.backward()
            run.opt.step()
            step += 1
            in_step = False
            window_loss += loss.item(); window_n += 1
            ips = window_n * args.batch * run.world / max(1e-9, time.time() - window_t)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{window_loss / window_n:.4f}", img_s=f"{ips:.1f}",
                                val=f"{last_val:.4f}" if last_val is not None else "-")
            do_val = val is not None and (step % args.val_every == 0 or step == args.steps)
            if run.is_main and (step % 20 == 0 or do_val or step == args.steps):
                vl = ""
                if do_val:
                    last_val = run.validate(val)
                    best_val = min(best_val, last_val)
                    vl = f"{last_val:.6f}"
                with open(csv_path, "a") as f:
                    f.write(f"{step},{window_loss / window_n:.6f},{vl},{ips:.2f},"
                            f"{run.lr_at(step):.3g},{wall_before + time.time() - t_start:.1f}\n")
                window_loss, window_n, window_t = 0.0, 0, time.time()
                if do_val:
                    plot_curves(csv_path, out / "loss.png", f"{args.stage} ({args.loss})")
            if step % args.ckpt_every == 0:
                checkpoint()
    except KeyboardInterrupt:
        stop["now"] = True
    except RuntimeError as e:
        if not stop["now"] and "DataLoader worker" not in str(e):
            raise
        stop["now"] = True    # a loader worker was killed (e.g. pkill): stop like on SIGTERM
    finally:
        signal.signal(signal.SIGTERM, old_term)
        if bar is not None:
            bar.close()
    if not in_step:
        checkpoint()
    if stop["now"] and step < args.steps:
        log.info("stopped at step %d; resume with --resume", step)
        raise KeyboardInterrupt
    result = out / "model.safetensors" if not args.export else Path(args.export)
    if run.is_main:
        plot_curves(csv_path, out / "loss.png", f"{args.stage} ({args.loss})")
        wall = wall_before + time.time() - t_start
        meta = {}
        history = list(run.init_meta.get("training_history", []))
        history.append({"stage": args.stage, "steps": step, "batch": args.batch * run.world,
                        "size": args.size, "loss": args.loss, "lr": run.base_lr,
                        "data": args.data, "val": args.val, "wall_seconds": round(wall, 1),
                        "vgg_init": args.vgg, "init": args.init,
                        "warm_start": run.init_meta.get("warm_start"),
                        "cls_weight": args.cls_weight if run.class_weights is not None else None,
                        "best_val_loss": None if math.isinf(best_val) else best_val,
                        "device": str(run.device), "precision": run.precision})
        meta["training_history"] = history
        meta["cnn1_trained"] = bool(run.init_meta.get("cnn1_trained")) or args.stage == "rtnet"
        save_model(run.model, result, meta)
        log.info("wrote %s", result)
    if run.world > 1:
        dist.barrier()
        dist.destroy_process_group()
    return result


def main(argv=None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args = build_parser().parse_args(argv)
    try:
        train(args)
    except KeyboardInterrupt:
        print("training interrupted; the last checkpoint is kept (use --resume)", file=sys.stderr)
        return 130
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
