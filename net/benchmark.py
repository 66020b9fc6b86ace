"""Latency benchmark of the inference API (prints what it measures; not a test).

    python -m net.benchmark [--weights W] [--device D] [--precision auto|fp32] [--repeat N]

Measures, on a photo made from scikit-image's bundled data:
  * ``open``: gray-only features of a 12-megapixel photo (includes its RGB->L conversion),
    for a gray photo (R = G = B, what users open) and a colour one;
  * ``preview`` after a hint change at working size 256 (hint rasterising, propagation,
    HNet, reconstruction, merge at working size), and its stages
    (``ColorizeSession.last_stage_ms``: hint input, network, correction; the rest is mostly
    the merge into RGB, fitting out-of-gamut chroma so L is kept);
  * ``render`` of the 12-megapixel result (chroma upsampling + Lab->RGB at full size);
  * with ``--large``: open + render of a 50-megapixel photo in a fresh process, and that
    process's peak memory (resident set);
  * with ``--edges``: how far colour bleeds across a sharp edge between two hinted regions
    in a 12-megapixel render (:func:`edge_bleed`).
"""
from __future__ import annotations

import argparse
import statistics
import time

import cv2
import numpy as np
import torch

from .assets import add_model_argument
from .device import add_device_argument
from .hint_reach import DEFAULT_HINT_REACH, HINT_REACHES


def percentiles(xs):
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]
    return statistics.median(xs) * 1000, p95 * 1000


LARGE_CHILD = """
import resource, sys, time
import numpy as np
from net import Colorizer, Hint
mp = float(sys.argv[1]); w = int((mp * 1e6 * 4 / 3) ** 0.5); h = int(mp * 1e6 / w)
row = np.linspace(0, 255, w, dtype=np.float32)
gray = (row[None, :] * 0.6 + np.linspace(0, 100, h, dtype=np.float32)[:, None]).astype(np.uint8)
rgb = np.repeat(gray[:, :, None], 3, axis=2)
c = Colorizer.load(sys.argv[2] if len(sys.argv) > 2 else None, device="cpu")
t0 = time.perf_counter()
s = c.open(rgb)
t1 = time.perf_counter()
out = s.render([Hint(w * 0.3, h * 0.5, w / 50, (200, 40, 30)), Hint(w * 0.7, h * 0.5, w / 50, (30, 80, 200))])
t2 = time.perf_counter()
assert out.shape == (h, w, 3)
print(f"{w}x{h} open {1000 * (t1 - t0):.0f} ms render {1000 * (t2 - t1):.0f} ms "
      f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GB")
"""


def large_photo(megapixels: float, weights=None) -> str:
    """Open + render of a gray photo this large in a fresh process: its timings and peak memory."""
    import subprocess
    import sys
    r = subprocess.run([sys.executable, "-c", LARGE_CHILD, str(megapixels)] + ([weights] if weights else []),
                       capture_output=True, text=True)
    if r.returncode != 0:
        return "failed: " + (r.stderr.strip().splitlines() or ["?"])[-1]
    return r.stdout.strip()


