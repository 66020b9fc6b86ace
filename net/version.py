"""The program's version: one source, the ``version`` in pyproject.toml.

An installed package (wheel or editable) reads it from its metadata; a checkout that was never
installed reads pyproject.toml itself, so there is no second copy of the number anywhere.
"""
from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

DISTRIBUTION = "hint-colorizer"


def _from_pyproject() -> str:
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        text = pyproject.read_text(encoding="utf-8")
    except OSError:
        return "unknown"
    m = re.search(r'^version\s*=\s*"([^"]+)"', text, re.MULTILINE)
    return m.group(1) if m else "unknown"


def package_version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return _from_pyproject()


__version__ = package_version()
