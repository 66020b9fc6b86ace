"""Learned affinities (net.affinity): the correction spreads a hint where the model's features
say the colour continues, and the `affinity` stage trains them through the correction."""
import json

import numpy as np
import pytest

from .conftest import train_tiny
from .test_training import one_line_error, run_cli


def _flat_hint(h=64, w=64):
    l_norm = np.full((h, w), 0.1, np.float32)
    hint4 = np.zeros((4, h, w), np.float32)
    hint4[0] = l_norm
    hint4[3, 30:34, 10:14] = 1.0
    hint4[1, 30:34, 10:14] = 0.5                      # a red hint on the left half
    return l_norm, hint4


def test_a_uniform_embedding_keeps_levins_weights():
    import torch
    from net.affinity import learned_affinities
    from net.levin_propagation import LevinPyramid

    rng = np.random.default_rng(0)
    pyr = LevinPyramid(rng.uniform(0, 1, (80, 48)).astype(np.float32))
    emb = torch.full((4, 80, 48), 0.7)
    for ours, levin in zip(learned_affinities(pyr.wts, emb), pyr.wts):
        np.testing.assert_allclose(ours.numpy(), levin.numpy(), atol=1e-6)


def test_an_embedding_boundary_stops_a_hint_where_the_luminance_has_no_edge():
    """On a flat photo Levin's weights carry a lone hint's colour over the whole photo; an
    embedding that differs between the halves keeps it on its own half."""
    from net.propagation import Propagator

    l_norm, hint4 = _flat_hint()
    ab = np.zeros((2, 64, 64), np.float32)
    plain = Propagator(l_norm, "levin").correct(ab, hint4)
    emb = np.zeros((2, 64, 64), np.float32)
    emb[0, :, 32:] = 3.0
    steered = Propagator(l_norm, "levin")
    steered.set_correction_affinity(emb)
    learned = steered.correct(ab, hint4)
    assert plain[0, :, 40:].mean() > 0.25                 # Levin: the far half turns red too
    assert learned[0, :, 40:].max() < 0.02                # learned: it stays on its half
    assert learned[0, :, :28].mean() > plain[0, :, :28].mean()   # ... which it fills
    hinted = hint4[3] > 0
    np.testing.assert_allclose(learned[0][hinted], 0.5, atol=1e-5)


def test_the_correction_loss_with_an_embedding_is_the_apps_and_its_gradient_reaches_it():
    """Training sees exactly the app's steered correction, and the embedding's gradient is
    the true one (finite differences along a smooth direction)."""
    import cv2
    import torch
    from net.propagation import Propagator
    from training.losses import through_correction

    rng = np.random.default_rng(2)
    l_norm, hint4 = _flat_hint(48, 64)
    l_norm = (l_norm + rng.normal(0, 0.05, l_norm.shape)).astype(np.float32)
    hint4[0] = l_norm
    hint4[3, 5:8, 50:53] = 1.0
    hint4[2, 5:8, 50:53] = -0.4
    smooth = lambda s: np.stack([cv2.GaussianBlur(c, (0, 0), s) for c in  # noqa: E731
                                 rng.normal(size=(4, 48, 64)).astype(np.float32)]) * 8
    emb = smooth(3)
    y = rng.uniform(-0.2, 0.2, (2, 48, 64)).astype(np.float32)
    l = torch.from_numpy(l_norm)[None, None]
    h7 = torch.zeros(1, 7, 48, 64)
    h7[0, :4] = torch.from_numpy(hint4)

    def app(e):
        prop = Propagator(l_norm, "levin")
        prop.set_correction_affinity(e)
        return prop.correct(y, hint4)

    e = torch.from_numpy(emb)[None].requires_grad_(True)
    shown = through_correction(torch.from_numpy(y)[None], l, h7, e)
    np.testing.assert_allclose(shown[0].detach().numpy(), app(emb), atol=2e-5)
    g = smooth(6)[:2]
    (shown[0] * torch.from_numpy(g)).sum().backward()
    v, eps = smooth(4), 1e-2
    true = float((g * (app(emb + eps * v) - app(emb - eps * v)) / (2 * eps)).sum())
    ours = float((e.grad[0].numpy() * v).sum())
    assert abs(true) > 1e-3 and abs(ours - true) < 0.05 * abs(true), (ours, true)


