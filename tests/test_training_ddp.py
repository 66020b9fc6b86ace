"""Training with DistributedDataParallel: two CPU processes under torchrun (gloo) train one
model, keep identical parameters, and stop together."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .test_training import REPO, rows


def torchrun(module_args, port, timeout=600):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
                           "--master_port", str(port), "-m", *module_args],
                          cwd=REPO, capture_output=True, text=True, timeout=timeout, env=env)


TINY_DDP = ["--steps", "6", "--batch", "2", "--size", "32", "--workers", "0", "--ckpt-every", "3",
            "--val-every", "3", "--val-count", "4", "--no-progress", "--device", "cpu"]


@pytest.mark.slow
def test_distributed_two_cpu_processes(tmp_path, photo_dir, vgg_file):
    out = tmp_path / "ddp"
    r = torchrun(["training.train", "local", "--data", str(photo_dir), "--out", str(out),
                  "--vgg", str(vgg_file), *TINY_DDP], 29533)
    assert r.returncode == 0, r.stderr[-2000:]
    assert (out / "model.safetensors").is_file()
    import json
    hist = json.loads((out / "model.json").read_text())["training_history"][-1]
    assert hist["batch"] == 4                          # 2 processes x batch 2
    assert [int(x["step"]) for x in rows(out)][-1] == 6


@pytest.mark.slow
@pytest.mark.parametrize("stage,port", [("hnet", 29541), ("local", 29542), ("pix2pix", 29543)])
def test_distributed_ranks_keep_identical_parameters(stage, port, tmp_path, photo_dir, vgg_file,
                                                     seed_weights):
    """Every stage's forward goes through DistributedDataParallel, so the two ranks (which see
    different photos) end with the same parameters; the seed HNet distillation used to bypass it."""
    import torch
    out = tmp_path / stage
    out.mkdir()
    extra = (["--init", str(seed_weights)] if stage == "hnet" else
             ["--vgg", str(vgg_file)] + (["--pretrain-steps", "2"] if stage == "pix2pix" else []))
    r = torchrun(["tests.ddp_worker", str(out), stage, "--data", str(photo_dir), "--out", str(out),
                  *extra, *TINY_DDP], port)
    assert r.returncode == 0, r.stderr[-2000:]
    a, b = torch.load(out / "rank0.pt"), torch.load(out / "rank1.pt")
    assert a.keys() == b.keys()
    differ = [k for k in a if not torch.equal(a[k], b[k])]
    assert not differ, f"{len(differ)} parameters differ between ranks, e.g. {differ[:3]}"
    if stage == "hnet":                               # it did distil, and HNet moved
        assert torch.load(out / "checkpoint.pt", weights_only=True)["distil"] is True
        from net.weights import load_model
        start, _ = load_model(seed_weights)
        sd = start.state_dict()
        moved = max(float((a[k] - sd[k].float()).abs().max()) for k in a if k.startswith("hnet."))
        assert moved > 1e-4


@pytest.mark.slow
def test_a_sigterm_to_one_process_stops_both_at_the_same_step(tmp_path, photo_dir, vgg_file):
    """A SIGTERM that reaches one process of a torchrun run (a scheduler, a kill of one PID)
    stopped that process alone; the other waited for it at its next gradient exchange for ever.
    Now both stop at the same step, the checkpoint holds it, and the run resumes from there."""
    import torch
    out = tmp_path / "ddp"
    args = ["-m", "training.train", "local", "--data", str(photo_dir), "--out", str(out),
            "--vgg", str(vgg_file), "--steps", "400", "--batch", "2", "--size", "32",
            "--workers", "0", "--ckpt-every", "2", "--val-every", "1000", "--no-progress",
            "--device", "cpu"]
    p = subprocess.Popen([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
                          "--master_port", "29551", *args], cwd=REPO, env=dict(
                              os.environ, OMP_NUM_THREADS="1"),
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 300
        while time.time() < deadline and not (out / "checkpoint.pt").exists():
            time.sleep(0.2)
        assert (out / "checkpoint.pt").exists(), "no checkpoint"
        rank1 = next(pid for pid in workers(p.pid) if environ(pid).get("RANK") == "1")
        os.kill(rank1, signal.SIGTERM)
        p.wait(timeout=120)                       # (it hung here for ever)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    saved = torch.load(out / "checkpoint.pt", weights_only=True)["step"]
    assert 0 < saved < 400
    assert not (out / "model.safetensors").exists()
    logged = [int(x["step"]) for x in rows(out)]
    assert logged[-1] == saved                    # the log ends where the checkpoint is


def workers(pid: int) -> list[int]:
    """The processes torchrun ``pid`` started (its children, through /proc)."""
    kids = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        kids += [int(k) for k in text]
    return kids


def environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(x.decode(errors="replace").split("=", 1) for x in raw if b"=" in x)
