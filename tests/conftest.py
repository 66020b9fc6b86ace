"""Shared fixtures: offscreen Qt, photos made from scikit-image's bundled data, tiny models.

Nothing here reads ../shared: the VGG weights file is a random one in torchvision
layout (exercising the import path), and the tiny models train for a few steps on
photos scikit-image ships.
"""
from __future__ import annotations

import os

import tempfile  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keep the app's settings, autosave and runs away from the user's own. The config folder is set
# once, before anything opens a QSettings (Qt fixes the settings file's folder at the first);
# each test also gets a data folder of its own (fresh_data_folder).
_home = tempfile.mkdtemp(prefix="colorizer-test-home-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_home, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_home, "data")

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402
from skimage import data  # noqa: E402

from net.models import VGG_CONV_INDICES, VGG_CONV_SHAPES  # noqa: E402

torch.set_num_threads(min(2, torch.get_num_threads()))


@pytest.fixture(autouse=True)
def clean_app_settings():
    """Every test starts with the app's settings as a new user has them (the hint reach, the
    last folders, the recent colours...): the settings file is shared by the whole session,
    so what one test chose would otherwise decide what a later one sees. Clearing through a
    new QSettings also clears what open QSettings of the app see (Qt shares one store per
    file in a process), and needs no QApplication."""
    try:
        from colorizer_gui.app_settings import settings
    except ImportError:                  # no Qt binding: the net/ and training/ tests still run
        yield
        return
    s = settings()
    if s.allKeys():
        s.clear()
        s.sync()
    yield


@pytest.fixture(autouse=True)
def fresh_data_folder(tmp_path_factory, monkeypatch):
    """Every test starts with an empty data folder (the autosave, the retrained runs: see
    colorizer_gui.app_settings.data_dir), as clean_app_settings does for the settings: an
    autosave one test left would be offered for recovery by a later test's window, and its
    runs listed as models. Qt reads XDG_DATA_HOME at each QStandardPaths.writableLocation
    call; QStandardPaths.setTestModeEnabled is no substitute (one ~/.qttest under the real
    home for all tests, and it would move the settings there too). The app keeps no cache."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))


@pytest.fixture(autouse=True)
def questions_answered_like_message_box_questions(monkeypatch):
    """The tests answer the editor's questions by replacing QMessageBox.question (a shown
    modal box would wait forever offscreen). The questions the editor builds itself (Save /
    Discard / Cancel, with keys: Prompts.ask) are answered the same way, by the box's title,
    text, buttons and default; tests/test_gui_editing.py presses the real box's keys."""
    try:
        from PySide6.QtWidgets import QMessageBox

        from colorizer_gui.prompts import Prompts
    except ImportError:          # (a test run without the GUI's dependencies)
        return
    monkeypatch.setattr(Prompts, "ask", lambda self, box: QMessageBox.question(
        box.parentWidget(), box.windowTitle(), box.text(), box.standardButtons(),
        box.standardButton(box.defaultButton())))


def skimage_photos() -> dict[str, np.ndarray]:
    return {"astronaut": data.astronaut(), "chelsea": data.chelsea(), "coffee": data.coffee(),
            "rocket": data.rocket()}


@pytest.fixture(scope="session")
def photo_dir(tmp_path_factory) -> Path:
    """A folder of small colour photos (crops of scikit-image's bundled photos)."""
    d = tmp_path_factory.mktemp("photos")
    k = 0
    for name, rgb in skimage_photos().items():
        h, w = rgb.shape[:2]
        for i in range(3):
            y0, x0 = (h // 4) * (i % 2), (w // 4) * (i // 2)
            crop = rgb[y0:y0 + h * 3 // 4, x0:x0 + w * 3 // 4]
            img = Image.fromarray(crop).resize((96, 96 * crop.shape[0] // crop.shape[1] or 1))
            img.save(d / f"{name}_{i}.png")
            k += 1
    return d


@pytest.fixture(scope="session")
def vgg_file(tmp_path_factory) -> Path:
    """Random VGG16 conv weights in torchvision's key layout (safetensors)."""
    from safetensors.torch import save_file

    g = torch.Generator().manual_seed(0)
    sd = {}
    for idx, (co, ci) in zip(VGG_CONV_INDICES, VGG_CONV_SHAPES):
        sd[f"features.{idx}.weight"] = torch.randn(co, ci, 3, 3, generator=g) * (2.0 / (9 * ci)) ** 0.5
        sd[f"features.{idx}.bias"] = torch.zeros(co)
    p = tmp_path_factory.mktemp("vgg") / "vgg16_features.safetensors"
    save_file(sd, str(p))
    return p


def train_tiny(stage: str, out: Path, photo_dir: Path, vgg: Path | None, steps: int = 40,
               extra=()) -> Path:
    from training.train import main

    args = [stage, "--data", str(photo_dir), "--out", str(out), "--steps", str(steps),
            "--batch", "8", "--size", "64", "--workers", "0", "--val-every", "10",
            "--ckpt-every", "10", "--val-count", "8", "--no-progress", "--seed", "1", *extra]
    if vgg is not None:
        args += ["--vgg", str(vgg)]
    assert main(args) == 0
    return out / "model.safetensors"


@pytest.fixture(scope="session")
def local_weights(tmp_path_factory, photo_dir, vgg_file) -> Path:
    return train_tiny("local", tmp_path_factory.mktemp("local"), photo_dir, vgg_file, steps=60)


@pytest.fixture(scope="session")
def seed_weights(tmp_path_factory, photo_dir, vgg_file) -> Path:
    return train_tiny("rtnet", tmp_path_factory.mktemp("seed"), photo_dir, vgg_file, steps=20)


@pytest.fixture(scope="session")
def local_colorizer(local_weights):
    from net import Colorizer
    return Colorizer.load(local_weights, device="cpu", working_size=128)


@pytest.fixture
def gray_photo() -> np.ndarray:
    g = data.camera()[::2, ::2]
    return np.repeat(g[:, :, None], 3, axis=2)


@pytest.fixture(scope="session")
def small_colorizer():
    """The bundled default model at a working size of 64: quick, for tests of files and paths."""
    from net import Colorizer
    return Colorizer.load(device="cpu", working_size=64)


@pytest.fixture
def cli(small_colorizer, monkeypatch):
    """``colorizer colorize`` in this process, on ``small_colorizer`` (not loaded again)."""
    from colorizer_gui.cli import main
    from net import Colorizer
    monkeypatch.setattr(Colorizer, "load", classmethod(lambda cls, *a, **k: small_colorizer))
    return lambda *args: main(["colorize", *map(str, args)])
