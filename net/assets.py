"""Where the shipped weights and sample photos are, and which bundled model is which.

The repository keeps them in ``assets/`` (``models/`` with ``*.safetensors`` + ``*.json``
sidecars and the ``DEFAULT`` pointer, ``samples/`` with photos). The wheel installs that folder
as the data package :data:`ASSETS_PACKAGE`, found through :mod:`importlib.resources`, so an
editable install, a wheel and an installer all find it the same way. ``COLORIZER_ASSETS``
(a folder with the same layout) overrides the location.
"""
from __future__ import annotations

import importlib.resources
import os
from pathlib import Path

from .weights import WeightsError

ASSETS_PACKAGE = "colorizer_assets"     # pyproject.toml maps it onto the repository's assets/
REPO_ASSETS = Path(__file__).resolve().parent.parent / "assets"   # a checkout that is not installed
DEFAULT_MODEL = "default"
SAMPLE_PHOTO = "astronaut-gray.jpg"


def _packaged_assets() -> Path | None:
    try:
        root = importlib.resources.files(ASSETS_PACKAGE)
    except ModuleNotFoundError:
        return None
    # Installed packages are plain folders (wheels are unpacked); a zipped import cannot hold
    # weights that safetensors memory-maps, so only a real path counts.
    return root if isinstance(root, Path) and root.is_dir() else None


def assets_dir() -> Path:
    """Shipped weights and samples; ``COLORIZER_ASSETS`` overrides the location."""
    env = os.environ.get("COLORIZER_ASSETS")
    if env:
        return Path(env)
    return _packaged_assets() or REPO_ASSETS


def models_dir() -> Path:
    return assets_dir() / "models"


def samples_dir() -> Path:
    return assets_dir() / "samples"


def sample_photo() -> Path:
    """The photo the app opens when started without one."""
    return samples_dir() / SAMPLE_PHOTO


def bundled_models() -> list[str]:
    """Names of the bundled models (``local``, ``seed``, …), sorted."""
    return sorted(p.stem for p in models_dir().glob("*.safetensors"))


def resolve_model_path(name_or_path: str | os.PathLike | None) -> Path:
    """``None``/"default"/"seed"/"local" name a bundled model; anything else is a path.

    "default" is whichever bundled model ``models/DEFAULT`` names (the one that
    measured best); there is no default until trained weights are shipped.
    """
    p = str(name_or_path or DEFAULT_MODEL)
    if os.sep in p or "/" in p or p.endswith(".safetensors"):
        return Path(p)
    if p == DEFAULT_MODEL:
        pointer = models_dir() / "DEFAULT"
        try:
            p = pointer.read_text(encoding="utf-8").strip()
        except OSError:
            raise WeightsError(f"no default model is installed ({pointer} is missing); "
                               "train one with colorizer-train or pass a weights file") from None
    path = models_dir() / f"{p}.safetensors"
    if not path.is_file():
        raise WeightsError(f"no bundled model named {p!r} in {models_dir()} "
                           "(train one with colorizer-train, or pass a weights file)")
    return path
