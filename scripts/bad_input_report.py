"""Prints the bad-input table for the hardening note: each corpus file through the API.

    python3 scripts/bad_input_report.py [--weights W]
"""
import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from net import Colorizer, Hint, ImageError, load_image  # noqa: E402
from net.image_io import max_pixels_setting  # noqa: E402
from tests.bad_inputs import make_corpus  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", default=None)
    a = ap.parse_args()
    c = Colorizer.load(a.weights, device="cpu")
    print(f"pixel limit: {max_pixels_setting():,} pixels\n")
    print("| input | outcome |\n|---|---|")
    with tempfile.TemporaryDirectory() as d:
        for name, (path, expect) in make_corpus(Path(d)).items():
            try:
                img = load_image(path)
                out = c.colorize(img.rgb, [Hint(0.5, 0.5, 1, (200, 0, 0))])
                res = f"works: {img.rgb.shape[1]}x{img.rgb.shape[0]}, {img.bit_depth}-bit, output {out.shape[1]}x{out.shape[0]}"
            except ImageError as e:
                res = f"refused: {e}"
            ok = (expect == "ok") == res.startswith("works")
            print(f"| {name} | {res}{'' if ok else '  **UNEXPECTED**'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
