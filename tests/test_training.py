"""Training: loss falls, resume continues, bad input gives one line and a non-zero exit."""
import csv
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image


from .conftest import train_tiny

REPO = Path(__file__).resolve().parent.parent


def rows(out: Path):
    with open(out / "log.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_tiny_local_run_loss_falls_and_exports(local_weights):
    out = local_weights.parent
    r = rows(out)
    val = [float(x["val_loss"]) for x in r if x["val_loss"]]
    assert r[0]["step"] == "0" and not r[0]["train_loss"]   # step 0: the model it started from
    assert len(val) >= 5
    assert val[-1] < val[0] * 0.8                     # validation loss fell
    assert (out / "loss.png").stat().st_size > 1000
    assert local_weights.is_file()


def test_seed_rtnet_then_hnet_distillation(seed_weights, photo_dir, tmp_path):
    out = tmp_path / "hnet"
    w = train_tiny("hnet", out, photo_dir, None, steps=20, extra=["--init", str(seed_weights)])
    import json
    meta = json.loads(w.with_suffix(".json").read_text())
    assert [h["stage"] for h in meta["training_history"]] == ["rtnet", "hnet"]
    r = rows(out)
    val = [float(x["val_loss"]) for x in r if x["val_loss"]]
    assert val[-1] < val[0]                   # HNet approaches CNN1's palettes (0: untrained)


def run_cli(args, timeout=600, env=None):
    return subprocess.run([sys.executable, "-m", "training.train", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout,
                          env=None if env is None else {**os.environ, **env})


def test_resume_after_kill_continues_from_saved_step(photo_dir, vgg_file, tmp_path):
    out = tmp_path / "run"
    args = ["local", "--data", str(photo_dir), "--out", str(out), "--vgg", str(vgg_file),
            "--steps", "60", "--batch", "4", "--size", "32", "--workers", "0",
            "--ckpt-every", "5", "--val-every", "1000", "--no-progress"]
    p = subprocess.Popen([sys.executable, "-m", "training.train", *args], cwd=REPO,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ckpt = out / "checkpoint.pt"
    deadline = time.time() + 300
    while time.time() < deadline and not (ckpt.exists() and len(rows(out)) >= 2):
        time.sleep(0.2)
    time.sleep(random.uniform(0.0, 1.0))                 # kill at an arbitrary moment
    p.send_signal(signal.SIGKILL)
    p.wait()
    import torch
    reached = max(int(x["step"]) for x in rows(out))     # a step the run had certainly finished
    saved = torch.load(ckpt, weights_only=True)["step"]
    assert saved % 5 == 0 and saved >= reached - 5       # lost at most one checkpoint interval
    r = run_cli(args + ["--resume"])
    assert r.returncode == 0, r.stderr
    steps = [int(x["step"]) for x in rows(out)]
    assert steps == sorted(steps) and steps[-1] == 60   # no duplicated or lost rows
    assert torch.load(ckpt, weights_only=True)["step"] == 60


def one_line_error(r):
    assert r.returncode == 2, r.stdout + r.stderr
    lines = [x for x in r.stderr.strip().splitlines() if x.strip()]
    assert lines and lines[-1].startswith("colorizer-train: error:"), r.stderr
    assert "Traceback" not in r.stderr
    return lines[-1]


def test_missing_data_folder(tmp_path, vgg_file):
    msg = one_line_error(run_cli(["local", "--data", str(tmp_path / "nope"), "--out",
                                  str(tmp_path / "o"), "--vgg", str(vgg_file)]))
    assert "does not exist" in msg


def test_empty_data_folder(tmp_path, vgg_file):
    (tmp_path / "empty").mkdir()
    msg = one_line_error(run_cli(["local", "--data", str(tmp_path / "empty"), "--out",
                                  str(tmp_path / "o"), "--vgg", str(vgg_file)]))
    assert "no photos" in msg


def test_folder_without_usable_photos(tmp_path, vgg_file):
    d = tmp_path / "gray"
    d.mkdir()
    Image.fromarray(np.full((64, 64), 90, np.uint8)).convert("RGB").save(d / "flat.png")
    (d / "broken.jpg").write_bytes(b"not a jpeg")
    msg = one_line_error(run_cli(["local", "--data", str(d), "--out", str(tmp_path / "o"),
                                  "--vgg", str(vgg_file)]))
    assert "no usable colour photos" in msg and "1 unreadable" in msg and "1 near-grayscale" in msg


def test_corrupt_checkpoint(tmp_path, photo_dir, vgg_file):
    out = tmp_path / "o"
    out.mkdir()
    (out / "checkpoint.pt").write_bytes(b"\x80\x04garbage")
    msg = one_line_error(run_cli(["local", "--data", str(photo_dir), "--out", str(out),
                                  "--vgg", str(vgg_file), "--resume"]))
    assert "corrupt" in msg


def test_mismatched_resume(tmp_path, photo_dir, seed_weights):
    # seed_weights' run folder holds an rtnet checkpoint; resuming it as "local" is refused.
    msg = one_line_error(run_cli(["local", "--data", str(photo_dir), "--out",
                                  str(seed_weights.parent), "--resume"]))
    assert "rtnet" in msg


def test_existing_run_is_not_overwritten(tmp_path, photo_dir, seed_weights):
    msg = one_line_error(run_cli(["rtnet", "--data", str(photo_dir), "--out",
                                  str(seed_weights.parent), "--vgg", "x"]))
    assert "--resume" in msg


def test_resumed_hnet_run_keeps_provenance_and_distillation(seed_weights, photo_dir, tmp_path):
    """--resume: the export keeps the earlier stages' history and cnn1_trained (from the
    checkpoint's init_meta), and the run keeps distilling; a checkpoint that does not say
    whether it distils is refused rather than guessed."""
    import json
    import torch
    from training.checkpoint import load_checkpoint, save_checkpoint
    from training.train import main
    out = tmp_path / "hnet"
    train_tiny("hnet", out, photo_dir, None, steps=4, extra=["--init", str(seed_weights)])
    (out / "model.safetensors").unlink(); (out / "model.json").unlink()
    args = ["hnet", "--data", str(photo_dir), "--out", str(out), "--steps", "8", "--batch", "8",
            "--size", "64", "--workers", "0", "--val-every", "4", "--val-count", "8",
            "--ckpt-every", "4", "--no-progress", "--resume"]     # no --init: all from the checkpoint
    assert main(args) == 0
    meta = json.loads((out / "model.json").read_text())
    assert [h["stage"] for h in meta["training_history"]] == ["rtnet", "hnet"]
    assert meta["cnn1_trained"] is True
    assert meta["training_history"][-1]["loss"] == "palette_mse" and meta["training_history"][-1]["steps"] == 8
    ck = load_checkpoint(out / "checkpoint.pt")
    assert ck["distil"] is True and ck["step"] == 8
    # the sidecar is written only by the exporter: nothing else touched it
    assert "tensors_sha256" in meta
    del ck["distil"]
    save_checkpoint(out / "checkpoint.pt", ck)
    r = run_cli(args[:args.index("--steps")] + ["--steps", "12"] + args[args.index("--steps") + 2:])
    assert "whether it distils" in one_line_error(r)
    assert torch.load(out / "checkpoint.pt", weights_only=True)["step"] == 8


def test_time_limit_ends_the_run_and_exports(photo_dir, tmp_path):
    import json
    out = tmp_path / "budget"
    # 3 s: far short of 100000 steps, and room for the first step on a loaded machine (0.12 s
    # ended a run at step 0 while two trainings shared the CPU)
    w = train_tiny("autoencoder", out, photo_dir, None, steps=100000, extra=["--time-limit", "0.05"])
    meta = json.loads(w.with_suffix(".json").read_text())
    steps = meta["training_history"][-1]["steps"]
    assert 1 <= steps < 100000
    import torch
    assert torch.load(out / "checkpoint.pt", weights_only=True)["step"] == steps


def test_the_same_seed_trains_the_same_model(photo_dir, tmp_path):
    """--seed makes a run from scratch repeatable: it also seeds the new model's initial weights
    (they followed whatever random numbers earlier code in the process had drawn)."""
    from safetensors.torch import load_file

    def run(name, seed):
        torch.rand(7)                      # earlier use of the global generator must not matter
        w = train_tiny("autoencoder", tmp_path / name, photo_dir, None, steps=2,
                       extra=["--seed", str(seed), "--precision", "fp32"])
        return load_file(str(w))

    a, b, c = run("a", 5), run("b", 5), run("c", 6)
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert any(not torch.equal(a[k], c[k]) for k in a)


def test_the_schedule_ends_with_the_time_budget_when_that_comes_first():
    from types import SimpleNamespace

    from training.run import Run
    run = SimpleNamespace(args=SimpleNamespace(steps=1_000_000), base_lr=1.0, time_fraction=0.0)
    run.progress = lambda step: Run.progress(run, step)
    lr = lambda step, used: (setattr(run, "time_fraction", used), Run.lr_at(run, step))[1]  # noqa: E731
    assert lr(0, 0.0) == lr(0, 0.0) < 0.01                 # warm-up by steps, as without a budget
    assert lr(10, 0.05) == 0.5                             # half-way through a tenth of the budget
    assert 0.5 < lr(500, 0.5) < 0.55                       # cosine by time: half the budget, half lr
    assert lr(600, 0.999) < 0.051                          # the budget's end is the schedule's end
    assert lr(500_000, 0.0) == lr(500_000, 0.1) > 0.5      # steps ahead of time: steps decide
    assert run.progress(500_000) == 0.5 and run.progress(10) == 0.1


def test_the_weights_at_the_lowest_validation_loss_are_kept(photo_dir, tmp_path):
    import csv
    import json
    out = tmp_path / "best"
    train_tiny("autoencoder", out, photo_dir, None, steps=40)
    rows = [r for r in csv.DictReader(open(out / "log.csv")) if r["val_loss"]]
    assert [r["step"] for r in rows] == ["0", "10", "20", "30", "40"]
    rows = rows[1:]                     # step 0 is the untrained model, not a candidate
    best = min(rows, key=lambda r: float(r["val_loss"]))
    meta = json.loads((out / "best.json").read_text())["training_history"][-1]
    assert meta["steps"] == int(best["step"])
    assert meta["best_val_loss"] == pytest.approx(float(best["val_loss"]), abs=1e-6)   # log: 6 decimals
    from net import Colorizer
    assert Colorizer.load(out / "best.safetensors", device="cpu").variant == "autoencoder"


def test_snapshots_along_a_run_are_exported_at_the_requested_steps(photo_dir, tmp_path):
    """--save-at: RUN/step-N.safetensors holds the weights at step N, recorded as N steps."""
    import json
    from safetensors.torch import load_file
    out = tmp_path / "snap"
    train_tiny("autoencoder", out, photo_dir, None, steps=30, extra=["--save-at", "10", "30"])
    assert sorted(p.name for p in out.glob("step-*.safetensors")) == [
        "step-10.safetensors", "step-30.safetensors"]
    for n in (10, 30):
        meta = json.loads((out / f"step-{n}.json").read_text())
        assert meta["training_history"][-1]["steps"] == n
    a, b = load_file(str(out / "step-10.safetensors")), load_file(str(out / "model.safetensors"))
    assert any(not torch.equal(a[k], b[k]) for k in a)
    c = load_file(str(out / "step-30.safetensors"))                # the last step: the final weights
    assert all(torch.equal(c[k], b[k]) for k in b)
    r = run_cli(["autoencoder", "--data", str(photo_dir), "--out", str(tmp_path / "x"),
                 "--steps", "20", "--save-at", "25"], timeout=120)
    assert r.returncode == 2 and "--save-at takes steps from 1 to --steps (20)" in r.stderr
    from net import Colorizer
    assert Colorizer.load(out / "step-10.safetensors", device="cpu").variant == "autoencoder"


def test_the_correction_loss_sees_what_the_app_shows_and_its_gradient():
    """--correction-loss: the loss sees the network's chroma after the app's residual correction
    (Propagator.correct, sample by sample), and its gradient follows the correction: a smooth
    change of the network's output changes the loss as the real correction says (held constant,
    the correction's share of that change would be missed entirely; through the coarsest level
    alone it was 2-24 % off)."""
    import cv2
    import torch
    from net.propagation import Propagator
    from training.data import make_sample
    from training.hint_sampling import HintSamplingConfig
    from training.losses import through_correction

    rng = np.random.default_rng(3)
    rgb = np.full((48, 48, 3), 60, np.uint8)
    rgb[:, 30:] = 200                                  # a strong edge
    rgb[:, :30, 0] = np.linspace(40, 120, 30).astype(np.uint8)
    cfg = HintSamplingConfig()
    l0, _, h0, _ = make_sample(rgb, rng, 48, cfg, train=False, propagation="levin",
                               circles=[(10.0, 12.0, 3.0, 0.5, -0.3), (20.0, 36.0, 2.0, -0.2, 0.4),
                                        (40.0, 24.0, 2.0, 0.1, 0.1)])
    l1, _, h1, _ = make_sample(rgb, rng, 48, cfg, train=False, propagation="levin", circles=[])
    l, h7 = torch.from_numpy(np.stack([l0, l1])), torch.from_numpy(np.stack([h0, h1]))
    y = rng.uniform(-0.2, 0.2, (2, 2, 48, 48)).astype(np.float32)
    pred = torch.from_numpy(y).requires_grad_(True)
    shown = through_correction(pred, l, h7)

    prop = Propagator(l0[0], "levin")
    np.testing.assert_allclose(shown[0].detach().numpy(), prop.correct(y[0], h0[:4]), atol=1e-5)
    hinted = h0[3] > 0
    np.testing.assert_allclose(shown[0].detach().numpy()[:, hinted], h0[1:3][:, hinted], atol=1e-5)
    np.testing.assert_array_equal(shown[1].detach().numpy(), y[1])     # no hints: unchanged

    g = np.stack([cv2.GaussianBlur(c, (0, 0), 4) for c in rng.normal(size=(2, 48, 48))])
    v = np.stack([cv2.GaussianBlur(c, (0, 0), 5) for c in rng.normal(size=(2, 48, 48))])
    g, v = (x.astype(np.float32) * 10 for x in (g, v))
    (shown[0] * torch.from_numpy(g)).sum().backward()
    eps = 1e-2
    moved = (prop.correct(y[0] + eps * v, h0[:4]) - prop.correct(y[0], h0[:4])) / eps
    true, held = float((g * moved).sum()), float((g * v).sum())
    ours = float((pred.grad[0].numpy() * v).sum())
    assert abs(ours - true) < 0.05 * abs(true - held), (ours, true, held)
    assert np.all(pred.grad[1].numpy() == 0)


def test_a_correction_loss_run_is_recorded_and_resumed_only_the_same_way(local_weights, photo_dir,
                                                                         seed_weights, tmp_path):
    import json
    w = train_tiny("hnet", tmp_path / "c", photo_dir, None, steps=4,
                   extra=["--init", str(local_weights), "--train", "hnet,decoder", "--correction-loss"])
    meta = json.loads(w.with_suffix(".json").read_text())
    assert meta["training_history"][-1]["correction_loss"] is True
    base = ["hnet", "--data", str(photo_dir), "--steps", "8", "--batch", "8", "--size", "64",
            "--workers", "0", "--val-count", "8", "--no-progress", "--train", "hnet,decoder"]
    w.unlink()
    r = run_cli(base + ["--out", str(tmp_path / "c"), "--resume"])    # the run's own choice
    assert r.returncode == 0, r.stderr
    assert json.loads(w.with_suffix(".json").read_text())["training_history"][-1]["correction_loss"] is True
    r = run_cli(base + ["--out", str(tmp_path / "n"), "--init", str(local_weights), "--steps", "2"])
    assert r.returncode == 0, r.stderr
    (tmp_path / "n" / "model.safetensors").unlink()
    r = run_cli(base + ["--out", str(tmp_path / "n"), "--resume", "--correction-loss"])
    assert "was started without --correction-loss" in one_line_error(r)
    r = run_cli(base[:-2] + ["--out", str(tmp_path / "s"), "--init", str(seed_weights),
                             "--correction-loss"])
    assert "--correction-loss needs a local model" in one_line_error(r)


def test_the_psnr_loss_follows_the_mean_psnr_not_the_worst_crops():
    """--loss psnr: its gradient is the mean log-error's (the sweep's mean PSNR), so a crop
    coloured almost right pulls as hard as a badly coloured one; a plain MSE would let the bad
    crop's error drown it."""
    from training.losses import PSNR_FLOOR, psnr_mse
    target = torch.zeros(2, 2, 8, 8)
    pred = torch.cat([torch.full((1, 2, 8, 8), 0.5), torch.full((1, 2, 8, 8), 0.02)]).requires_grad_()
    psnr_mse(pred, target).backward()
    g = pred.grad.clone()
    pred.grad = None
    per = pred.square().flatten(1).mean(1)
    torch.log(per + PSNR_FLOOR).mean().backward()
    ratio = (g / pred.grad).flatten()
    assert torch.allclose(ratio, ratio[0].expand_as(ratio), rtol=1e-4)   # same direction and shares
    # per unit of error, the nearly right crop gets ~160x the bad crop's pull
    pull = g.abs().flatten(1).mean(1) / pred.detach().abs().flatten(1).mean(1)
    assert pull[1] > 100 * pull[0]
    # the value stays at an MSE's scale (weights of mean 1), so --cls-weight keeps its meaning
    assert float(psnr_mse(pred, target)) <= float(per.max()) and float(psnr_mse(pred, target)) > 0

