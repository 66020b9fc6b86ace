"""The installed Qt binding must survive a long editing session.

PySide6 6.12.0 drops a reference to True on every Python-side Signal.emit(); on Python 3.11
the app aborted ("bool_dealloc") after a few hundred screen updates. These tests fail on such
a binding, and check that the app then refuses to start with a message instead.
"""
import sys

import pytest

from colorizer_gui import app as app_module
from colorizer_gui.qt_binding import binding_problem


def test_many_signal_emits_keep_true_alive():
    from PySide6.QtCore import QObject, Signal

    class Source(QObject):
        changed = Signal(int)
        done = Signal()

    src = Source()
    src.changed.connect(lambda _: src.done.emit())      # the pattern the image views use
    before = sys.getrefcount(True)
    for i in range(300):         # enough to see a leak, few enough to fail instead of abort
        src.changed.emit(i)
    assert sys.getrefcount(True) >= before - 10
    assert binding_problem() is None


def test_app_refuses_to_start_on_a_broken_binding(monkeypatch, capsys, qapp):
    from PySide6.QtWidgets import QMessageBox
    shown = []
    monkeypatch.setattr("colorizer_gui.qt_binding.emit_leaks_true_references", lambda: True)
    monkeypatch.setattr(QMessageBox, "critical", lambda *a: shown.append(a[2]))
    assert app_module.run_app(["--no-restore"]) == 1
    err = capsys.readouterr().err
    assert "known bug" in err and "PySide6-Essentials!=6.12.0" in err
    assert shown and "known bug" in shown[0]


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="bools are immortal on 3.12+")
def test_probe_detects_lost_references(monkeypatch):
    """Simulate the bug: each emit loses one reference (given back afterwards)."""
    import ctypes

    from PySide6.QtCore import SignalInstance

    from colorizer_gui.qt_binding import PROBE_EMITS, emit_leaks_true_references
    lost = []
    real_emit = SignalInstance.emit

    def leaky_emit(self, *a):
        ctypes.pythonapi.Py_DecRef(ctypes.py_object(True))
        lost.append(1)
        return real_emit(self, *a)

    monkeypatch.setattr(SignalInstance, "emit", leaky_emit)
    before = sys.getrefcount(True)
    assert emit_leaks_true_references()
    monkeypatch.undo()
    assert len(lost) == PROBE_EMITS
    assert sys.getrefcount(True) >= before - 5           # the probe gave the references back
