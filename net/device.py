"""Device choice and numeric precision, shared by the app, the CLI, training and evaluation."""
from __future__ import annotations

import contextlib
import re

import torch


DEVICES = ("auto", "cpu", "cuda", "mps")     # what the app's menu and every --device offer


def device_available(name: str) -> bool:
    """Whether :func:`pick_device` accepts this device on this machine."""
    try:
        pick_device(name)
    except ValueError:
        return False
    return True


def device_name(text: str) -> str:
    """argparse type of ``--device``: one of :data:`DEVICES`, or cuda:N."""
    import argparse
    name = text.strip().lower()
    if name in DEVICES or re.fullmatch(r"cuda:\d+", name):
        return name
    raise argparse.ArgumentTypeError(f"unknown device {text!r}; use {', '.join(DEVICES)} or cuda:N")


def add_device_argument(parser, default: str = "auto") -> None:
    """The one ``--device`` option of every command line (cuda:N picks a CUDA device)."""
    parser.add_argument("--device", default=default, type=device_name,
                        help=f"{', '.join(DEVICES)} or cuda:N (default: {default}; auto picks "
                             "CUDA, then Apple MPS, then the CPU)")


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
        raise ValueError(f"unknown device {device!r}; use {', '.join(DEVICES)}") from None


def cpu_has_fast_bf16() -> bool:
    """Whether this CPU computes bfloat16 convolutions natively (AVX-512 or AMX on x86, BF16 on
    Arm), so that autocast pays. On AVX2-only CPUs oneDNN emulates bfloat16 and float32 is
    faster; "auto" precision then stays in float32."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):          # a build without oneDNN, or an older torch
        return torch.backends.cpu.get_cpu_capability() in ("AVX512", "AMX")


def autocast_for(device: torch.device, precision: str):
    """The autocast context of a precision: "fp32" none; "bf16" bfloat16 (CPU or CUDA); "fp16"
    float16 on CUDA; "auto" bfloat16 where it is fast (a CPU with :func:`cpu_has_fast_bf16`,
    a CUDA device that supports it, else float16 there) and float32 otherwise (MPS, older CPUs).
    """
    if precision == "fp32":
        return contextlib.nullcontext()
    if device.type == "cuda":
        half = precision == "fp16" or (precision == "auto" and not torch.cuda.is_bf16_supported())
        return torch.autocast("cuda", dtype=torch.float16 if half else torch.bfloat16)
    if device.type == "cpu" and (precision == "bf16" or cpu_has_fast_bf16()):
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()
