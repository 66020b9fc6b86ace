"""Time from a hint click to the updated result on screen, in the real app.

    xvfb-run -s "-screen 0 1600x1000x24" python3 scripts/gui_latency.py [--clicks 40]

Sends real mouse clicks to the photo view, one at a time, and measures until the
result view has repainted with the result of that click. Prints p50/p95.
"""
import argparse
import statistics
import sys
import time

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from colorizer_gui.main_window import MainWindow
from net.colorizer import assets_dir


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clicks", type=int, default=40)
    ap.add_argument("--model", default=None)
    a = ap.parse_args()
    app = QApplication([])
    w = MainWindow(model=a.model, device="auto", ask_restore=False)
    w.set_startup_path(assets_dir() / "samples" / "astronaut-gray.jpg")
    w.resize(1400, 800)
    w.show()
    rng = np.random.default_rng(0)
    lat, state = [], {"t": None, "gen": None}
    def on_result(gen, rgb, ms, kind):
        if state["t"] is not None and kind == "preview" and gen == w.worker.generation:
            w.result_view.viewport().repaint()            # force the paint, then stop the clock
            lat.append((time.perf_counter() - state["t"]) * 1000)
            state["t"] = None
            QTimer.singleShot(150, click)

    def click():
        if len(lat) >= a.clicks:
            w._saved_rev = w.doc.revision
            print(f"click -> result on screen over {len(lat)} clicks: p50 {statistics.median(lat):.1f} ms, "
                  f"p95 {sorted(lat)[int(0.95 * (len(lat) - 1))]:.1f} ms, max {max(lat):.1f} ms; "
                  f"model {w.colorizer.name}, device {w.colorizer.device}")
            app.exit(0)
            return
        v = w.gray_view
        x, y = float(rng.uniform(20, 490)), float(rng.uniform(20, 490))
        pos = QPointF(v.mapFromScene(QPointF(x, y)))
        g = v.viewport().mapToGlobal(pos)
        state["t"] = time.perf_counter()
        for kind, buttons in ((QEvent.Type.MouseButtonPress, Qt.MouseButton.LeftButton),
                              (QEvent.Type.MouseButtonRelease, Qt.MouseButton.NoButton)):
            QApplication.sendEvent(v.viewport(), QMouseEvent(kind, pos, g, Qt.MouseButton.LeftButton,
                                                             buttons, Qt.KeyboardModifier.NoModifier))

    w.worker.resultReady.connect(on_result)

    def start():
        if w.session is None or w.worker.pending():
            QTimer.singleShot(200, start)
            return
        QTimer.singleShot(500, click)

    QTimer.singleShot(500, start)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
