#!/usr/bin/env python3
"""Check that a built wheel carries everything the program needs from the repository.

    python3 scripts/check_wheel.py dist/hint_colorizer-*.whl [REPO]

Every file under ``assets/`` (weights, sidecars, the DEFAULT pointer, sample photos) must be in
the wheel as ``colorizer_assets/…`` with identical bytes, every ``.py`` file of the three code
packages must be there, and the wheel's entry points must name each command of
``[project.scripts]``. Prints one line per problem and exits 1 if there is any.
"""
from __future__ import annotations

import hashlib
import re
import sys
import zipfile
from pathlib import Path

CODE_PACKAGES = ("net", "training", "colorizer_gui")
ASSETS_PACKAGE = "colorizer_assets"     # the wheel's name for the repository's assets/


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def expected_files(repo: Path) -> dict[str, Path]:
    """Wheel member name -> repository file that must be in the wheel."""
    out: dict[str, Path] = {}
    for p in sorted((repo / "assets").rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc":
            out[f"{ASSETS_PACKAGE}/{p.relative_to(repo / 'assets').as_posix()}"] = p
    for pkg in CODE_PACKAGES:
        for p in sorted((repo / pkg).rglob("*.py")):
            if "__pycache__" not in p.parts:
                out[p.relative_to(repo).as_posix()] = p
    return out


def project_scripts(repo: Path) -> list[str]:
    """Command names from pyproject.toml's [project.scripts]."""
    text = (repo / "pyproject.toml").read_text(encoding="utf-8")
    try:
        import tomllib
    except ModuleNotFoundError:             # Python 3.10: the section is simple enough to scan
        m = re.search(r"^\[project\.scripts\]\n(.*?)(?:^\[|\Z)", text, re.MULTILINE | re.DOTALL)
        return re.findall(r'^([A-Za-z0-9_.-]+)\s*=', m.group(1), re.MULTILINE) if m else []
    return list(tomllib.loads(text).get("project", {}).get("scripts", {}))


def problems(wheel: Path, repo: Path) -> list[str]:
    """One sentence per file missing or different in the wheel, or command not declared."""
    found: list[str] = []
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for member, src in expected_files(repo).items():
            if member not in names:
                found.append(f"missing from the wheel: {member} (from {src.relative_to(repo)})")
            elif _sha256(z.read(member)) != _sha256(src.read_bytes()):
                found.append(f"differs from the repository: {member}")
        eps = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        entry_points = z.read(eps[0]).decode("utf-8") if eps else ""
    for cmd in project_scripts(repo):
        if not re.search(rf"^{re.escape(cmd)}\s*=", entry_points, re.MULTILINE):
            found.append(f"the wheel does not install the command {cmd}")
    return found


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or len(argv) > 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    wheel = Path(argv[0])
    repo = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    found = problems(wheel, repo)
    for line in found:
        print(f"check_wheel: {line}", file=sys.stderr)
    if not found:
        print(f"{wheel.name}: all {len(expected_files(repo))} files present and identical")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
