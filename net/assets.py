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
from dataclasses import dataclass
from pathlib import Path

from .weights import WeightsError, read_sidecar

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


def model_name(path: str | os.PathLike) -> str:
    """How a weights file is named to users: its file name, or for a training run's export
    (``RUN/model.safetensors``) the run's folder."""
    p = Path(path)
    return p.parent.name if p.stem == "model" and p.parent.name else p.stem


@dataclass(frozen=True)
class ModelEntry:
    """A weights file as menus and messages present it (read from its sidecar, not loaded)."""

    name: str
    path: Path
    variant: str
    uses_hints: bool

    @property
    def label(self) -> str:
        return model_label(self.name, self.variant, self.uses_hints)


def model_label(name: str, variant: str, uses_hints: bool, short: bool = False) -> str:
    """How menus (and, ``short``, the status bar) name a model: its name, and what it does with
    hints (the automatic systems ignore them; ``seed``, the paper's design, turns them into one
    palette for the whole photo; a local model named after its kind says what it does; other
    local models, the user's retrained ones, are named by their folders alone)."""
    if not uses_hints:
        return f"{name} (automatic{'' if short else ': ignores hints'})"
    if variant == "seed":
        return f"{name} (palette only{'' if short else ': hints set the colours, not where they go'})"
    if name == variant and not short:     # named after its kind (the bundled one), which says
        return f"{name} (hints set the colours and where they go)"     # nothing to a user
    return name                           # a retrained local model: its folder names it


def describe_model(path: str | os.PathLike, name: str | None = None) -> ModelEntry:
    """What a weights file is, from its sidecar; raises WeightsError for an unreadable one."""
    from .auto_models import AUTO_SYSTEMS
    config = read_sidecar(path).get("config")
    variant = str(config.get("variant", "seed")) if isinstance(config, dict) else "seed"
    return ModelEntry(name or model_name(path), Path(path), variant, variant not in AUTO_SYSTEMS)


def is_local_model(path: str | None) -> bool:
    """Whether the weights are a local model (whose decoder can adapt too); False for no path or
    no readable model."""
    try:
        return bool(path) and describe_model(path).variant == "local"
    except WeightsError:
        return False


def model_entries(paths=None) -> list[ModelEntry]:
    """The bundled models (or these weights files) whose sidecars read, in order.

    The one registry the app's Model menu, the command lines' ``--weights`` help and the
    benchmarks use; a file without a readable sidecar is left out.
    """
    out = []
    for p in (sorted(models_dir().glob("*.safetensors")) if paths is None else paths):
        try:
            out.append(describe_model(p))
        except WeightsError:
            continue
    return out


def add_model_argument(parser, flag: str = "--weights") -> None:
    """The one option naming a model: a bundled model's name or a weights file."""
    names = ", ".join(bundled_models()) or "none installed"
    parser.add_argument(flag, default=None,
                        help=f"a weights file (.safetensors) or a bundled model ({names}); "
                             "default: the bundled default model")


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
