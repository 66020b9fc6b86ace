"""Training checkpoints: atomic save, safe load (``weights_only=True``), clear errors."""
from __future__ import annotations

from pathlib import Path

import torch

from net.atomic import atomic_path, write_failure_reason


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be resumed from; one-line message."""


def save_checkpoint(path: str | Path, state: dict) -> None:
    """Atomic: a failed or killed save leaves the previous checkpoint as it was."""
    try:
        with atomic_path(path) as tmp:
            torch.save(state, tmp)
    except OSError as e:
        raise CheckpointError(f"could not write checkpoint {Path(path).name}: "
                              f"{write_failure_reason(e)}; the previous one is kept") from None


def load_checkpoint(path: str | Path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"no checkpoint to resume from at {path}")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - any parse failure means a corrupt file
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CheckpointError(f"checkpoint {path} is corrupt or not a checkpoint ({first[:160]})") from None
    if not isinstance(state, dict) or "model" not in state or "step" not in state:
        raise CheckpointError(f"checkpoint {path} is not a colorizer training checkpoint")
    return state


def require_same_on_resume(resume_state: dict | None, key: str, now, default, describe) -> None:
    """A resumed run keeps the training choice ``key`` it was started with (the checkpoint's
    ``args``; ``default`` for checkpoints older than the option): otherwise CheckpointError,
    saying how it was trained (``describe(value)``, e.g. "with --correction-loss")."""
    if resume_state is None:
        return
    before = type(now)(resume_state.get("args", {}).get(key, default))
    if before != now:
        raise CheckpointError(f"the checkpoint was trained {describe(before)}; resume it the same way")
