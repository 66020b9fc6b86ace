"""Device choice and numeric precision, shared by the app, the CLI, training and evaluation."""
from __future__ import annotations

import contextlib

import torch


def pick_device(device: str | torch.device = "auto") -> torch.device:
    """"auto": CUDA, then Apple MPS, then CPU. An unavailable explicit choice raises ValueError."""
    d = str(device).lower()
    if d == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if d.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError("CUDA was requested but no CUDA device is available")
    if d == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ValueError("Apple MPS was requested but is not available")
    try:
        return torch.device(d)
    except RuntimeError:
        raise ValueError(f"unknown device {device!r}; use auto, cpu, cuda or mps") from None


def autocast_for(device: torch.device, precision: str):
    """bfloat16 autocast where it is fast (CPU with AMX/AVX-512, CUDA); a null context otherwise."""
    if precision == "fp32":
        return contextlib.nullcontext()
    if precision == "auto" and device.type == "mps":
        return contextlib.nullcontext()
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.float16 if precision == "fp16" else torch.bfloat16)
    if device.type == "cpu":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()
