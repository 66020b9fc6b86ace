"""Application start-up: ``colorizer [IMAGE] [--model M] [--device D]``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from net.assets import add_model_argument, sample_photo
from net.device import add_device_argument


def run_app(argv=None) -> int:
    p = argparse.ArgumentParser(prog="colorizer", description="Colorize a black-and-white photo "
                                "from a few colour hints. 'colorizer colorize --help' for batch use.")
    p.add_argument("image", nargs="?", help="photo or .colorize.json session (default: a sample photo)")
    add_model_argument(p, "--model")
    add_device_argument(p)
    p.add_argument("--no-restore", action="store_true", help="do not offer to restore autosaved work")
    args = p.parse_args(argv)

    from .qt_binding import binding_problem
    problem = binding_problem()
    if problem is not None:
        print(f"colorizer: {problem}", file=sys.stderr)
        try:
            from PySide6.QtWidgets import QApplication, QMessageBox
            app = QApplication.instance() or QApplication(sys.argv[:1])
            QMessageBox.critical(None, "Colorizer cannot start", problem)
        except Exception:  # noqa: BLE001 - the message is already on stderr
            pass
        return 1

    from PySide6.QtWidgets import QApplication

    from .main_window import APP_NAME, MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("hint-colorizer")
    win = MainWindow(model=args.model, device=args.device, ask_restore=not args.no_restore)
    sample = sample_photo()
    start = Path(args.image) if args.image else (sample if sample.is_file() else None)
    win.set_startup_path(start)
    win.show()
    return app.exec()
