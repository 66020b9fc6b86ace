"""Latency benchmark of the inference API (prints what it measures; not a test).

    python -m net.benchmark [--weights W] [--device D] [--precision auto|fp32] [--repeat N]

Measures, on a photo made from scikit-image's bundled data:
  * ``open``: gray-only features of a 12-megapixel photo (includes its RGB->L conversion);
  * ``preview`` after a hint change at working size 256 (hint rasterising, propagation,
    HNet, reconstruction, merge at working size);
  * ``render`` of the 12-megapixel result (chroma upsampling + Lab->RGB at full size).
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


def percentiles(xs):
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]
    return statistics.median(xs) * 1000, p95 * 1000


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
    a = p.parse_args(argv)
    if a.threads:
        torch.set_num_threads(a.threads)
    c = Colorizer.load(a.weights, device=a.device, working_size=a.working_size, precision=a.precision)
    small = data.astronaut()
    big = cv2.resize(small, (4000, 3000), interpolation=cv2.INTER_CUBIC)
    rng = np.random.default_rng(0)
    print(f"model {c.name} ({c.variant}), device {c.device}, precision {a.precision}, "
          f"torch threads {torch.get_num_threads()}, working size {a.working_size}")

    opens = []
    for _ in range(max(3, a.repeat // 5)):
        t0 = time.perf_counter()
        s = c.open(big)
        opens.append(time.perf_counter() - t0)
    hints = [Hint(float(rng.uniform(0, 4000)), float(rng.uniform(0, 3000)), 40.0,
                  tuple(int(v) for v in rng.integers(0, 256, 3))) for _ in range(5)]
    for _ in range(3):                                   # warm-up
        hints.append(Hint(2000.0, 1500.0, 40.0, (200, 30, 30)))
        s.preview(hints)
    previews = []
    for i in range(a.repeat):
        hints.append(Hint(float(rng.uniform(0, 4000)), float(rng.uniform(0, 3000)), 40.0,
                          tuple(int(v) for v in rng.integers(0, 256, 3))))
        t0 = time.perf_counter()
        s.preview(hints)
        previews.append(time.perf_counter() - t0)
    renders = []
    for _ in range(max(3, a.repeat // 5)):
        s.predict_ab(hints)                              # cached: measures the full-size work only
        t0 = time.perf_counter()
        s.render(hints)
        renders.append(time.perf_counter() - t0)
    for name, xs in (("open (12 MP photo)", opens), ("preview after a hint change", previews),
                     ("render 12 MP", renders)):
        p50, p95 = percentiles(xs)
        print(f"{name:30s} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   (n={len(xs)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
