"""Where the app keeps its settings, its autosave and the user's retrained models, and where
it suggests saving."""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

from net.assets import assets_dir
from net.session_file import SUFFIX

MAX_RECENT = 10
MAX_RECENT_COLORS = 12
AUTOSAVE_SESSION = "autosaveSession"   # settings key: the session file the autosaved work belongs to
Loc = QStandardPaths.StandardLocation


def settings() -> QSettings:
    return QSettings("hint-colorizer", "Hint Colorizer")


def data_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".hint-colorizer")


def autosave_path() -> Path:
    return data_dir() / f"autosave{SUFFIX}"


def runs_dir() -> Path:
    """Where Tools > Retrain writes its runs (one folder per run)."""
    return data_dir() / "runs"


def retrained_models() -> list[Path]:
    """The user's retrained models, newest first."""
    return sorted(runs_dir().glob("*/model.safetensors"), key=lambda p: p.parent.name, reverse=True)


def default_save_dir(photo: Path) -> Path:
    """Where Save and Export first suggest writing for ``photo``: its folder, unless that is
    the installed samples' folder or not writable; then the user's Pictures folder (or home)."""
    folder = photo.parent
    if not folder.resolve().is_relative_to(assets_dir().resolve()) and os.access(folder, os.W_OK):
        return folder
    pictures = QStandardPaths.writableLocation(Loc.PicturesLocation)
    return Path(pictures) if pictures and Path(pictures).is_dir() else Path.home()


def recent_files(s: QSettings) -> list[str]:
    r = s.value("recentFiles", [])
    return [str(x) for x in r] if isinstance(r, list) else ([str(r)] if r else [])


def add_recent_file(s: QSettings, path: Path) -> None:
    recent = [str(path)] + [p for p in recent_files(s) if p != str(path)]
    s.setValue("recentFiles", recent[:MAX_RECENT])


def read_colors(raw) -> list[tuple[int, int, int]]:
    out = []
    for item in raw if isinstance(raw, list) else []:
        try:
            c = tuple(int(x) for x in str(item).split(","))
        except ValueError:
            continue
        if len(c) == 3 and all(0 <= x <= 255 for x in c):
            out.append(c)
    return out[:MAX_RECENT_COLORS]


def write_colors(s: QSettings, colors) -> None:
    s.setValue("recentColors", [",".join(map(str, c)) for c in colors])
