"""Where the app keeps its settings, its autosave and the user's retrained models, and where
it suggests saving."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import QLockFile, QSettings, QStandardPaths

from net.assets import assets_dir, bundled_models, model_name, models_dir
from net.hint_reach import HINT_REACHES, REGION
from net.retraining import repoint_runs
from net.session_file import SUFFIX
from net.weights import WeightsError, read_sidecar

MAX_RECENT = 10
MAX_RECENT_COLORS = 12
APP_FOLDER = "hint-colorizer"
LEGACY_FOLDER = "Hint Colorizer"       # earlier versions kept the data in hint-colorizer/Hint Colorizer
AUTOSAVE_FILE = f"autosave{SUFFIX}"
AUTOSAVE_SESSION = "autosaveSession"   # settings key: the session file the autosaved work belongs to
Loc = QStandardPaths.StandardLocation


def settings() -> QSettings:
    return QSettings("hint-colorizer", "Hint Colorizer")


def data_dir() -> Path:
    """One folder, ``hint-colorizer`` in the platform's data location (``~/.local/share`` on
    Linux), whatever names the running application was given."""
    base = QStandardPaths.writableLocation(Loc.GenericDataLocation)
    return Path(base) / APP_FOLDER if base else Path.home() / f".{APP_FOLDER}"


def legacy_data_dirs() -> list[Path]:
    """Where earlier versions kept their data (the application-data location of organisation
    hint-colorizer, application Hint Colorizer): inside data_dir() on Linux and macOS, Roaming
    on Windows."""
    dirs = [data_dir() / LEGACY_FOLDER]
    if os.environ.get("APPDATA"):
        dirs.append(Path(os.environ["APPDATA"]) / APP_FOLDER / LEGACY_FOLDER)
    return dirs


def migrate_legacy_data() -> None:
    """Move an earlier version's autosave and retrained runs into data_dir(); the remembered
    model follows its run. What cannot move (or be read) stays and is still found
    (pending_autosave, retrained_models). When both folders hold an autosave, the one here is
    offered first and the old one stays; it moves at a later start, once the one here was
    restored and saved, or discarded: neither is lost."""
    for old in legacy_data_dirs():
        try:
            _migrate_from(old)
        except OSError:
            pass                               # an unreadable old folder: looked in where it is


def _migrate_from(old: Path) -> None:
    moves = [(old / AUTOSAVE_FILE, autosave_path())]
    if (old / "runs").is_dir():
        moves += [(run, runs_dir() / run.name) for run in (old / "runs").iterdir()]
    for src, dst in moves:
        if not src.exists() or dst.exists():
            continue
        try:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(src, dst)              # copies and deletes across drives
        except OSError:
            continue
        run_moved(src, dst)
    for d in (old / "runs", old):
        try:
            d.rmdir()                          # only when empty
        except OSError:
            pass


def run_moved(src: Path, dst: Path) -> None:
    """A run folder moved from ``src`` to ``dst``: the remembered model follows it (the next
    start loads it from there), and so do the stopped runs that started from it (they measure
    against it at their end)."""
    s = settings()
    model = Path(str(s.value("model", "") or ""))
    if model.is_absolute() and model.is_relative_to(src):
        s.setValue("model", str(dst / model.relative_to(src)))
    repoint_runs(runs_dir(), src, dst)


# Each running app has an autosave file of its own, held by a lock file beside it: the first
# autosave.colorize.json, a second one started meanwhile autosave-2.colorize.json, and so on.
# Two windows once shared one file, so a crash left only the work of the window that wrote last.
MAX_INSTANCES = 64
_slots: dict[Path, tuple[Path, QLockFile]] = {}     # data folder -> this process's slot


def _slot_file(n: int) -> str:
    return AUTOSAVE_FILE if n == 1 else f"autosave-{n}{SUFFIX}"


def _lock_for(autosave: Path) -> QLockFile:
    lock = QLockFile(str(autosave) + ".lock")
    lock.setStaleLockTime(0)     # held while its process lives (Qt checks the PID), never aged out
    return lock


def autosave_path() -> Path:
    """This run's autosave file: the first one whose lock no other running app holds. A
    crashed run's lock is stale (its process is gone), so a restart takes its slot back.
    Before the data folder exists (nothing to restore yet) the first, unlocked:
    :func:`take_autosave_slot` makes the folder at start."""
    folder = data_dir()
    if folder not in _slots:
        if not folder.is_dir():
            return folder / AUTOSAVE_FILE
        for n in range(1, MAX_INSTANCES + 1):
            path = folder / _slot_file(n)
            lock = _lock_for(path)
            if lock.tryLock(0):
                _slots[folder] = (path, lock)
                break
        else:
            return folder / AUTOSAVE_FILE
    return _slots[folder][0]


def take_autosave_slot() -> None:
    """At the app's start: this run's autosave file, locked, so that an app started meanwhile
    takes another (the data folder is made for it)."""
    try:
        data_dir().mkdir(parents=True, exist_ok=True)
    except OSError:
        return                                 # unwritable: autosave reports the failure
    autosave_path()


def _held_elsewhere(autosave: Path) -> bool:
    """Whether another running app holds ``autosave``'s lock (its work is not a crash's)."""
    if autosave == autosave_path():
        return False
    lock = _lock_for(autosave)
    if lock.tryLock(0):
        lock.unlock()
        return False
    return lock.error() == QLockFile.LockError.LockFailedError


def pending_autosave() -> Path | None:
    """Unsaved work a previous run left (this run's slot first, then another crashed run's,
    then an older version's folder), or None. The autosave of an app still running is not
    offered."""
    ours, folder = autosave_path(), data_dir()
    slots = [folder / AUTOSAVE_FILE] + sorted(folder.glob(f"autosave-*{SUFFIX}"))
    others = [p for p in slots if p != ours]
    found = [p for p in [ours] + others + [d / AUTOSAVE_FILE for d in legacy_data_dirs()]
             if os.path.isfile(p) and not _held_elsewhere(p)]  # isfile: False when unreadable
    return found[0] if found else None


def autosave_session_key(autosave: Path) -> str:
    """The settings key for the session file ``autosave``'s work belongs to (one per slot)."""
    return AUTOSAVE_SESSION if autosave.name == AUTOSAVE_FILE else \
        f"{AUTOSAVE_SESSION}-{autosave.name[:-len(SUFFIX)]}"


def runs_dir() -> Path:
    """Where Tools > Retrain writes its runs (one folder per run)."""
    return data_dir() / "runs"


def retrained_models() -> list[Path]:
    """The user's retrained models, newest first."""
    found = [p for d in [runs_dir()] + [old / "runs" for old in legacy_data_dirs()]
             for p in d.glob("*/model.safetensors")]
    def written(p: Path) -> float:
        try:
            return p.stat().st_mtime
        except OSError:
            return 0.0
    # (run folders are named after the photos' folder: their names do not sort by date)
    return sorted(found, key=lambda p: (written(p), p.parent.name), reverse=True)


def retrain_form() -> tuple[str, int | None]:
    """The photo folder and steps of the last run Tools > Retrain started ("", None: none)."""
    s = settings()
    try:
        steps = int(s.value("retrain/steps", 0))
    except (TypeError, ValueError):
        steps = 0
    return str(s.value("retrain/folder", "") or ""), steps if steps > 0 else None


def remember_retrain_form(folder: str, steps: int) -> None:
    s = settings()
    s.setValue("retrain/folder", folder)
    s.setValue("retrain/steps", int(steps))


def model_named(name: str) -> Path | None:
    """The weights a model name (:func:`net.assets.model_name`, what a session records) stands
    for: a bundled model or one of the user's retrained ones; None when neither is here."""
    if name in bundled_models():
        return models_dir() / f"{name}.safetensors"
    return next((p for p in retrained_models() if model_name(p) == name), None)


def weights_sha256(path: str | os.PathLike | None) -> str | None:
    """The weights' identity recorded in their sidecar (``tensors_sha256``), None unreadable."""
    if not path:
        return None
    try:
        sha = read_sidecar(path).get("tensors_sha256")
    except (WeightsError, OSError, ValueError):
        return None
    return sha if isinstance(sha, str) else None


def _weights_file(p: Path) -> bool:
    """A weights file that is here and can be looked at (a recorded path may be anything: a
    folder, a sidecar, a name too long or a folder not readable for this user)."""
    try:
        return p.suffix == ".safetensors" and p.is_file()
    except (OSError, ValueError):
        return False


def session_model_file(name: str, path: str | None = None,
                       sha: str | None = None) -> tuple[Path | None, bool]:
    """The weights a session's model stands for, and whether they are the very weights it was
    saved with (False: only a model of that name is here). The file it recorded comes first,
    then the bundled or retrained model of that name, then any model here with those weights
    (a renamed run); without a recorded identity (older sessions) the name decides."""
    named = model_named(name)
    firsts = ([Path(path)] if path else []) + ([named] if named is not None else [])
    if sha is None:
        found = next((p for p in firsts if _weights_file(p)), None)
        return found, found is not None
    others = [models_dir() / f"{n}.safetensors" for n in bundled_models()] + retrained_models()
    for p in firsts + others:
        if _weights_file(p) and weights_sha256(p) == sha:
            return p, True
    return named, False


class ModelSwitch(NamedTuple):
    """What reopening a session does about its model: the weights to load (None: none), what
    to tell the user, and whether that is a warning (its colours may differ from those saved)."""
    path: Path | None
    note: str
    warn: bool


def session_model_switch(model: tuple | None, current) -> ModelSwitch:
    """For a session saved with ``model`` = (name, path, sha256) and the colorizer in use
    (``current``, a :class:`net.Colorizer` or None)."""
    name, path, sha = model if model else (None, None, None)
    if not name or name == "default" or current is None:
        return ModelSwitch(None, "", False)
    in_use = ((current.meta or {}).get("tensors_sha256") == sha) if sha else name == current.name
    if in_use:
        return ModelSwitch(None, "", False)
    found, same = session_model_file(name, path, sha)
    differ = "so its colours may differ from the ones it was saved with"
    if same:
        return ModelSwitch(found, f"Switched to {model_name(found)}, the model this session was "
                                  f"made with.", False)
    if found is None:
        return ModelSwitch(None, f"This session was made with the model {name}, which is not here. "
                                 f"{current.name} colours it instead, {differ}.", True)
    made = (f"This session was made with weights of the model {name} that are not here"
            + (f" ({path})" if path else ""))
    if current.path is not None and found.resolve() == Path(current.path).resolve():
        return ModelSwitch(None, f"{made}. The {name} in use colours it, {differ}.", True)
    return ModelSwitch(found, f"{made}. Switched to the {name} that is here, {differ}.", True)


def is_installed_file(path: Path) -> bool:
    """True for the program's own files (the bundled samples): not a folder of the user's."""
    return path.resolve().is_relative_to(assets_dir().resolve())


def default_save_dir(photo: Path) -> Path:
    """Where Save and Export first suggest writing for ``photo``: its folder, unless that is
    the installed samples' folder or not writable; then the user's Pictures folder (or home)."""
    folder = photo.parent
    if not is_installed_file(folder) and os.access(folder, os.W_OK):
        return folder
    return pictures_dir()


def open_dir(s: QSettings) -> str:
    """Where File > Open starts: the folder of the last photo the user opened, else Pictures."""
    last = Path(str(s.value("lastDir", "") or ""))
    # (earlier versions remembered the samples' folder once the bundled sample had opened)
    return str(last) if last.is_dir() and last != Path() and not is_installed_file(last) \
        else str(pictures_dir())


def remember_open_dir(s: QSettings, photo: Path) -> None:
    """The next File > Open starts in ``photo``'s folder, unless it is the installed samples'."""
    if not is_installed_file(photo):
        s.setValue("lastDir", str(photo.parent))


def session_dir(s: QSettings) -> str:
    """Where File > Open session starts: the folder of the last session the user saved or
    opened, else where File > Open starts."""
    last = Path(str(s.value("sessionDir", "") or ""))
    return str(last) if last != Path() and last.is_dir() else open_dir(s)


def remember_session_dir(s: QSettings, session: Path) -> None:
    s.setValue("sessionDir", str(Path(session).resolve().parent))


def remember_opened(s: QSettings, photo: Path, session: Path | None) -> None:
    """After opening ``photo`` (from the user's ``session`` file, if any): where File > Open
    and File > Open session start next time."""
    remember_open_dir(s, photo)
    if session is not None:
        remember_session_dir(s, session)


def pictures_dir() -> Path:
    """The user's Pictures folder, or home when there is none."""
    pictures = QStandardPaths.writableLocation(Loc.PicturesLocation)
    return Path(pictures) if pictures and Path(pictures).is_dir() else Path.home()


def recent_files(s: QSettings) -> list[str]:
    r = s.value("recentFiles", [])
    return [str(x) for x in r] if isinstance(r, list) else ([str(r)] if r else [])


def add_recent_file(s: QSettings, path: Path) -> None:
    """``path`` at the top of File > Open recent; not the bundled sample (it opens by itself and
    pushed the user's own files down the list: a walkthrough, session 29)."""
    if is_installed_file(Path(path)):
        return
    recent = [str(path)] + [p for p in recent_files(s) if p != str(path)]
    s.setValue("recentFiles", recent[:MAX_RECENT])


def remove_recent_file(s: QSettings, path: str) -> None:
    s.setValue("recentFiles", [p for p in recent_files(s) if p != str(path)])


def clear_recent_files(s: QSettings) -> None:
    s.setValue("recentFiles", [])


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


# The app's hint reach before the user chooses one: each hint colours its own region. Users
# painting "this coat is red" saw one hint redden the whole photo with the library's default
# (DEFAULT_HINT_REACH, "photo": the best PSNR on random hints, which the command line, the
# Python API, session files without the key and the evaluation keep). README, "Hint reach".
APP_DEFAULT_HINT_REACH = REGION


def preferred_hint_reach(s: QSettings) -> str:
    """The hint reach last chosen (net.hint_reach), for photos opened without a session."""
    value = s.value("hintReach", APP_DEFAULT_HINT_REACH)
    return value if value in HINT_REACHES else APP_DEFAULT_HINT_REACH


def remember_hint_reach(s: QSettings, reach: str) -> None:
    s.setValue("hintReach", reach)
