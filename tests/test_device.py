"""Precision choice: "auto" uses bfloat16 only where the hardware computes it natively."""
import torch
import torch.nn.functional as F

from net import device as dev


def _conv_dtype(device, precision):
    x, w = torch.randn(1, 3, 8, 8), torch.randn(4, 3, 3, 3)
    with dev.autocast_for(torch.device(device), precision):
        return F.conv2d(x, w).dtype


def test_auto_uses_bf16_on_a_cpu_that_computes_it(monkeypatch):
    monkeypatch.setattr(dev, "cpu_has_fast_bf16", lambda: True)
    assert _conv_dtype("cpu", "auto") == torch.bfloat16


def test_auto_stays_float32_on_a_cpu_that_would_emulate_bf16(monkeypatch):
    # an AVX2-only CPU: oneDNN emulates bfloat16 there, slower than float32
    monkeypatch.setattr(dev, "cpu_has_fast_bf16", lambda: False)
    assert _conv_dtype("cpu", "auto") == torch.float32


def test_explicit_choices_are_kept(monkeypatch):
    monkeypatch.setattr(dev, "cpu_has_fast_bf16", lambda: False)
    assert _conv_dtype("cpu", "bf16") == torch.bfloat16      # asked for, so given
    monkeypatch.setattr(dev, "cpu_has_fast_bf16", lambda: True)
    assert _conv_dtype("cpu", "fp32") == torch.float32


def test_an_avx512_cpu_counts_as_fast():
    # the check reads a private torch op; a torch that drops it must fall back, not say no
    if torch.backends.cpu.get_cpu_capability() in ("AVX512", "AMX"):
        assert dev.cpu_has_fast_bf16() is True
    else:
        assert dev.cpu_has_fast_bf16() in (True, False)
