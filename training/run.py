"""One training run (single process or one DDP rank): device, model, optimizer, schedule."""
from __future__ import annotations

import math
import os
from pathlib import Path

import torch
import torch.distributed as dist

from net.device import pick_device
from net.retraining import CKPT_NAME  # noqa: F401 (re-exported: the trainer's name for it)
from net.weights import WeightsError, import_vgg16, load_model, model_from_config

from .checkpoint import CheckpointError
from .data import DataError
from .stages import NEEDS_VGG, make_stage
from .warm_start import warm_start



class Run:
    """State of one training run; the stage object (:mod:`training.stages`) holds the policy."""

    def __init__(self, args):
        self.args = args
        self.out = Path(args.out)
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        self.is_main = self.rank == 0
        if args.size % 16:
            raise DataError(f"--size must be a multiple of 16, got {args.size}")
        self.stage = make_stage(args)
        if args.threads:
            torch.set_num_threads(args.threads)
        self.device = pick_device(args.device)
        if self.world > 1:
            dist.init_process_group("nccl" if self.device.type == "cuda" else "gloo")
            if self.device.type == "cuda":
                self.device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
                torch.cuda.set_device(self.device)
        self.precision = args.precision       # net.device.autocast_for decides per device

    @property
    def distil(self) -> bool:
        return self.stage.distil

    @property
    def class_weights(self):
        return self.stage.class_weights

    # ----------------------------------------------------------------- model
    def _initial_model(self, resume_state: dict | None):
        """(model, init_meta): from the checkpoint, from --init, or new (VGG16, warm start)."""
        a, stage = self.args, self.stage
        if resume_state is not None:
            try:
                model = model_from_config(resume_state["config"])
            except (TypeError, ValueError, KeyError) as e:
                raise CheckpointError(f"{self.out / CKPT_NAME} has an invalid model config ({e})") from None
            return model, dict(resume_state.get("init_meta") or {})
        if a.init:
            model, init_meta = load_model(a.init)
            stage.check_init(model, a.init)
            return model, init_meta
        torch.manual_seed(a.seed)       # a new model's initial weights follow --seed too
        model = stage.new_model()
        init_meta = {}
        if model.vgg is not None:
            if not a.vgg:
                raise WeightsError(NEEDS_VGG)
            import_vgg16(model, a.vgg)
        if a.warm_start:
            summary = warm_start(model, a.warm_start)
            init_meta = {"warm_start": {k: v for k, v in summary.items() if k != "source_history"},
                         "training_history": summary["source_history"]}
        return model, init_meta

    def build_model(self, resume_state: dict | None):
        a, stage = self.args, self.stage
        model, self.init_meta = self._initial_model(resume_state)
        stage.configure(model, self.init_meta, resume_state)
        stage.check_correction(model, resume_state)
        self._check_propagation(model, resume_state)
        if resume_state is not None:
            try:
                model.load_state_dict(resume_state["model"], strict=True)
            except RuntimeError as e:
                first = str(e).strip().splitlines()[0]
                raise CheckpointError(f"{self.out / CKPT_NAME} does not match the model its config "
                                      f"describes ({first[:200]})") from None
        model.to(self.device)
        if self.device.type == "cpu":
            model = model.to(memory_format=torch.channels_last)
        self.model = model
        self.base_lr = a.lr if a.lr is not None else stage.default_lr
        self.time_fraction = 0.0       # share of --time-limit used (set by the loop)
        self.opt = torch.optim.Adam(stage.param_groups(model), lr=self.base_lr, betas=stage.betas)
        self.ddp = model
        if self.world > 1:
            self.ddp = torch.nn.parallel.DistributedDataParallel(
                model, find_unused_parameters=True,
                device_ids=[self.device.index] if self.device.type == "cuda" else None)
        stage.setup_extra(self, resume_state)

    def _check_propagation(self, model, resume_state) -> None:
        """--propagation is a new local model's choice, or an hnet run's switch; anything else
        that would silently ignore it is refused."""
        asked = getattr(self.args, "propagation", None)
        if asked is None or asked == model.cfg.propagation:
            return
        if resume_state is not None:
            raise CheckpointError(f"the checkpoint's model has {model.cfg.propagation} "
                                  f"propagation; resume it without --propagation {asked}")
        raise WeightsError(f"--propagation {asked} does not apply here: it chooses a new local "
                           f"model's propagation, or switches an --init model in the hnet stage "
                           f"(this {model.cfg.variant} model has {model.cfg.propagation})")

    def set_train_mode(self):
        self.stage.set_train_mode(self.model)

    def progress(self, step: int) -> float:
        """How far the run is, 0..1: by steps, or by the --time-limit budget when that is ahead."""
        return max(step / max(1, self.args.steps), self.time_fraction)

    def lr_at(self, step: int) -> float:
        """Linear warm-up (200 steps or a tenth of the run), then cosine down to 5%."""
        total = max(1, self.args.steps)
        warm = min(200, total // 10)
        if self.time_fraction > step / total:          # the time budget ends the run first
            if step < warm and self.time_fraction < 0.1:
                return self.base_lr * max((step + 1) / warm, self.time_fraction / 0.1)
            t = self.time_fraction
        elif step < warm:
            return self.base_lr * (step + 1) / warm
        else:
            t = (step - warm) / max(1, total - warm)
        return self.base_lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, max(0.0, t)))))

    # ------------------------------------------------------------------ step
    def to_dev(self, t):
        t = t.to(self.device, non_blocking=True)
        if self.device.type == "cpu" and t.dim() == 4:
            t = t.contiguous(memory_format=torch.channels_last)
        return t

    def loss_on(self, l, ab, h7, model=None):
        """(training loss, validation loss): the second leaves out auxiliary terms."""
        return self.stage.loss(self, model or self.ddp, l, ab, h7)

    def train_step(self, l, ab, h7, step: int) -> float:
        lr = self.lr_at(step)
        for g in self.opt.param_groups:
            g["lr"] = lr * g.get("lr_scale", 1.0)
        self.stage.set_lr(lr)
        return self.stage.train_step(self, l, ab, h7, step)

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

    def checkpoint_state(self, step: int, best_val: float, wall_seconds: float) -> dict:
        a = self.args
        return {"model": self.model.state_dict(), "optimizer": self.opt.state_dict(), "step": step,
                "config": self.model.cfg.to_dict(), "stage": a.stage, "best_val": best_val,
                "distil": self.distil, "wall_seconds": wall_seconds, "init_meta": self.init_meta,
                "args": {k: v for k, v in vars(a).items() if isinstance(v, (int, float, str, bool))},
                **self.stage.extra_state()}
