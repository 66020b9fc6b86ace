"""Checks of the installed Qt binding that the app depends on.

PySide6 6.12.0 has a reference-counting bug: every ``Signal.emit()`` made from Python
releases one reference to ``True`` that it never took. Python 3.12+ makes ``True``
immortal, so nothing happens there; on Python 3.11 the interpreter aborts with
"bool_dealloc: deallocating True or False" once the count reaches zero, which in this
app is a few minutes of painting. pyproject.toml excludes that release; this module
detects the behaviour itself (not the version number), so a broken binding installed
by other means gives a clear message at start-up instead of a crash later.
"""
from __future__ import annotations

import sys

PROBE_EMITS = 50


def emit_leaks_true_references() -> bool:
    """True when emitting a signal from Python drops references to ``True``."""
    if sys.version_info >= (3, 12):
        return False  # immortal bools: a stray decref is harmless
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(PROBE_EMITS):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    if lost > 0:
        # give the references back, so the probe itself never brings the process closer to abort
        import ctypes
        for _ in range(lost):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    return lost >= PROBE_EMITS // 2


def binding_problem() -> str | None:
    """A one-paragraph message when the installed Qt binding cannot run the app, else None."""
    try:
        import PySide6
    except ImportError as e:
        return f"PySide6 is not installed ({e}). Run ./scripts/setup.sh."
    if emit_leaks_true_references():
        return (f"PySide6 {PySide6.__version__} has a known bug that crashes Python "
                f"{sys.version_info.major}.{sys.version_info.minor} applications after a few "
                "hundred screen updates. Install another release: "
                "python3 -m pip install 'PySide6-Essentials!=6.12.0' (or use Python 3.12+).")
    return None