def test_the_affinity_stage_trains_the_embedding_alone_and_the_app_uses_it(
        local_weights, seed_weights, photo_dir, tmp_path):
    import torch
    from net import Colorizer
    from net.weights import load_model

    before, _ = load_model(local_weights)
    assert before.affinity is None
    out = train_tiny("affinity", tmp_path / "a", photo_dir, None, steps=6,
                     extra=["--init", str(local_weights)])
    after, meta = load_model(out)
    assert meta["config"]["affinity"] == after.cfg.affinity > 0
    old = before.state_dict()
    new = after.state_dict()
    assert {k for k in new if k not in old} and all(k.startswith("affinity.") for k in new
                                                     if k not in old)
    for k, v in old.items():                          # nothing of the colour model moved
        assert torch.equal(v, new[k]), k
    first = {k: v.clone() for k, v in new.items() if k.startswith("affinity.")}
    history = meta["training_history"][-1]
    assert history["stage"] == "affinity" and history["correction_loss"] is True

    # The app steers its correction by the embedding, and still passes through the hints.
    c = Colorizer.load(out, device="cpu", working_size=64)
    rgb = np.stack([np.tile(np.linspace(40, 220, 64, dtype=np.float32), (48, 1))] * 3, -1)
    s = c.open(rgb.astype(np.uint8))
    prop = s._propagator
    assert prop.correction_pyramid is not prop.pyramid
    assert not torch.equal(prop.correction_pyramid.wts[0], prop.pyramid.wts[0])
    painted = np.zeros((3,) + s.work_shape, np.float32)
    painted[:, 20:24, 30:34] = [[[0.4]], [[0.2]], [[1.0]]]
    ab = s.predict_ab_painted(painted)
    np.testing.assert_allclose(ab[21, 31] / 110.0, [0.4, 0.2], atol=0.02)

    # A run from a model that has an embedding goes on training that one; a resume continues.
    out2 = train_tiny("affinity", tmp_path / "b", photo_dir, None, steps=4,
                      extra=["--init", str(out)])
    again, _ = load_model(out2)
    assert any(not torch.equal(first[k], v) for k, v in again.state_dict().items() if k in first)
    (tmp_path / "b" / "model.safetensors").unlink()
    assert train_tiny("affinity", tmp_path / "b", photo_dir, None, steps=6,
                      extra=["--init", str(out), "--resume"]).exists()
    log = (tmp_path / "b" / "log.csv").read_text().splitlines()
    assert log[-1].startswith("6,")

    base = ["affinity", "--data", str(photo_dir), "--steps", "2", "--batch", "4", "--size", "64",
            "--workers", "0", "--val-count", "4", "--no-progress"]
    r = run_cli(base + ["--out", str(tmp_path / "s"), "--init", str(seed_weights)])
    assert "needs a local model" in one_line_error(r)
    r = run_cli(base + ["--out", str(tmp_path / "n")])
    assert "needs --init" in one_line_error(r)
    r = run_cli(["hnet"] + base[1:] + ["--out", str(tmp_path / "h"), "--init", str(out),
                                       "--correction-loss"])
    assert "learned affinity" in one_line_error(r)
    r = run_cli(["hnet"] + base[1:] + ["--out", str(tmp_path / "g"), "--init", str(out),
                                       "--train", "hnet,decoder,gray"])
    assert "learned affinity" in one_line_error(r)           # it would go stale
    r = run_cli(["local"] + base[1:] + ["--out", str(tmp_path / "l"), "--init", str(out)])
    assert "learned affinity" in one_line_error(r)
    assert "affinity" not in json.loads(local_weights.with_suffix(".json").read_text())["config"]
    assert json.loads((tmp_path / "a" / "model.json").read_text())["config"]["affinity"] > 0


def test_a_config_with_an_affinity_needs_the_correction():
    from net.models import ModelConfig
    with pytest.raises(ValueError, match="affinity"):
        ModelConfig(variant="local", affinity=-1)
    with pytest.raises(ValueError, match="affinity"):
        ModelConfig(variant="local", propagation="fgs", affinity=4)
    assert "affinity" not in ModelConfig(variant="local").to_dict()    # older readers load it
    assert ModelConfig(variant="local", affinity=4).to_dict()["affinity"] == 4


def _tiny_affinity_model():
    import torch
    from net.models import ColorizationModel, ModelConfig
    torch.manual_seed(0)
    return ColorizationModel(ModelConfig(variant="local", affinity=4)).eval()


def test_the_mirrored_embedding_averages_each_images_own_embedding():
    """The head was trained on one photo's features: with mirror averaging the app averages
    the two images' embeddings, not the embedding of averaged features."""
    import torch
    model = _tiny_affinity_model()
    l = torch.rand(1, 1, 32, 48) - 0.5
    with torch.no_grad():
        gray, emb = model.encode_photo(l, mirror=True)
        own = model.affinity(model.encode_gray(l))
        mirrored = torch.flip(model.affinity(model.encode_gray(torch.flip(l, dims=[3]))), dims=[3])
        of_average = model.affinity(gray)
    torch.testing.assert_close(emb, (own + mirrored) / 2, atol=1e-5, rtol=1e-4)
    assert (emb - of_average).abs().max() > 1e-4


def test_a_batch_without_hints_still_trains(tmp_path):
    """A batch in which no sample has a hint leaves the correction alone; the step must still
    run (a loss without a gradient used to end the run)."""
    import argparse
    import torch
    from training.affinity_stage import AffinityStage

    model = _tiny_affinity_model()
    stage = AffinityStage(argparse.Namespace(loss="mse", correction_loss=False, seed=0,
                                             cls_weight=0.01))
    run = argparse.Namespace(device=torch.device("cpu"), precision="fp32")
    l = torch.rand(2, 1, 32, 32) - 0.5
    h7 = torch.zeros(2, 7, 32, 32)
    h7[:, 0] = l[:, 0]
    loss, _ = stage.loss(run, lambda *a, **k: model(*a, **k), l, torch.zeros(2, 2, 32, 32), h7)
    loss.backward()
    assert all(p.grad is not None for p in model.affinity.parameters())
