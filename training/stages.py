"""Stage policy: one object per ``colorizer-train`` stage (and per automatic system).

Each says which model it trains (and from what it may start), which parameters train,
which modules are in train mode, and its loss: ``loss`` returns (training loss, validation
loss), the second without auxiliary terms. Every forward goes through ``fwd``, the
DistributedDataParallel-wrapped model when there is one, so the gradients of every
stage are synchronised between processes.

* ``rtnet``: the seed RTNet with CNN1 computing the palette from the colour image.
* ``hnet``: adapts a trained model to a user's photos (:mod:`training.hnet_stage`).
* ``local``: the local variant end to end with simulated hints (+ ``--cls-weight`` times the
  rebalanced classification loss when the model has a classifier).
* ``affinity``: a local model's learned correction affinities alone
  (:mod:`training.affinity_stage`).
* ``autoencoder``, ``koala``, ``zhang``, ``pix2pix``: the automatic systems of
  :mod:`net.auto_models` (no hints; see :mod:`training.gan` for pix2pix's two phases).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from net.ab_bins import NUM_BINS, rebalanced_cross_entropy
from net.auto_models import AutoConfig, build_auto_model
from net.device import autocast_for
from net.models import LEGACY_CONFIG, ColorizationModel, ModelConfig
from net.weights import WeightsError, float_tensors

from .checkpoint import require_same_on_resume
from .losses import LOSSES, through_correction
from .warm_start import colour_prior_weights

# a new model with a VGG16 gray branch starts from these weights
NEEDS_VGG = "training from scratch needs --vgg (torchvision VGG16 weights)"


class Stage:
    name = ""
    default_lr = 1e-3
    betas = (0.9, 0.999)
    variant = ""                 # the model variant this stage builds or requires
    needs_vgg = True             # a new model needs --vgg (else NEEDS_VGG)
    needs_init = ""              # a stage that only adapts a trained model: what --init must be
    trains_cnn1 = False

    @classmethod
    def needs_init_message(cls) -> str:
        """Why a needs_init stage cannot start without --init (said before the photos are read,
        and by new_model)."""
        return f"the {cls.name} stage needs --init WEIGHTS ({cls.needs_init})"

    def __init__(self, args):
        self.args = args
        self.distil = False
        self.class_weights = None
        self.correction_loss = bool(args.correction_loss)

    # -------------------------------------------------------------- the model
    def new_model(self):
        if self.needs_init:
            raise WeightsError(self.needs_init_message())
        raise NotImplementedError

    def check_init(self, model, path) -> None:
        if model.cfg.variant != self.variant:
            raise WeightsError(f"{path}: {self.name} training needs a {self.variant} model, "
                               f"this is {model.cfg.variant!r}")

    def configure(self, model, init_meta: dict, resume_state: dict | None) -> None:
        """Which parameters train (the pretrained VGG16 never does, except the hnet stage's vgg part)."""
        refuse_stale_affinity(model, f"the {self.name} stage")
        model.set_vgg_trainable(False)

    def set_train_mode(self, model) -> None:
        model.train()
        model.vgg is not None and model.vgg.eval()

    def stored_float(self, model, init_meta: dict) -> set[str]:
        """Large convolutions the exported file keeps in float16 (net.weights.save_model): those
        its --init model kept so."""
        return float_tensors(init_meta)

    def param_groups(self, model) -> list[dict]:
        """The optimizer's parameter groups; a group's ``lr_scale`` multiplies the schedule's LR."""
        return [{"params": [p for p in model.parameters() if p.requires_grad], "lr_scale": 1.0}]

    def prepare(self, run, train_sets, shares) -> None:
        """Anything that needs the training photos (class rebalancing weights)."""

    # ------------------------------------------------------------------ losses
    def loss_label(self) -> str:
        return self.args.loss

    def colour_loss(self, pred, ab):
        return LOSSES[self.args.loss](pred.float(), ab)

    def shown_loss(self, pred, ab, l, h7):
        """The colour loss of what users see: with --correction-loss the result after the app's
        residual correction at the hints (training.losses.through_correction)."""
        if self.correction_loss:
            pred = through_correction(pred, l, h7)
        return self.colour_loss(pred, ab)

    def check_correction(self, model, resume_state: dict | None) -> None:
        """--correction-loss needs a model the app corrects, and a resume keeps the choice."""
        require_same_on_resume(resume_state, "correction_loss", bool(self.correction_loss), False,
                               lambda on: ("with" if on else "without") + " --correction-loss")
        if self.correction_loss and not model.cfg.hint_correction:
            raise WeightsError(f"--correction-loss needs a local model with Levin propagation "
                               f"(the ones the app corrects); this is {model.cfg.variant!r} with "
                               f"{model.cfg.propagation!r} propagation")
        if self.correction_loss and model.cfg.affinity and self.name != "affinity":
            raise WeightsError(f"--correction-loss in the {self.name} stage sees Levin's own "
                               f"correction, but this model steers it by a learned affinity; "
                               f"train without --correction-loss")

    def loss(self, run, fwd, l, ab, h7):
        with autocast_for(run.device, run.precision):
            pred = fwd(l, h7)
        colour = self.shown_loss(pred, ab, l, h7)
        return colour, colour

    def train_step(self, run, l, ab, h7, step: int) -> float:
        loss, _ = self.loss(run, run.ddp, l, ab, h7)
        check_finite(loss, step)
        run.opt.zero_grad(set_to_none=True)
        loss.backward()
        run.opt.step()
        return loss.item()

    # --------------------------------------------------------- extra training state
    def setup_extra(self, run, resume_state: dict | None) -> None:
        """Training-only modules beyond the exported model (the GAN's discriminator)."""

    def extra_state(self) -> dict:
        return {}

    def set_lr(self, lr: float) -> None:
        pass

    def history_fields(self) -> dict:
        return {"cls_weight": self.args.cls_weight if self.class_weights is not None else None,
                "correction_loss": self.correction_loss}


def refuse_stale_affinity(model, what: str) -> None:
    """A learned affinity embedding was trained on its model's gray features; a stage that
    changes them would leave it stale, so that is refused."""
    if getattr(model, "affinity", None) is not None:
        raise WeightsError(f"this model has a learned affinity trained on its gray features, "
                           f"which {what} would change; start from a model without "
                           f"one, then run colorizer-train affinity on the result")


def check_finite(loss, step):
    if not torch.isfinite(loss):
        raise FloatingPointError(f"loss became {float(loss)} at step {step}; "
                                 "try a lower --lr or --precision fp32")


def palette_model_config(args, variant: str) -> ModelConfig:
    if variant == "seed":         # the paper's system keeps its own gray branch
        base = ModelConfig(variant=variant, **LEGACY_CONFIG)
    else:
        semantic = not args.no_semantic
        base = ModelConfig(variant=variant, propagation=args.propagation or "levin", semantic=semantic,
                           ab_classes=0 if (args.no_classifier or not semantic) else NUM_BINS)
    if args.width != 1.0:
        base.decoder = tuple(max(8, int(round(c * args.width))) for c in base.decoder)
    return base


class RTNetStage(Stage):
    name, variant, trains_cnn1 = "rtnet", "seed", True

    def new_model(self):
        return ColorizationModel(palette_model_config(self.args, "seed"))

    def configure(self, model, init_meta, resume_state):
        super().configure(model, init_meta, resume_state)
        for p in model.hnet.parameters():
            p.requires_grad_(False)

    def set_train_mode(self, model):
        super().set_train_mode(model)
        model.hnet.eval()

    def loss(self, run, fwd, l, ab, h7):
        with autocast_for(run.device, run.precision):
            pred = fwd(l, h7, lab_norm=torch.cat([l, ab], 1))
        colour = self.colour_loss(pred, ab)
        return colour, colour


class LocalStage(Stage):
    name, variant = "local", "local"

    def new_model(self):
        return ColorizationModel(palette_model_config(self.args, "local"))

    def prepare(self, run, train_sets, shares):
        if run.model.rtnet.classifier is not None:
            self.class_weights = torch.from_numpy(colour_prior_weights(train_sets, shares)).to(run.device)

    def loss(self, run, fwd, l, ab, h7):
        with autocast_for(run.device, run.precision):
            pred, logits = fwd(l, h7, with_logits=True)
        colour = self.shown_loss(pred, ab, l, h7)
        if logits is None or self.class_weights is None:
            return colour, colour
        cls = rebalanced_cross_entropy(logits, ab, run.model.rtnet.classifier.centres,
                                       self.class_weights)
        return colour + self.args.cls_weight * cls, colour


class AutoStage(Stage):
    """An automatic system trained with MSE on ab (no hints)."""

    def new_model(self):
        return build_auto_model(AutoConfig(variant=self.variant, width=self.args.auto_width))

    def loss_label(self):
        return "mse"

    def colour_loss(self, pred, ab):
        return F.mse_loss(pred.float(), ab)

    def history_fields(self):
        return {}


class AutoencoderStage(AutoStage):
    name = variant = "autoencoder"
    needs_vgg = False


class KoalaStage(AutoStage):
    name = variant = "koala"


class ZhangStage(AutoStage):
    """Zhang et al. 2016: rebalanced cross-entropy over the ab bins (training and validation)."""

    name = variant = "zhang"

    def loss_label(self):
        return "rebalanced_ce"

    def prepare(self, run, train_sets, shares):
        self.class_weights = torch.from_numpy(colour_prior_weights(train_sets, shares)).to(run.device)

    def loss(self, run, fwd, l, ab, h7):
        with autocast_for(run.device, run.precision):
            _, logits = fwd(l, h7, with_logits=True)
        ce = rebalanced_cross_entropy(logits, ab, run.model.classifier.centres, self.class_weights)
        return ce, ce


def stage_classes() -> dict:
    from .affinity_stage import AffinityStage
    from .gan import Pix2PixStage
    from .hnet_stage import HNetStage
    return {c.name: c for c in (RTNetStage, HNetStage, LocalStage, AffinityStage, AutoencoderStage,
                                KoalaStage, ZhangStage, Pix2PixStage)}


STAGES = ("rtnet", "hnet", "local", "affinity", "autoencoder", "koala", "zhang", "pix2pix")


def make_stage(args) -> Stage:
    return stage_classes()[args.stage](args)
