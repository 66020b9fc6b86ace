"""Screenshot of the real app window for the README (run under Xvfb, see README).

    xvfb-run -s "-screen 0 1600x1000x24" python3 scripts/screenshot.py docs/screenshot.png

Opens the bundled sample photo, paints a few hints and one stroke the way a user would
(through the hint tool), waits for the colorized result and captures the whole screen, so
what is on it is what a user sees.
"""
import sys
import time
from pathlib import Path

from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtWidgets import QApplication

from colorizer_gui.main_window import MainWindow
from net.assets import sample_photo

HINTS = [  # (x, y, radius, rgb) on the 512x512 astronaut sample
    (70, 40, 10, (178, 34, 52)), (40, 200, 10, (235, 235, 235)), (25, 90, 10, (60, 59, 110)),
    (260, 180, 12, (226, 178, 150)), (250, 90, 12, (160, 110, 60)), (160, 420, 14, (225, 120, 40)),
    (470, 110, 10, (200, 200, 205)), (380, 200, 14, (210, 200, 185)), (450, 330, 10, (40, 40, 60)),
]

STROKE = [(300 + 12 * k, 28 + (k % 3)) for k in range(14)]    # sky to the right of the head
STROKE_RGB = (120, 160, 215)


def main(out: str) -> int:
    app = QApplication([])
    w = MainWindow(device="cpu", ask_restore=False)
    w.set_startup_path(sample_photo())
    w.resize(1500, 860)
    w.move(40, 40)
    w.show()
    state = {"t0": time.time()}

    def paint():
        if w.session is None:
            if time.time() - state["t0"] > 120:
                app.exit(1)
            QTimer.singleShot(300, paint)
            return
        for x, y, r, rgb in HINTS:
            w.tool.set_radius(r)
            w.tool.set_color(rgb)
            w.tool.add_hint(x, y)
        w.tool.set_radius(8)                       # a stroke along the sky: one hint
        w.tool.set_color(STROKE_RGB)
        left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        w.tool.press(QPointF(*STROKE[0]), left, none, "gray")
        for pt in STROKE[1:]:
            w.tool.drag(QPointF(*pt))
        w.tool.release(QPointF(*STROKE[-1]))
        w.tool.select(5)                           # (its suggestions show with it)
        QTimer.singleShot(4000, shoot)

    def shoot():
        QApplication.processEvents()
        app.primaryScreen().grabWindow(0).copy(20, 20, 1540, 920).save(out)
        w.doc.history.set_clean()                 # nothing to ask about on the way out
        app.exit(0)

    QTimer.singleShot(500, paint)
    return app.exec()


if __name__ == "__main__":
    Path(sys.argv[1]).parent.mkdir(parents=True, exist_ok=True)
    sys.exit(main(sys.argv[1]))
