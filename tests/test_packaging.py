"""Packaging: assets as package data, the version, the wheel checker, the one table of formats.

The full wheel smoke test (build, fresh venv, run from outside the checkout) is
``scripts/wheel_smoke.sh``: CI runs it after the test suite, and the last test here runs it
outside CI.
"""
from __future__ import annotations

import importlib.resources
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from net.formats import WRITE_FORMATS

tomllib = pytest.importorskip("tomllib", reason="Python 3.11+ reads pyproject.toml")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import check_wheel  # noqa: E402

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


# -- assets -----------------------------------------------------------------------------------
def test_every_asset_file_is_package_data():
    """Each file in assets/ matches a package-data pattern of the data package mapped onto it."""
    st = PYPROJECT["tool"]["setuptools"]
    pkg = check_wheel.ASSETS_PACKAGE
    assert pkg in st["packages"] and st["package-dir"][pkg] == "assets"
    declared = {p for pattern in st["package-data"][pkg] for p in (REPO / "assets").glob(pattern)}
    files = {p for p in (REPO / "assets").rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and p.name != "__init__.py"}
    assert files, "assets/ is empty"
    assert files <= declared, f"not in any package-data pattern: {sorted(files - declared)}"


def test_assets_are_found_through_importlib_resources(monkeypatch):
    from net.assets import ASSETS_PACKAGE, assets_dir, bundled_models, resolve_model_path

    monkeypatch.delenv("COLORIZER_ASSETS", raising=False)
    packaged = Path(str(importlib.resources.files(ASSETS_PACKAGE)))
    assert assets_dir() == packaged
    default = (packaged / "models" / "DEFAULT").read_text(encoding="utf-8").strip()
    assert default in bundled_models()
    assert resolve_model_path(None) == packaged / "models" / f"{default}.safetensors"


def test_colorizer_assets_overrides_and_old_imports_still_work(tmp_path, monkeypatch):
    from net import WeightsError
    from net.colorizer import assets_dir, models_dir, resolve_model_path

    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "DEFAULT").write_text("mine\n", encoding="utf-8")
    (tmp_path / "models" / "mine.safetensors").write_bytes(b"")
    monkeypatch.setenv("COLORIZER_ASSETS", str(tmp_path))
    assert assets_dir() == tmp_path and models_dir() == tmp_path / "models"
    assert resolve_model_path("default") == tmp_path / "models" / "mine.safetensors"
    with pytest.raises(WeightsError, match="no bundled model named 'local'"):
        resolve_model_path("local")


# -- version ----------------------------------------------------------------------------------
def test_every_command_prints_the_pyproject_version(capsys):
    from colorizer_gui.cli import main as colorizer_main
    from training.evaluate import main as eval_main
    from training.soup import main as soup_main
    from training.train import build_parser

    want = PYPROJECT["project"]["version"]
    assert colorizer_main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"colorizer {want}"
    for name, run in (("colorizer-train", lambda: build_parser().parse_args(["--version"])),
                      ("colorizer-eval", lambda: eval_main(["--version"])),
                      ("colorizer-soup", lambda: soup_main(["--version"]))):
        with pytest.raises(SystemExit) as e:
            run()
        assert e.value.code == 0
        assert capsys.readouterr().out.strip() == f"{name} {want}"


def test_version_without_metadata_reads_pyproject(monkeypatch):
    from importlib import metadata

    import net.version as v

    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(v.metadata, "version", not_installed)
    assert v.package_version() == PYPROJECT["project"]["version"]


# -- the wheel checker ------------------------------------------------------------------------
def _fake_repo(root: Path) -> Path:
    for rel, data in {"assets/__init__.py": b'"""data"""\n', "assets/models/DEFAULT": b"local\n",
                      "assets/models/local.safetensors": b"\x00weights",
                      "assets/models/local.json": b"{}", "assets/samples/a.jpg": b"\xff\xd8jpeg",
                      "net/__init__.py": b"", "net/colorizer.py": b"x = 1\n",
                      "training/__init__.py": b"", "colorizer_gui/__init__.py": b""}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[project.scripts]\ncolorizer = "a:main"\n'
        'colorizer-eval = "b:main"\n\n[tool.setuptools]\npackages = []\n', encoding="utf-8")
    return root


def _wheel(path: Path, repo: Path, skip=(), change=(), scripts=("colorizer", "colorizer-eval")):
    with zipfile.ZipFile(path, "w") as z:
        for member, src in check_wheel.expected_files(repo).items():
            if member not in skip:
                z.writestr(member, src.read_bytes() + (b"!" if member in change else b""))
        z.writestr("x-0.1.dist-info/entry_points.txt",
                   "[console_scripts]\n" + "".join(f"{s} = m:main\n" for s in scripts))
    return path


