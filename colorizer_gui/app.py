"""Application start-up: ``colorizer [IMAGE] [--model M] [--device D] [--no-restore]``."""
from __future__ import annotations

import argparse
import difflib
import os
import sys
from pathlib import Path

from net.assets import add_model_argument, sample_photo
from net.device import add_device_argument


COMMANDS = ("colorize",)        # sub-commands of ``colorizer`` (dispatched by colorizer_gui.cli)


def app_parser() -> argparse.ArgumentParser:
    """``colorizer [IMAGE]``'s options; its help is also ``colorizer -h``."""
    from net.version import __version__
    p = argparse.ArgumentParser(
        prog="colorizer", formatter_class=argparse.RawDescriptionHelpFormatter,
        usage="%(prog)s [-h] [--version] [--model MODEL] [--device DEVICE] [--no-restore] [IMAGE]\n"
              "       %(prog)s colorize IN... [options]",
        description="Colorize a black-and-white photo from a few colour hints: opens the app.",
        epilog="commands:\n"
               "  colorize IN...  colorize photos without the app (batch; no Qt needed);\n"
               "                  'colorizer colorize --help' lists its options")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument("image", nargs="?", metavar="IMAGE",
                   help="a photo, or a .colorize.json session (its photo with its hints), to open "
                        "(default: a sample photo)")
    add_model_argument(p, "--model")
    add_device_argument(p)
    p.add_argument("--no-restore", action="store_true", help="do not offer to restore autosaved work")
    return p


def parse_app_args(argv=None) -> argparse.Namespace:
    """The app's arguments. An unknown option (a mistyped ``--model``) is named first: the
    word after it would otherwise be taken for the photo. A word that is no file and no command
    (a mistyped ``colorize``) is an error that says so, rather than argparse's "unrecognized
    arguments"."""
    p = app_parser()
    args, extra = p.parse_known_args(argv)
    unknown = [x for x in extra if x.startswith("-") and x != "-"]
    if unknown:
        p.error(unknown_options_message(p, unknown))
    word = args.image
    if word and not os.path.exists(word) and not Path(word).suffix and os.sep not in word \
            and "/" not in word:
        if word in COMMANDS:
            p.error(f"the {word} command comes first, before its options: colorizer {word} ...")
        close = difflib.get_close_matches(word, COMMANDS, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f" (commands: {', '.join(COMMANDS)})"
        p.error(f"'{word}' is not a command or a file{hint}")
    if extra:
        several = " (the app opens one photo; 'colorizer colorize IN...' colorizes several)" \
            if word and not all(x.startswith("-") for x in extra) else ""
        p.error(f"unrecognized arguments: {' '.join(extra)}{several}")
    return args


def unknown_options_message(p: argparse.ArgumentParser, unknown: list[str]) -> str:
    """"unknown option --modle (did you mean --model?)", for each one given."""
    known = [s for s in p._option_string_actions if s.startswith("--")]
    parts = []
    for option in unknown:
        name = option.split("=", 1)[0]
        close = difflib.get_close_matches(name, known, n=1) if name.startswith("--") else []
        parts.append(name + (f" (did you mean {close[0]}?)" if close else ""))
    return f"unknown option{'s' if len(parts) > 1 else ''} {', '.join(parts)}"


def run_app(argv=None) -> int:
    args = parse_app_args(argv)

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
