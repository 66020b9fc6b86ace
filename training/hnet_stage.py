"""The ``hnet`` stage: adapt a trained seed or local model to a user's photos.

HNet alone (distilled to CNN1's palettes for a seed model whose CNN1 was trained, the paper;
otherwise fine-tuned through the frozen RTNet), or with ``--train`` also a local model's
decoder, its gray branch's own layers, and VGG16's conv4/conv5 blocks at a tenth of the rate.
A resumed run keeps the choice its checkpoint recorded.
"""
from __future__ import annotations

import logging

import torch
import torch.nn.functional as F

from net.ab_bins import rebalanced_cross_entropy
from net.device import autocast_for
from net.models import ModelConfig
from net.propagation import LEVIN_METHODS
from net.retraining import FEW_PHOTOS, count_photos
from net.weights import WeightsError

from .checkpoint import CheckpointError
from .data import Source
from .stages import Stage, refuse_stale_affinity
from .warm_start import colour_prior_weights

log = logging.getLogger("colorizer.train")


class HNetStage(Stage):
    name, default_lr = "hnet", 1e-4
    needs_init = "a trained seed or local model"          # new_model refuses without --init

    def check_init(self, model, path):
        if model.cfg.variant not in ("seed", "local"):
            raise WeightsError(f"{path}: the hnet stage needs a seed or local model, "
                               f"this is {model.cfg.variant!r} (it has no HNet)")

    def __init__(self, args):
        super().__init__(args)
        self.parts = parse_parts(getattr(args, "train", None) or "hnet")
        self.parts_label = ",".join(self.parts)          # as --train spells it
        self.switched_from = None      # the --init model's propagation, if --propagation switched it

    def trained_modules(self, model) -> list:
        mods = [model.hnet]
        if "decoder" in self.parts:
            mods += model.rtnet.decoder_modules()
        if "gray" in self.parts:
            mods += model.rtnet.gray_modules()
        if "vgg" in self.parts:
            mods.append(model.rtnet.vgg.top_convs())
        return mods

    def param_groups(self, model) -> list[dict]:
        """VGG16's top blocks, when they adapt, learn at VGG_LR_SCALE of the others' rate: they
        are ImageNet's features, which a few thousand steps should nudge, not relearn."""
        if "vgg" not in self.parts:
            return super().param_groups(model)
        top = {id(p) for p in model.rtnet.vgg.top_convs().parameters()}
        params = [p for p in model.parameters() if p.requires_grad]
        return [{"params": [p for p in params if id(p) not in top], "lr_scale": 1.0},
                {"params": [p for p in params if id(p) in top], "lr_scale": VGG_LR_SCALE}]

    def stored_float(self, model, init_meta: dict) -> set[str]:
        # Tuned at a tenth of the rate, VGG16's top blocks move by less than an int8 step.
        names = super().stored_float(model, init_meta)
        if "vgg" in self.parts:
            top = {id(p) for p in model.rtnet.vgg.top_convs().parameters()}
            names |= {n for n, p in model.named_parameters() if id(p) in top and p.dim() == 4}
        return names

    def configure(self, model, init_meta, resume_state):
        for p in model.parameters():
            p.requires_grad_(False)
        if resume_state is None:
            self.distil = model.cfg.variant == "seed" and bool(init_meta.get("cnn1_trained"))
        elif "distil" not in resume_state:
            raise CheckpointError("the hnet checkpoint does not record whether it distils; "
                                  "start a new run with --init instead of --resume")
        else:
            self.distil = bool(resume_state["distil"])
        if resume_state is not None and resume_state.get("trained", "hnet") != self.parts_label:
            raise CheckpointError(f"the checkpoint trained --train {resume_state.get('trained', 'hnet')}; "
                                  f"resume it with the same --train")
        if self.distil and "decoder" in self.parts:
            raise WeightsError("--train decoder needs a local model: a seed model's HNet is "
                               "distilled to its palettes, which the decoder does not see")
        if "gray" in self.parts and not model.cfg.local:
            raise WeightsError("--train hnet,decoder,gray needs a local model (the gray branch "
                               "it adapts feeds the local decoder)")
        if "gray" in self.parts:
            refuse_stale_affinity(model, "--train ...,gray")
        if "vgg" in self.parts and not model.cfg.semantic:
            raise WeightsError("--train hnet,decoder,gray,vgg needs a model with VGG16's conv4 "
                               "and conv5 (semantic); this one stops at conv3_3")
        if resume_state is None:
            self.switch_propagation(model)
        else:
            self.switched_from = resume_state.get("propagation_switched_from")
        for m in self.trained_modules(model):
            for p in m.parameters():
                p.requires_grad_(True)

    def switch_propagation(self, model) -> None:
        """--propagation on an --init model: its decoder learns the new hint input."""
        new = getattr(self.args, "propagation", None)
        if new is None or new == model.cfg.propagation:
            return
        if not model.cfg.local or "decoder" not in self.parts:
            raise WeightsError(f"--propagation {new} changes what the decoder sees: it needs a "
                               f"local model and --train hnet,decoder")
        if model.cfg.hint_correction and new not in LEVIN_METHODS:
            raise WeightsError(f"--propagation {new}: this model's residual correction needs "
                               f"Levin propagation ({', '.join(LEVIN_METHODS)})")
        # The config is rebuilt (and checked) as a whole; a model that gains Levin propagation
        # gains the correction the app applies to such models.
        d = model.cfg.to_dict()
        keep = d["hint_correction"] if d["propagation"] in LEVIN_METHODS else None
        model.cfg = ModelConfig.from_dict({**d, "propagation": new, "hint_correction": keep})
        model.rtnet.cfg = model.cfg
        self.switched_from = d["propagation"]

    def set_train_mode(self, model):
        # The decoder, when it trains, keeps its BatchNorm statistics (eval mode): a user's
        # few photos adapt its weights, not the normalisation the whole model relies on.
        model.eval()
        model.hnet.train()

    def extra_state(self) -> dict:
        return {"trained": self.parts_label, "propagation_switched_from": self.switched_from}

    def history_fields(self):
        switched = {"propagation_switched_from": self.switched_from} if self.switched_from else {}
        vgg = {"vgg_lr_scale": VGG_LR_SCALE} if "vgg" in self.parts else {}
        return {**super().history_fields(), "trained": self.parts_label, **switched, **vgg}

    def loss_label(self):
        return "palette_mse" if self.distil else self.args.loss

    def prepare(self, run, train_sets, shares):
        # Counted as the app's retraining window counts them (photo files in the folders,
        # before the held-out share and the near-grayscale ones are set aside), so the two
        # agree on which folders are "few"; --limit caps each folder as training does.
        cap = min(getattr(self.args, "limit", 0) or FEW_PHOTOS, FEW_PHOTOS)
        photos = sum(count_photos(Source.parse(d).path, stop_at=cap) for d in self.args.data)
        if "decoder" in self.parts and photos < FEW_PHOTOS:
            log.warning("only %d photos: below %d, a colouring network (decoder) adapted to them "
                        "colours such photos no better than the hint network alone (--train hnet) "
                        "and other photos worse (README, \"Retraining on a few photos\")",
                        photos, FEW_PHOTOS)
        # An adapted classifier keeps its own loss, so its distribution (the app's "suggested
        # here" colours) stays a distribution over colours, not just features for the decoder.
        if "gray" in self.parts and run.model.rtnet.classifier is not None:
            self.class_weights = torch.from_numpy(colour_prior_weights(train_sets, shares)).to(run.device)

    def loss(self, run, fwd, l, ab, h7):
        with autocast_for(run.device, run.precision):
            if self.distil:
                pred_pal, target = fwd(l, h7, lab_norm=torch.cat([l, ab], 1), mode="distil")
                loss = F.mse_loss(pred_pal.float(), target.float())
                return loss, loss
            if self.class_weights is None:
                pred = fwd(l, h7)
            else:
                pred, logits = fwd(l, h7, with_logits=True)
        colour = self.shown_loss(pred, ab, l, h7)
        if self.class_weights is None:
            return colour, colour
        cls = rebalanced_cross_entropy(logits, ab, run.model.rtnet.classifier.centres,
                                       self.class_weights)
        return colour + self.args.cls_weight * cls, colour


TRAINABLE_PARTS = ("hnet", "decoder", "gray", "vgg")

# The hnet stage's --train vgg: VGG16's conv4 and conv5 blocks learn at this share of the LR.
VGG_LR_SCALE = 0.1


def parse_parts(text: str) -> tuple[str, ...]:
    """--train's comma-separated parts -> a checked tuple that always includes HNet."""
    parts = tuple(p.strip() for p in text.split(",") if p.strip())
    unknown = [p for p in parts if p not in TRAINABLE_PARTS]
    if (unknown or "hnet" not in parts or ("gray" in parts and "decoder" not in parts)
            or ("vgg" in parts and "gray" not in parts)):
        raise ValueError(f"--train {text!r}: expected hnet, hnet,decoder, hnet,decoder,gray "
                         f"or hnet,decoder,gray,vgg")
    return tuple(p for p in TRAINABLE_PARTS if p in parts)