def test_check_wheel_accepts_a_complete_wheel(tmp_path):
    repo = _fake_repo(tmp_path / "repo")
    assert check_wheel.main([str(_wheel(tmp_path / "ok.whl", repo)), str(repo)]) == 0


def test_check_wheel_names_each_missing_or_changed_file(tmp_path, capsys):
    repo = _fake_repo(tmp_path / "repo")
    whl = _wheel(tmp_path / "bad.whl", repo,
                 skip=("colorizer_assets/models/local.json", "net/colorizer.py"),
                 change=("colorizer_assets/models/local.safetensors",), scripts=("colorizer",))
    assert check_wheel.main([str(whl), str(repo)]) == 1
    err = capsys.readouterr().err
    assert "missing from the wheel: colorizer_assets/models/local.json" in err
    assert "missing from the wheel: net/colorizer.py" in err
    assert "differs from the repository: colorizer_assets/models/local.safetensors" in err
    assert "does not install the command colorizer-eval" in err
    assert "DEFAULT" not in err and "samples/a.jpg" not in err


def test_the_real_repository_needs_its_weights_in_the_wheel():
    expected = check_wheel.expected_files(REPO)
    pointer = (REPO / "assets/models/DEFAULT").read_text(encoding="utf-8").strip()
    for rel in ("DEFAULT", f"{pointer}.safetensors", f"{pointer}.json"):
        assert f"colorizer_assets/models/{rel}" in expected
    assert "colorizer_assets/samples/astronaut-gray.jpg" in expected
    assert "net/assets.py" in expected
    assert set(check_wheel.project_scripts(REPO)) == set(PYPROJECT["project"]["scripts"])


# -- image formats ----------------------------------------------------------------------------
def test_one_table_of_formats_feeds_every_list():
    from colorizer_gui.cli import colorize_parser
    from net import formats, image_io
    from training import data

    assert image_io.READ_EXTENSIONS is formats.READ_EXTENSIONS
    assert image_io.WRITE_FORMATS is formats.WRITE_FORMATS
    assert data.EXTENSIONS is formats.READ_EXTENSIONS
    fmt = next(a for a in colorize_parser()._actions if a.dest == "format")
    assert tuple(fmt.choices) == formats.WRITE_NAMES
    assert set(formats.WRITE_NAMES) <= {e[1:] for e in formats.WRITE_FORMATS}
    for e in formats.READ_EXTENSIONS:
        assert f"*{e}" in formats.read_filter()
    assert formats.write_filter().split(";;")[0] == "PNG (*.png)"
    assert "*.gif" not in formats.write_filter()


@pytest.mark.parametrize("ext", sorted(WRITE_FORMATS))
def test_every_writable_format_round_trips(tmp_path, ext):
    from net.image_io import load_image, save_image

    rgb = np.zeros((12, 16, 3), np.uint8)
    rgb[:, :8] = (200, 40, 40)
    rgb[:, 8:] = (40, 60, 200)
    back = load_image(save_image(tmp_path / f"x{ext}", rgb, quality=100)).rgb
    assert back.shape == rgb.shape
    assert np.abs(back.astype(int) - rgb).mean() < 6


def test_quality_applies_exactly_to_the_lossy_formats(tmp_path):
    from net.formats import LOSSY_FORMATS
    from net.image_io import save_image

    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    for ext, fmt in WRITE_FORMATS.items():
        low = save_image(tmp_path / f"low{ext}", rgb, quality=10).stat().st_size
        high = save_image(tmp_path / f"high{ext}", rgb, quality=95).stat().st_size
        assert (low < high) == (fmt in LOSSY_FORMATS), ext
    assert LOSSY_FORMATS == {"JPEG", "WEBP"}


def test_gif_is_readable_but_not_writable(tmp_path):
    from PIL import Image

    from net.image_io import ImageError, load_image, save_image

    Image.fromarray(np.full((8, 8, 3), 90, np.uint8)).save(tmp_path / "a.gif")
    assert load_image(tmp_path / "a.gif").rgb.shape == (8, 8, 3)
    with pytest.raises(ImageError, match="unsupported file type"):
        save_image(tmp_path / "b.gif", np.zeros((4, 4, 3), np.uint8))


# -- the wheel itself ---------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.skipif(bool(os.environ.get("CI")), reason="CI runs scripts/wheel_smoke.sh after the tests")
def test_wheel_smoke_script_passes():
    """Build the wheel, install it into a fresh venv outside the checkout, use it (~25 s)."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLORIZER_ASSETS", "PYTHONPATH")}
    env.update(PYTHON=sys.executable, OMP_NUM_THREADS="1")
    r = subprocess.run(["bash", str(REPO / "scripts" / "wheel_smoke.sh")], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "wheel smoke: passed" in r.stdout
