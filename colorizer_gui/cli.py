"""``colorizer``: the desktop app, and ``colorizer colorize`` for headless batch work.

    colorizer [IMAGE] [--model M] [--device D] [--no-restore]   open the app (IMAGE: a photo or a
                                      .colorize.json session; the bundled sample when none)
    colorizer --version                    print the version
    colorizer colorize IN... [--hints F.colorize.json] [-o OUT | --out-dir DIR] [options]

``colorizer -h`` prints the app's parser's help (:func:`colorizer_gui.app.app_parser`),
``colorizer colorize -h`` the sub-command's. The colorize sub-command never imports Qt.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from net.assets import add_model_argument
from net.device import add_device_argument
from net.hint_reach import DEFAULT_HINT_REACH, HINT_REACHES


def colorize_parser() -> argparse.ArgumentParser:
    from net.formats import WRITE_NAMES
    p = argparse.ArgumentParser(prog="colorizer colorize",
                                description="Colorize photos without the app.")
    p.add_argument("inputs", nargs="+", metavar="IN", help="photos to colorize")
    p.add_argument("--hints", metavar="F.colorize.json",
                   help="session file whose hints are applied (image pixel coordinates)")
    p.add_argument("--hint-reach", choices=HINT_REACHES,
                   help="how far a hint's colour reaches: the whole photo, or its own region (the "
                        "rest keeps its automatic colour); default: the session file's, else photo")
    g = p.add_mutually_exclusive_group()
    g.add_argument("-o", "--out", help="output file (one input only)")
    g.add_argument("--out-dir", help="output folder (default: next to each input)")
    add_model_argument(p)
    add_device_argument(p)
    p.add_argument("--working-size", type=int, default=256, metavar="N",
                   help="the long side in pixels the network works at (default: %(default)s; "
                        "a photo over 2:1 gets a longer one, up to 4x, so its short side stays "
                        "at half of it); larger costs time")
    p.add_argument("--suffix", default="_colorized",
                   help="added to output names (default: %(default)s)")
    p.add_argument("--format", choices=WRITE_NAMES,
                   help="output type (default: png; with -o the extension decides, and must agree)")
    p.add_argument("--quality", type=quality_arg, default=95, metavar="1-100",
                   help="JPEG and WebP quality, from 1 to 100 (default: %(default)s)")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (there is none either when stderr is not a terminal)")
    return p


def quality_arg(text: str) -> int:
    """--quality: an integer from 1 to 100 (net.image_io.check_quality)."""
    from net.image_io import check_quality
    try:
        return check_quality(int(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 100, not {text!r}") \
            from None


def check_format(parser: argparse.ArgumentParser, args) -> None:
    """-o's extension decides the file type; a --format that names another type is an error."""
    from net.formats import WRITE_FORMATS
    if not (args.out and args.format):
        return
    ext = Path(args.out).suffix.lower()
    if WRITE_FORMATS.get(ext) != WRITE_FORMATS[f".{args.format}"]:
        kind = f"is a {WRITE_FORMATS[ext]} file" if ext in WRITE_FORMATS else "has no image extension"
        parser.error(f"-o {args.out} {kind} but --format asks for {args.format}; "
                     f"drop --format or end -o with .{args.format}")


def output_path(inp: Path, args) -> Path:
    if args.out:
        return Path(args.out)
    folder = Path(args.out_dir) if args.out_dir else inp.parent
    return folder / f"{inp.stem}{args.suffix}.{args.format or 'png'}"


def run_colorize(argv) -> int:
    parser = colorize_parser()
    args = parser.parse_args(argv)
    check_format(parser, args)
    from net import Colorizer, ImageError, WeightsError, load_image
    from net.export import export_image
    from net.session_file import SessionError, check_hints_fit, load_session

    inputs = [Path(p) for p in args.inputs]
    if args.out and len(inputs) > 1:
        print("colorizer: error: -o takes one input; use --out-dir for several", file=sys.stderr)
        return 2
    hints, reach = [], DEFAULT_HINT_REACH
    if args.hints:
        try:
            session = load_session(args.hints)
            hints, reach = session.hints, session.hint_reach
        except SessionError as e:
            print(f"colorizer: error: {args.hints}: {e}", file=sys.stderr)
            return 2
    reach = args.hint_reach or reach
    try:
        colorizer = Colorizer.load(args.weights, device=args.device, working_size=args.working_size)
    except (WeightsError, ValueError) as e:
        print(f"colorizer: error: {e}", file=sys.stderr)
        return 2
    failed = 0
    it = inputs
    bar = None
    if len(inputs) > 1:
        from tqdm import tqdm
        # disable=None: no bar when stderr is not a terminal, so error lines stay whole there
        bar = tqdm(inputs, unit="photo", file=sys.stderr, disable=True if args.no_progress else None)
        it = bar
    for inp in it:
        try:
            out = output_path(inp, args)
            if out.resolve() == inp.resolve():
                raise ImageError(f"{out.name} is the input; refusing to overwrite the original.")
            img = load_image(inp)
            check_hints_fit(hints, img.rgb.shape[:2])
            # 16 bits per channel for a 16-bit photo written as PNG or TIFF, else 8
            export_image(out, colorizer.open(img.rgb), hints, reach, img.rgb16,
                         quality=args.quality, metadata=img.metadata)
        except (ImageError, SessionError, OSError, MemoryError) as e:
            failed += 1
            msg = f"colorizer: {inp}: {e}"
            if bar is not None:
                bar.write(msg, file=sys.stderr)
            else:
                print(msg, file=sys.stderr)
            continue
        note = " (its transparent parts on white)" if img.flattened else ""
        if bar is None:
            print(f"wrote {out}{note}")
        elif note:
            bar.write(f"colorizer: {inp}: transparent parts put on white", file=sys.stderr)
    if bar is not None:
        bar.close()
        print(f"{len(inputs) - failed} of {len(inputs)} photos colorized", file=sys.stderr)
    return 1 if failed else 0


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "colorize":
        return run_colorize(argv[1:])
    if argv and argv[0] == "--version":
        from net.version import __version__
        print(f"colorizer {__version__}")
        return 0
    if argv and argv[0] in ("-h", "--help"):
        from .app import app_parser       # the app's own options, and the colorize command
        app_parser().print_help()
        return 0
    from .app import run_app
    return run_app(argv)


if __name__ == "__main__":
    sys.exit(main())
