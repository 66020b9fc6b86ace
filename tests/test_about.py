"""Help > About says which program, which model (what it scored, how it was trained), on which
device and versions, and whose work it follows; built without showing a dialog."""
import platform
import shutil

import torch

from colorizer_gui.about import about_text
from net import Colorizer
from net.assets import models_dir
from net.version import __version__
from net.weights import read_sidecar, write_sidecar


def model_with(tmp_path, **sidecar):
    """The bundled seed model, copied as "mine" with these sidecar entries."""
    path = tmp_path / "mine.safetensors"
    shutil.copy(models_dir() / "seed.safetensors", path)
    write_sidecar(path, {**read_sidecar(models_dir() / "seed.safetensors"), **sidecar})
    return Colorizer.load(path, device="cpu")


def test_about_names_the_version_the_model_its_score_and_training_and_the_versions(tmp_path):
    c = model_with(tmp_path, scores={"photos-val": {
        "folder": "photos-val", "photos": 60, "hints": [0, 5, 10], "psnr": [24.4, 26.5, 27.25]}},
        training_history=[{"stage": "rtnet", "steps": 6000, "data": ["../data/photos-train:1"]},
                          {"stage": "hnet", "steps": 600, "data": ["/x/scenes-train"]}])
    text = about_text("Hint Colorizer", c)
    assert text.startswith(f"Hint Colorizer {__version__}\n")
    assert "Model: mine" in text and "variant seed" in text and str(c.path) in text
    assert "27.25 dB PSNR with 10 hints on photos-val (60 photos)" in text
    assert "hints colouring: Whole photo" in text     # not the app's default, Own region
    assert "Trained in 2 runs, the last: the hint network, 600 steps." in text
    assert "Device: cpu, computing in " in text
    assert platform.python_version() in text and torch.__version__ in text and "Qt 6." in text
    assert "Daly and Zhao" in text and "Levin et al. 2004" in text and "Zhang et al. 2017" in text


def test_about_says_what_a_retraining_gained_and_survives_an_odd_sidecar(tmp_path):
    c = model_with(tmp_path, held_out={"photos": 3, "hints": [0, 5, 20], "before": [21, 22, 24],
                                       "after": [21.3, 22.3, 24.3]},
                   training_history=[{"stage": "soup", "of": [{}, {}, {}]}])
    text = about_text("Hint Colorizer", c)
    assert "Retrained: +0.30 dB" in text and "on 3 photos it did not train on" in text
    assert "the last: a weight average of 3 models" in text
    c.meta["training_history"] = [{"stage": "hnet", "trained": "hnet,decoder", "steps": 1143}]
    text = about_text("Hint Colorizer", c)                 # the parts in words, not "hnet,decoder"
    assert "the last: the hint network + colouring network, 1143 steps." in text
    assert "hnet" not in text.split("Trained", 1)[1]
    c.meta = {"scores": {"x": {"psnr": "high"}}, "held_out": [1], "training_history": "many"}
    text = about_text("Hint Colorizer", c)                 # nothing to quote: the rest shows
    assert "Model: mine" in text and "dB" not in text and "Trained" not in text
    assert "Model: none loaded" in about_text("Hint Colorizer", None)
