"""Run under torchrun by tests/test_training_ddp.py: train, then save this rank's parameters.

    python -m torch.distributed.run --nproc_per_node 2 -m tests.ddp_worker DUMP_DIR STAGE ARGS...
"""
import sys
from pathlib import Path

import torch

from training.loop import train
from training.train import build_parser


def main() -> None:
    dump = Path(sys.argv[1])
    args = build_parser().parse_args(sys.argv[2:])

    def save_params(run):
        params = {k: v.detach().cpu().clone() for k, v in run.model.named_parameters()}
        disc = getattr(run.stage, "disc", None)
        if disc is not None:
            params.update({f"disc.{k}": v.detach().cpu().clone() for k, v in disc.named_parameters()})
        torch.save(params, dump / f"rank{run.rank}.pt")

    train(args, on_finish=save_params)


if __name__ == "__main__":
    main()
