"""The ``affinity`` stage: learn where the residual correction may spread a hint's colour.

``colorizer-train affinity --init LOCAL_MODEL`` gives a local model (one the app corrects) a
learned affinity embedding (:mod:`net.affinity`), or goes on training the one it has, and
trains that embedding alone. Everything else is frozen and run without gradients; the loss is
the colour loss of the result after the correction (:func:`training.losses.through_correction`
with the embedding), so the only thing learnt is how the correction's Levin weights should be
bent by what the gray features say about the photo. The exported model is the --init model
plus the embedding: its colours without hints are the same, and the preview costs the same.
"""
from __future__ import annotations

import torch

from net.affinity import AFFINITY_CHANNELS
from net.device import autocast_for
from net.weights import WeightsError

from .losses import through_correction
from .stages import Stage


class AffinityStage(Stage):
    name, variant, default_lr = "affinity", "local", 1e-3
    needs_init = "a trained local model"                  # new_model refuses without --init

    def __init__(self, args):
        args.correction_loss = True          # the embedding acts only through the correction
        super().__init__(args)
        self.channels = AFFINITY_CHANNELS

    def check_init(self, model, path):
        super().check_init(model, path)
        if not model.cfg.hint_correction:
            raise WeightsError(f"{path}: the affinity stage needs a model with the residual "
                               f"correction (a local model with Levin propagation)")

    def configure(self, model, init_meta, resume_state):
        for p in model.parameters():
            p.requires_grad_(False)
        if model.affinity is None:                  # a new embedding (a resumed run has it)
            with torch.random.fork_rng():
                torch.manual_seed(self.args.seed)
                model.add_affinity(AFFINITY_CHANNELS)
        self.channels = model.cfg.affinity
        for p in model.affinity.parameters():
            p.requires_grad_(True)

    def set_train_mode(self, model):
        model.eval()
        model.affinity.train()

    def loss(self, run, fwd, l, ab, h7):
        with autocast_for(run.device, run.precision):
            pred, embedding = fwd(l, h7, mode="affinity")
        colour = self.colour_loss(through_correction(pred, l, h7, embedding.float()), ab)
        # A batch without any hint leaves the correction (and the loss) independent of the
        # embedding; this keeps the loss differentiable (and DDP's gradients in step) then.
        colour = colour + 0.0 * embedding.float().sum()
        return colour, colour

    def history_fields(self):
        return {**super().history_fields(), "trained": "affinity",
                "affinity_channels": self.channels}
