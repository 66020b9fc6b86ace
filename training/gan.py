"""pix2pix for colorization (Isola et al. 2017): the ``pix2pix`` training stage.

Phase 1 (the first ``--pretrain-steps`` steps): the VGG16-encoder U-Net generator alone
with MSE. Phase 2: the generator with L1 (lambda 100) plus the adversarial loss of a
conditional 70x70 PatchGAN that sees L concatenated with real or generated ab; both with
Adam (lr 2e-4, beta1 0.5), one discriminator step then one generator step per batch.
The discriminator and its optimizer live in the checkpoint, never in the exported weights.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from net.auto_models import PatchDiscriminator
from net.device import autocast_for

from .checkpoint import CheckpointError
from .stages import AutoStage, check_finite

LAMBDA_L1 = 100.0


def _bce(logits, real: bool):
    return F.binary_cross_entropy_with_logits(
        logits, torch.full_like(logits, 1.0 if real else 0.0))


class Pix2PixStage(AutoStage):
    name = variant = "pix2pix"
    default_lr = 2e-4
    betas = (0.5, 0.999)

    def pretrain_steps(self) -> int:
        a = self.args
        return a.pretrain_steps if a.pretrain_steps is not None else a.steps // 3

    def in_pretraining(self, run, step) -> bool:
        """MSE pre-training: --pretrain-steps, or the first third of the run (steps or time)."""
        if self.args.pretrain_steps is not None:
            return step < self.args.pretrain_steps
        if self.gan_from is not None:
            return step < self.gan_from
        if run.progress(step) < 1 / 3:
            return True
        self.gan_from = step
        return False

    def loss_label(self):
        return f"mse then l1x{LAMBDA_L1:g}+patchgan"

    def setup_extra(self, run, resume_state):
        self.disc = PatchDiscriminator().to(run.device)
        self.gan_from = resume_state.get("gan_from") if resume_state is not None else None
        self.disc_opt = torch.optim.Adam(self.disc.parameters(), lr=run.base_lr, betas=self.betas)
        if resume_state is not None:
            if "disc" not in resume_state or "disc_optimizer" not in resume_state:
                raise CheckpointError("the pix2pix checkpoint has no discriminator state")
            try:
                self.disc.load_state_dict(resume_state["disc"], strict=True)
                self.disc_opt.load_state_dict(resume_state["disc_optimizer"])
            except (RuntimeError, ValueError, KeyError) as e:
                first = str(e).strip().splitlines()[0]
                raise CheckpointError(f"the discriminator in the checkpoint does not match "
                                      f"({first[:200]})") from None
        self.disc_ddp = self.disc
        if run.world > 1:
            self.disc_ddp = torch.nn.parallel.DistributedDataParallel(
                self.disc, device_ids=[run.device.index] if run.device.type == "cuda" else None)
        self.disc.train()

    def extra_state(self):
        return {"disc": self.disc.state_dict(), "disc_optimizer": self.disc_opt.state_dict(),
                "gan_from": self.gan_from}

    def set_lr(self, lr):
        for g in self.disc_opt.param_groups:
            g["lr"] = lr

    def history_fields(self):
        return {"pretrain_steps": self.gan_from if self.gan_from is not None else self.pretrain_steps(),
                "lambda_l1": LAMBDA_L1}

    def train_step(self, run, l, ab, h7, step):
        if self.in_pretraining(run, step):
            return super().train_step(run, l, ab, h7, step)
        with autocast_for(run.device, run.precision):
            fake = run.ddp(l, h7).float()
            # discriminator: real and generated pairs in one forward (one DDP reduction)
            d = self.disc_ddp(torch.cat([l, l]), torch.cat([ab, fake.detach()]))
        n = l.shape[0]
        d_loss = 0.5 * (_bce(d[:n], True) + _bce(d[n:], False))
        check_finite(d_loss, step)
        self.disc_opt.zero_grad(set_to_none=True)
        d_loss.backward()
        self.disc_opt.step()
        # generator: fool the just updated discriminator (frozen for this pass, as pix2pix's
        # set_requires_grad) and stay close in L1
        self._disc_trainable(False)
        try:
            with autocast_for(run.device, run.precision):
                g_adv = _bce(self.disc(l, fake), True)
        finally:
            self._disc_trainable(True)
        g_l1 = F.l1_loss(fake, ab)
        g_loss = g_adv + LAMBDA_L1 * g_l1
        check_finite(g_loss, step)
        run.opt.zero_grad(set_to_none=True)
        g_loss.backward()
        run.opt.step()
        return g_loss.item()

    def _disc_trainable(self, flag: bool):
        for p in self.disc.parameters():
            p.requires_grad_(flag)
