"""The four automatic systems (net/auto_models.py): each trains a few steps on tiny data with
falling loss and round-trips through the weights format (save, load, colorize)."""
import csv
import json

import numpy as np
import pytest
import torch

from net import Colorizer, Hint
from net.auto_models import AUTO_SYSTEMS, PatchDiscriminator
from net.color import normalize_l, rgb_to_l
from net.weights import WeightsError, load_model, model_from_config
from training.checkpoint import load_checkpoint
from training.train import main as train_main

from .conftest import skimage_photos, train_tiny


@pytest.fixture(scope="module")
def trained(tmp_path_factory, photo_dir, vgg_file):
    """trained(name) -> the weights of a 40-step run of that system (each trained once)."""
    done = {}

    def get(name):
        if name not in done:
            torch.manual_seed(0)                       # the initial weights: one repeatable run
            out = tmp_path_factory.mktemp(name)
            extra = ["--pretrain-steps", "20"] if name == "pix2pix" else []
            done[name] = train_tiny(name, out, photo_dir, vgg_file if name != "autoencoder" else None,
                                    steps=40, extra=extra)
        return done[name]
    return get


@pytest.fixture(params=AUTO_SYSTEMS)
def system_run(request, trained):
    return request.param, trained(request.param)


def test_system_trains_with_falling_loss(system_run):
    name, weights = system_run
    with open(weights.parent / "log.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    val = [float(r["val_loss"]) for r in rows if r["val_loss"]]
    train = [float(r["train_loss"]) for r in rows if r["train_loss"]]
    assert len(val) == 5 and all(np.isfinite(val)) and all(np.isfinite(train))   # steps 0-40
    # Training loss falls (the validation loss of a 40-step run from scratch on 12 tiny photos
    # is too noisy to assert on: it went up and down between seeds).
    if name != "pix2pix":                              # (pix2pix changes objective at step 20)
        assert train[-1] < train[0]
    meta = json.loads(weights.with_suffix(".json").read_text())
    assert meta["variant"] == name and meta["config"]["variant"] == name
    assert meta["training_history"][-1]["stage"] == name


def test_system_round_trips_through_the_weights_format(system_run, gray_photo):
    name, weights = system_run
    ck = load_checkpoint(weights.parent / "checkpoint.pt")
    trained = model_from_config(ck["config"])
    trained.load_state_dict(ck["model"], strict=True)
    trained.eval()
    loaded, meta = load_model(weights)
    assert type(loaded) is type(trained) and loaded.cfg == trained.cfg
    l = torch.from_numpy(normalize_l(rgb_to_l(skimage_photos()["coffee"][:192, :256]))[None, None])
    with torch.no_grad():
        a, b = trained(l), loaded(l)
    assert a.shape == (1, 2, 192, 256)
    assert float((a - b).abs().max()) < 4e-2          # float16 + int8 (large convolutions) file
    assert float((a - b).abs().mean()) < 4e-3
    c = Colorizer.load(weights, device="cpu", working_size=64)
    assert c.uses_hints is False and c.variant == name
    rgb = skimage_photos()["chelsea"]
    plain = c.colorize(rgb)
    hinted = c.colorize(rgb, [Hint(x=100, y=80, radius=20, rgb=(250, 0, 0))])
    assert plain.shape == rgb.shape and np.array_equal(plain, hinted)     # hints are ignored
    out = c.colorize(gray_photo)
    assert out.shape == gray_photo.shape
    dl = np.abs(rgb_to_l(out) - rgb_to_l(gray_photo))
    assert dl.mean() < 0.5 and dl.max() < 2.5           # the photo's luminance is kept (uint8)


def test_pix2pix_checkpoint_holds_the_discriminator_but_the_export_does_not(trained):
    weights = trained("pix2pix")
    ck = load_checkpoint(weights.parent / "checkpoint.pt")
    d = PatchDiscriminator()
    d.load_state_dict(ck["disc"], strict=True)
    assert ck["disc_optimizer"]["state"]                 # the GAN phase ran
    from safetensors import safe_open
    with safe_open(str(weights), "pt") as f:
        assert not [k for k in f.keys() if k.startswith("disc")]


def test_hnet_refuses_an_automatic_model(trained, photo_dir, tmp_path, capsys):
    weights = trained("autoencoder")
    rc = train_main(["hnet", "--data", str(photo_dir), "--out", str(tmp_path / "o"), "--init",
                     str(weights), "--steps", "2", "--workers", "0", "--no-progress"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "has no HNet" in err[0]


def test_vgg_systems_need_vgg_weights(photo_dir, tmp_path, capsys):
    rc = train_main(["koala", "--data", str(photo_dir), "--out", str(tmp_path / "o"),
                     "--steps", "2", "--workers", "0", "--no-progress"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "--vgg" in err[0]


def test_unknown_system_config_is_one_clear_error(tmp_path):
    with pytest.raises(ValueError, match="unknown model config keys"):
        model_from_config({"variant": "zhang", "palette_dim": 3})
    with pytest.raises(ValueError, match="unknown model variant"):
        model_from_config({"variant": "nope"})
    assert isinstance(WeightsError("x"), ValueError)


def test_the_model_registry_says_which_models_ignore_hints(trained, local_weights, tmp_path):
    from net.assets import describe_model, model_entries
    auto = describe_model(trained("autoencoder"))
    assert (auto.variant, auto.uses_hints) == ("autoencoder", False)
    assert "ignores hints" in auto.label
    local = describe_model(local_weights)
    assert local.uses_hints and local.label == local_weights.parent.name   # a run: its folder
    run = tmp_path / "hnet-20261122-1200"                  # a training run's export is named by its run
    run.mkdir()
    for suffix in (".safetensors", ".json"):
        (run / f"model{suffix}").write_bytes(local_weights.with_suffix(suffix).read_bytes())
    assert describe_model(run / "model.safetensors").label == run.name
    from net import Colorizer
    assert Colorizer.load(run / "model.safetensors", device="cpu").name == run.name
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(b"x")                                # no sidecar: left out, no crash
    assert [e.path for e in model_entries([trained("autoencoder"), broken, local_weights])] == \
        [trained("autoencoder"), local_weights]


def test_the_app_tells_that_an_automatic_model_ignores_hints(qtbot, trained, local_weights):
    from .test_gui import new_window
    w = new_window(qtbot, trained("zhang"))
    assert "automatic" in w.status_model.text()
    assert "ignores hints" in w.statusBar().currentMessage()
    assert "automatic model: hints ignored" in w.result_view.badges
    w.controller.load_model(str(local_weights))
    qtbot.waitUntil(lambda: w.colorizer is not None and w.colorizer.uses_hints, timeout=60_000)
    assert "automatic" not in w.status_model.text()
    assert "automatic model: hints ignored" not in w.result_view.badges
    w.close()


@pytest.mark.parametrize("command", [["colorizer", "colorize", "x.png"], ["colorizer-train", "local"],
                                     ["colorizer-eval", "sweep", "folder"]])
def test_every_command_line_refuses_an_unknown_device_by_name(command):
    import subprocess
    r = subprocess.run(command + ["--device", "gpu0"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "unknown device 'gpu0'" in r.stderr
    assert "auto, cpu, cuda, mps" in r.stderr
