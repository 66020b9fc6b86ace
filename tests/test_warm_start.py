"""A new architecture warm-started from a trained model starts exactly where that model was,
and resuming refuses a checkpoint that does not match its model."""
import json

import numpy as np
import pytest
import torch

from net.models import ColorizationModel, ModelConfig
from net.propagation import hint_input
from net.weights import import_vgg16, load_model
from training.checkpoint import load_checkpoint, save_checkpoint
from training.train import main as train_main
from training.warm_start import warm_start

from .conftest import train_tiny


@pytest.fixture(scope="module")
def plain_local(tmp_path_factory, photo_dir, vgg_file):
    """A tiny local model without semantics or classifier (like the previous default)."""
    return train_tiny("local", tmp_path_factory.mktemp("plain"), photo_dir, vgg_file, steps=10,
                      extra=["--no-semantic", "--no-classifier", "--propagation", "levin"])


def test_warm_started_model_computes_what_its_source_did(plain_local, vgg_file):
    old, _ = load_model(plain_local)
    new = ColorizationModel(ModelConfig())              # semantic features + classifier
    import_vgg16(new, vgg_file)
    summary = warm_start(new, str(plain_local))
    assert summary["copied"] > 50 and summary["grown"] == ["rtnet.dec4.0.0.weight"]
    old.eval(); new.eval()
    rng = np.random.default_rng(0)
    l = rng.uniform(-0.5, 0.5, (1, 1, 64, 64)).astype(np.float32)
    h4 = np.zeros((4, 64, 64), np.float32)
    h4[0] = l[0, 0]
    h4[1:3, 20:26, 30:36] = np.array([0.4, 0.2], np.float32)[:, None, None]
    h4[3, 20:26, 30:36] = 1
    h = hint_input(h4, "levin")[None]
    with torch.no_grad():
        a = old(torch.from_numpy(l), torch.from_numpy(h))
        b = new(torch.from_numpy(l), torch.from_numpy(h))
    assert torch.allclose(a, b, atol=1e-5)


def test_warm_start_records_where_it_came_from(plain_local, photo_dir, vgg_file, tmp_path):
    w = train_tiny("local", tmp_path / "ws", photo_dir, vgg_file, steps=4,
                   extra=["--warm-start", str(plain_local)])
    meta = json.loads(w.with_suffix(".json").read_text())
    stages = meta["training_history"]
    assert len(stages) == 2 and stages[-1]["warm_start"]["from"] == str(plain_local)
    assert meta["config"]["semantic"] and meta["config"]["ab_classes"] > 0


def test_resume_refuses_a_checkpoint_of_another_architecture(photo_dir, vgg_file, tmp_path, capsys):
    out = tmp_path / "run"
    train_tiny("local", out, photo_dir, vgg_file, steps=2)
    ck = load_checkpoint(out / "checkpoint.pt")
    ck["model"] = {k: v for k, v in ck["model"].items() if "classifier" not in k}
    save_checkpoint(out / "checkpoint.pt", ck)
    rc = train_main(["local", "--data", str(photo_dir), "--out", str(out), "--steps", "4",
                     "--batch", "8", "--size", "64", "--workers", "0", "--no-progress", "--resume"])
    assert rc == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "does not match the model" in err[0]
