"""Screenshot of the real app window for the README (run under Xvfb, see README).

    xvfb-run -s "-screen 0 1600x1000x24" python3 scripts/screenshot.py docs/screenshot.png

Opens the bundled sample photo, paints a few hints the way a user would (through the
hint tool), waits for the colorized result and captures the whole screen with xwd,
so window decorations and all are what a user sees.
"""
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from colorizer_gui.main_window import MainWindow
from net.colorizer import assets_dir

HINTS = [  # (x, y, radius, rgb) on the 512x512 astronaut sample
    (70, 40, 10, (178, 34, 52)), (40, 200, 10, (235, 235, 235)), (25, 90, 10, (60, 59, 110)),
    (260, 180, 12, (226, 178, 150)), (250, 90, 12, (160, 110, 60)), (160, 420, 14, (225, 120, 40)),
    (470, 110, 10, (200, 200, 205)), (380, 200, 14, (210, 200, 185)), (450, 330, 10, (40, 40, 60)),
]


def main(out: str) -> int:
    app = QApplication([])
    w = MainWindow(device="cpu", ask_restore=False)
    w.set_startup_path(assets_dir() / "samples" / "astronaut-gray.jpg")
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
        w.tool.select(5)
        w.update_suggestions(*HINTS[5][:2])
        QTimer.singleShot(4000, shoot)

    def shoot():
        QApplication.processEvents()
        subprocess.run(f"xwd -root -silent | convert xwd:- -crop 1540x920+20+20 {out}",
                       shell=True, check=True)
        w._saved_rev = w.doc.revision
        app.exit(0)

    QTimer.singleShot(500, paint)
    return app.exec()


if __name__ == "__main__":
    Path(sys.argv[1]).parent.mkdir(parents=True, exist_ok=True)
    sys.exit(main(sys.argv[1]))