def edge_bleed(colorizer, size=(3000, 4000), edge_x=2003, share=0.25) -> tuple[int, int]:
    """Pixels over which a hinted colour crosses a sharp vertical edge in a full-size render.

    A gray photo, dark left of ``edge_x`` and light right of it, a red hint on the left and a
    blue one on the right. Returns, for each side, how many columns next to the edge have
    moved more than ``share`` of the way from that side's own chroma (measured 200 columns
    away) towards the other side's: the width of the fringe a user sees at 100 % zoom.
    """
    from . import Hint
    from .color import rgb_to_lab
    h, w = size
    gray = np.full((h, w), 70, np.uint8)
    gray[:, edge_x:] = 190
    rgb = np.repeat(gray[:, :, None], 3, axis=2)
    hints = [Hint(edge_x * 0.5, h * 0.5, w / 40, (170, 40, 40)),
             Hint((edge_x + w) * 0.5, h * 0.5, w / 40, (120, 160, 230))]
    out = colorizer.open(rgb).render(hints)
    band = rgb_to_lab(out[h // 2 - 50:h // 2 + 50])[:, :, 1:].mean(axis=0)   # (w, 2) chroma per column
    left, right = band[edge_x - 200], band[edge_x + 200]
    limit = share * float(np.linalg.norm(left - right))
    fringe = []
    for inside, cols in ((left, range(edge_x - 1, edge_x - 200, -1)), (right, range(edge_x, edge_x + 200))):
        n = 0
        for j in cols:
            if np.linalg.norm(band[j] - inside) <= limit:
                break
            n += 1
        fringe.append(n)
    return fringe[0], fringe[1]


def panorama(colorizer, repeat: int) -> list[str]:
    """One gray cat (451x300) and nine side by side (4059x300, net.colorizer.working_shape):
    the working size, open, preview after a hint change (p50) and the mean chroma without hints."""
    from skimage import data

    from . import Hint
    from .color import rgb_to_l, rgb_to_lab
    cat = np.repeat(rgb_to_l(data.chelsea()).round().astype(np.uint8)[:, :, None], 3, axis=2)
    lines = []
    for name, img in (("one cat 451x300", cat), ("nine cats 4059x300", np.concatenate([cat] * 9, 1))):
        t0 = time.perf_counter()
        s = colorizer.open(img)
        t_open = time.perf_counter() - t0
        lab = rgb_to_lab(s.render([]))
        chroma = float(np.hypot(lab[..., 1], lab[..., 2]).mean())
        rng, hints, times = np.random.default_rng(0), [], []
        for i in range(repeat + 3):
            hints.append(Hint(float(rng.uniform(0, img.shape[1])), float(rng.uniform(0, img.shape[0])),
                              6.0, (200, 40, 30)))
            t0 = time.perf_counter()
            s.preview(hints)
            if i >= 3:                                      # after a warm-up
                times.append(time.perf_counter() - t0)
        lines.append(f"{name:20s} working {s.work_shape[1]}x{s.work_shape[0]}, open "
                     f"{1000 * t_open:.0f} ms, preview p50 {percentiles(times)[0]:.1f} ms, "
                     f"mean chroma without hints {chroma:.2f}")
    return lines


def main(argv=None) -> int:
    from skimage import data

    from . import Colorizer, Hint

    p = argparse.ArgumentParser(prog="python -m net.benchmark", description=__doc__.split("\n\n")[0])
    add_model_argument(p)
    add_device_argument(p)
    p.add_argument("--precision", default="auto", choices=("auto", "fp32"))
    p.add_argument("--working-size", type=int, default=256)
    p.add_argument("--repeat", type=int, default=30)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--large", action="store_true", help="also a 50-megapixel photo (peak memory)")
    p.add_argument("--edges", action="store_true", help="also colour bleeding at a sharp edge")
    p.add_argument("--panorama", action="store_true",
                   help="also a 4059x300 panorama (nine cats side by side) against one cat: "
                        "working size, open, preview and the automatic colour's mean chroma")
    p.add_argument("--hint-reach", choices=HINT_REACHES, default=DEFAULT_HINT_REACH,
                   help="the previews and 12 MP renders with this hint reach (net.hint_reach); "
                        "--edges and --large use the default")
    p.add_argument("--colours", type=int, default=0,
                   help="hint colours used in turn (default: every hint a new random colour); "
                        "\"Own region\" runs the network once per colour")
    a = p.parse_args(argv)
    if a.threads:
        torch.set_num_threads(a.threads)
    c = Colorizer.load(a.weights, device=a.device, working_size=a.working_size, precision=a.precision)
    small = data.astronaut()
    big = cv2.resize(small, (4000, 3000), interpolation=cv2.INTER_CUBIC)
    rng = np.random.default_rng(0)
    print(f"model {c.name} ({c.variant}), device {c.device}, precision {a.precision}, "
          f"torch threads {torch.get_num_threads()}, working size {a.working_size}, "
          f"hint reach {a.hint_reach}")

    gray_big = np.repeat(cv2.cvtColor(big, cv2.COLOR_RGB2GRAY)[:, :, None], 3, axis=2)
    opens, colour_opens = [], []
    for _ in range(max(3, a.repeat // 5)):
        t0 = time.perf_counter()
        c.open(big)
        colour_opens.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        s = c.open(gray_big)
        opens.append(time.perf_counter() - t0)
    s.hint_reach = a.hint_reach
    palette = [tuple(int(v) for v in rng.integers(0, 256, 3)) for _ in range(a.colours)]

    def colour(i: int) -> tuple[int, int, int]:
        return palette[i % len(palette)] if palette else \
            tuple(int(v) for v in rng.integers(0, 256, 3))

    hints = [Hint(float(rng.uniform(0, 4000)), float(rng.uniform(0, 3000)), 40.0, colour(i))
             for i in range(5)]
    for _ in range(3):                                   # warm-up
        hints.append(Hint(2000.0, 1500.0, 40.0, palette[0] if palette else (200, 30, 30)))
        s.preview(hints)
    previews, stages = [], {}
    for i in range(a.repeat):
        hints.append(Hint(float(rng.uniform(0, 4000)), float(rng.uniform(0, 3000)), 40.0,
                          colour(i)))
        t0 = time.perf_counter()
        s.preview(hints)
        previews.append(time.perf_counter() - t0)
        for k, ms in s.last_stage_ms.items():
            stages.setdefault(k, []).append(ms / 1000)
        stages.setdefault("merge into RGB and the rest", []).append(
            previews[-1] - sum(s.last_stage_ms.values()) / 1000)
    renders = []
    for _ in range(max(3, a.repeat // 5)):
        s.predict_ab(hints)                              # cached: measures the full-size work only
        t0 = time.perf_counter()
        s.render(hints)
        renders.append(time.perf_counter() - t0)
    for name, xs in (("open 12 MP gray photo", opens), ("open 12 MP colour photo", colour_opens),
                     ("preview after a hint change", previews), ("render 12 MP", renders)):
        p50, p95 = percentiles(xs)
        print(f"{name:30s} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   (n={len(xs)})")
        if xs is previews:                  # where a preview's time goes
            for k, ys in stages.items():
                print(f"  {k:28s} p50 {percentiles(ys)[0]:8.1f} ms")
    if a.edges:
        left, right = edge_bleed(c)
        print(f"colour across a sharp edge (12 MP render): {left} px on the dark side, {right} px "
              "on the light side")
    if a.large:
        print(f"50 MP photo, fresh process: {large_photo(50, a.weights)}")
    if a.panorama:
        for line in panorama(c, a.repeat):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
