"""The editing session file (``*.colorize.json``, docs/DESIGN.md section 3.2).

    {"format": "colorizer-session", "version": 2, "image": "photo.jpg",
     "image_sha256": "...", "model": "default", "hint_reach": "region",
     "hints": [{"x": 120.5, "y": 80.0, "radius": 12.0, "rgb": [200, 30, 30]},
               {"kind": "stroke", "points": [[10, 20], [40, 22]], "radius": 6.0,
                "rgb": [30, 90, 200]}]}

``hint_reach`` (:mod:`net.hint_reach`) is written only when it is not the default ("photo").
``model`` names the model (:func:`net.assets.model_name`); ``model_path`` (the weights file)
and ``model_sha256`` (its sidecar's ``tensors_sha256``) say which weights exactly, so a user's
own ``local.safetensors`` is not taken for the bundled ``local``; both are optional.
Version 2 added stroke hints (``"kind": "stroke"``); version 1 files (circles only)
still load, and are written back as version 2. Coordinates are original-image pixels. Unknown keys are ignored; anything
malformed raises :class:`SessionError` naming the problem. Writes are atomic.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from .atomic import write_failure_reason, write_text_atomic
from .hint_reach import DEFAULT_HINT_REACH, HINT_REACHES
from .hints import Hint, Stroke, parse_hint

FORMAT = "colorizer-session"
VERSION = 2
READABLE_VERSIONS = (1, 2)
SUFFIX = ".colorize.json"
MAX_BYTES = 50_000_000
MAX_HINTS = 100_000


class SessionError(ValueError):
    """A session file that cannot be used; one-sentence message."""


@dataclass
class Session:
    image: str
    hints: list[Hint | Stroke] = field(default_factory=list)
    image_sha256: str | None = None
    model: str = "default"
    hint_reach: str = DEFAULT_HINT_REACH
    model_path: str | None = None
    model_sha256: str | None = None

    def image_path(self, session_path: str | os.PathLike | None) -> Path:
        """The image path, resolved relative to the session file's folder."""
        p = Path(self.image)
        if not p.is_absolute() and session_path is not None:
            p = Path(session_path).resolve().parent / p
        return p

    def to_json(self) -> dict:
        d = {"format": FORMAT, "version": VERSION, "image": self.image, "model": self.model,
             "hints": [h.to_dict() for h in self.hints]}
        if self.image_sha256:
            d["image_sha256"] = self.image_sha256
        if self.hint_reach != DEFAULT_HINT_REACH:
            d["hint_reach"] = self.hint_reach
        if self.model_path:
            d["model_path"] = self.model_path
        if self.model_sha256:
            d["model_sha256"] = self.model_sha256
        return d


def parse_session(data) -> Session:
    """Validate decoded JSON; raise SessionError naming what is wrong."""
    if not isinstance(data, dict):
        raise SessionError("the session file does not contain a JSON object")
    if data.get("format") != FORMAT:
        found = data.get("format")
        raise SessionError("not a colorizer session: it has no \"format\": \"%s\" entry%s"
                           % (FORMAT, "" if found is None else f" (its format is {found!r})"))
    v = data.get("version")
    if isinstance(v, bool) or v not in READABLE_VERSIONS:
        raise SessionError(f"unsupported session version {v!r} (this program reads versions "
                           f"{', '.join(map(str, READABLE_VERSIONS))})")
    image = data.get("image")
    if not isinstance(image, str) or not image.strip():
        raise SessionError("the session names no image")
    sha = data.get("image_sha256")
    if sha is not None and not (isinstance(sha, str) and len(sha) == 64):
        raise SessionError("image_sha256 is not a SHA-256 hex digest")
    model = data.get("model", "default")
    if not isinstance(model, str):
        raise SessionError("model must be a string")
    model_path = data.get("model_path")
    if model_path is not None and not (isinstance(model_path, str) and model_path.strip()):
        raise SessionError("model_path must be a file path")
    model_sha = data.get("model_sha256")
    if model_sha is not None and not (isinstance(model_sha, str) and len(model_sha) == 64):
        raise SessionError("model_sha256 is not a SHA-256 hex digest")
    reach = data.get("hint_reach", DEFAULT_HINT_REACH)
    if reach not in HINT_REACHES:
        raise SessionError(f"hint_reach must be one of {', '.join(HINT_REACHES)} (not {reach!r})")
    raw = data.get("hints", [])
    if not isinstance(raw, list):
        raise SessionError("hints must be a list")
    if len(raw) > MAX_HINTS:
        raise SessionError(f"too many hints ({len(raw)}; at most {MAX_HINTS})")
    hints = []
    for i, h in enumerate(raw, 1):
        try:
            if v == 1 and isinstance(h, dict) and "kind" in h:
                raise ValueError("version 1 sessions hold circles only")
            hints.append(parse_hint(h))
        except (ValueError, TypeError) as e:
            msg = str(e)                   # ("hint is missing x" -> "hint 3 is missing x")
            raise SessionError(f"hint {i} {msg[5:]}" if msg.startswith("hint ")
                               else f"hint {i}: {msg}") from None
    return Session(image=image, hints=hints, image_sha256=sha, model=model, hint_reach=reach,
                   model_path=model_path, model_sha256=model_sha)


def load_session(path: str | os.PathLike) -> Session:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SessionError(f"{path.name} is too large to be a session file")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SessionError(f"{path.name} does not exist") from None
    except IsADirectoryError:
        raise SessionError(f"{path.name} is a folder, not a session file") from None
    except UnicodeDecodeError:
        raise SessionError(f"{path.name} is not a text file") from None
    except OSError as e:
        raise SessionError(f"{path.name} cannot be read ({e.strerror or e})") from None
    try:
        data = json.loads(text, parse_constant=lambda c: math.nan)
    except (json.JSONDecodeError, RecursionError) as e:
        raise SessionError(f"{path.name} is not valid JSON ({_json_problem(e)})") from None
    return parse_session(data)


def _json_problem(e: Exception) -> str:
    """What is wrong in a file that is not JSON, and where: "Expecting value at line 3",
    "Unterminated string starting at line 18"."""
    if not isinstance(e, json.JSONDecodeError):
        return "too deeply nested"
    return f"{e.msg}{'' if e.msg.endswith(' at') else ' at'} line {e.lineno}"


def check_hints_fit(hints: list[Hint | Stroke], size: tuple[int, int]) -> None:
    """Refuse hints with a centre (or a stroke point) outside an image of size (height, width)."""
    h, w = size
    for i, hint in enumerate(hints, 1):
        for x, y in hint.points:
            if not (0 <= x <= w and 0 <= y <= h):
                raise SessionError(f"hint no. {i} lies at x {x:.0f}, y {y:.0f}, outside the "
                                   f"{w}x{h} photo")


def save_session(path: str | os.PathLike, session: Session) -> None:
    """Write atomically; the image path is stored relative to the session file when possible."""
    path = Path(path)
    img = Path(session.image)
    if img.is_absolute():
        try:
            rel = os.path.relpath(img, path.resolve().parent)
            if not rel.startswith(".."):
                session = replace(session, image=rel)
        except ValueError:
            pass
    try:
        write_text_atomic(path, json.dumps(session.to_json(), indent=1) + "\n")
    except OSError as e:
        reason = write_failure_reason(e)
        raise SessionError(f"Could not save {path.name}: {reason}") from None
