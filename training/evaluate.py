"""``colorizer-eval``: PSNR versus hints (docs/DESIGN.md section 4) and error versus coverage.

    colorizer-eval sweep FOLDER --weights A.safetensors [B ...] [--out DIR]
    colorizer-eval coverage FOLDER --weights A.safetensors [--out DIR]
    colorizer-eval figure FOLDER --weights A.safetensors [B ...] --out DIR [--levels N]

Every table has a "no colour" row (the gray photo) and the classical baseline of
Levin et al. 2004 with the same hints beside the networks. With ``--metrics`` the networks'
colourfulness (Hasler and Suesstrunk 2003; ground truth beside) and share of nearly gray
results are measured as well. Automatic systems (no hints) get the same hints and ignore them.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np

from net.atomic import write_text_atomic
from net.device import add_device_argument, pick_device
from net.image_io import ImageError
from net.hint_reach import DEFAULT_HINT_REACH, HINT_REACHES
from net.weights import WeightsError, read_sidecar, write_sidecar

from .data import DataError, list_images
from .logs import cli_logging
from .hint_sampling import coverage_circles, protocol_hints
from .eval_methods import LevinMethod, NetworkMethod, Photo, _cache_key
from .metrics import colour_measures

log = logging.getLogger("colorizer.eval")
SWEEP_N = (0, 1, 2, 5, 10, 20, 50, 100)
COVERAGE = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0)
SEED = 2017


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 99.0 if mse == 0 else 10.0 * np.log10(255.0 ** 2 / mse)


def evenly_spread(items: list, limit: int | None) -> list:
    """At most ``limit`` of ``items``, evenly spread over the list (all of them without a
    limit or when there are no more)."""
    if not limit or limit >= len(items):
        return list(items)
    idx = np.linspace(0, len(items) - 1, limit).round().astype(int)
    return [items[i] for i in idx]


def load_photos(folder: str, limit: int | None) -> list[Photo]:
    """The folder's photos; with ``limit``, that many spread evenly over the sorted list."""
    files = evenly_spread(list_images(folder), limit)
    photos = []
    for f in files:
        try:
            photos.append(Photo(f))
        except ImageError as e:
            log.warning("skipping %s", e)
    if not photos:
        raise DataError(f"{folder}: no readable photos")
    return photos


def method_names(weights: list[str]) -> list[str]:
    """A distinct row name for each weights file: its stem, or folder/stem where stems repeat
    (runs all export model.safetensors), numbered where even that repeats."""
    stems = [Path(w).stem for w in weights]
    names = [f"{Path(w).parent.name}/{st}" if stems.count(st) > 1 else st
             for w, st in zip(weights, stems)]
    return [f"{n} ({names[:i].count(n) + 1})" if names.count(n) > 1 else n
            for i, n in enumerate(names)]


def evaluate(folder: str, weights: list[str], levels, make_circles, level_name: str,
             device="auto", precision="auto", limit=None, levin=True, levin_cache=None,
             progress=True, metrics=False, hint_correction=True,
             hint_reach=DEFAULT_HINT_REACH, photos: list[Photo] | None = None) -> dict:
    """Generic driver: for each level, hints from make_circles(photo, level, rng), PSNR per method.

    ``photos``: already loaded photos (then ``folder`` only names them in the result)."""
    photos = load_photos(folder, limit) if photos is None else photos
    dev = pick_device(device)
    nets = [NetworkMethod(w, dev, precision, hint_correction, name, hint_reach)
            for w, name in zip(weights, method_names(weights))]
    lev = LevinMethod(Path(levin_cache) if levin_cache else None) if levin else None
    rows = {"no colour": [], **({"levin": []} if lev else {}), **{n.name: [] for n in nets}}
    gray = float(np.mean([psnr(p.rgb_from_ab_norm(np.zeros_like(p.ab_norm)), p.rgb) for p in photos]))
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(levels) * len(photos) * (1 + len(nets)), unit="img", leave=False,
                   disable=None)           # (none when stderr is no terminal)
    times = {n.name: 0.0 for n in nets}
    times["levin"] = 0.0
    truth = colour_measures([p.rgb for p in photos]) if metrics else None
    no_colour = colour_measures([p.rgb_from_ab_norm(np.zeros_like(p.ab_norm)) for p in photos]
                                ) if metrics else None
    colour = {"ground truth": [], "no colour": [], **{n.name: [] for n in nets}}
    gray_share = {k: [] for k in colour}
    circles_at = [[make_circles(p, level, np.random.default_rng([SEED, i, li]))
                   for i, p in enumerate(photos)] for li, level in enumerate(levels)]
    preds = {}                   # (model, level) -> normalised ab per photo
    for net in nets:
        t0 = time.perf_counter()
        per_photo = []
        for i, p in enumerate(photos):
            per_photo.append(net.predict_levels(p, [c[i] for c in circles_at]))
            if bar:
                bar.update(len(levels))
        times[net.name] += time.perf_counter() - t0
        for li in range(len(levels)):
            preds[net.name, li] = [abs_[li] for abs_ in per_photo]
    for li, level in enumerate(levels):
        circles = circles_at[li]
        rows["no colour"].append(gray)
        if metrics:
            for name, (m, g) in (("ground truth", truth), ("no colour", no_colour)):
                colour[name].append(m); gray_share[name].append(g)
        for net in nets:
            outs = [p.rgb_from_ab_norm(ab) for p, ab in zip(photos, preds[net.name, li])]
            rows[net.name].append(float(np.mean([psnr(o, p.rgb) for p, o in zip(photos, outs)])))
            if metrics:
                m, g = colour_measures(outs)
                colour[net.name].append(m); gray_share[net.name].append(g)
        if lev:
            vals = []
            for i, (p, c) in enumerate(zip(photos, circles)):
                key = _cache_key(lev.code, p, c)
                if key not in lev.cache:
                    t0 = time.perf_counter()
                    ab = lev.predict_one(p, c)
                    times["levin"] += time.perf_counter() - t0
                    lev.cache[key] = psnr(p.rgb_from_ab_norm(ab), p.rgb)
                vals.append(lev.cache[key])
                if bar:
                    bar.update(1)
            rows["levin"].append(float(np.mean(vals)))
            lev.save()
    if bar:
        bar.close()
    result = {"folder": str(folder), "photos": len(photos), level_name: list(levels),
              "psnr": rows, "seconds": {k: round(v, 1) for k, v in times.items()},
              "weights": [str(w) for w in weights], "seed": SEED}
    if metrics:
        result["colourfulness"], result["gray_share"] = colour, gray_share
    return result


def sweep(folder, weights, **kw) -> dict:
    return evaluate(folder, weights, kw.pop("levels", SWEEP_N),
                    lambda p, n, rng: protocol_hints(p.ab_norm, n, rng), "hints", **kw)


def coverage(folder, weights, **kw) -> dict:
    return evaluate(folder, weights, kw.pop("levels", COVERAGE),
                    lambda p, c, rng: coverage_circles(p.ab_norm, rng, c), "coverage", **kw)


def format_table(result: dict) -> str:
    level_name = "hints" if "hints" in result else "coverage"
    levels = result[level_name]
    head = [f"{v:g}" if level_name == "hints" else f"{v * 100:g}%" for v in levels]
    lines = [f"PSNR (dB) vs {level_name} on {result['folder']} ({result['photos']} photos)", "",
             "| method | " + " | ".join(head) + " |",
             "|---|" + "---|" * len(head)]
    for name, vals in result["psnr"].items():
        lines.append(f"| {name} | " + " | ".join(f"{v:.2f}" for v in vals) + " |")
    for key, title, fmt in (("colourfulness", "Colourfulness (Hasler and Suesstrunk 2003)", "{:.1f}"),
                            ("gray_share", "Share of nearly gray results (mean chroma < 4)", "{:.2f}")):
        if key in result:
            lines += ["", f"{title} vs {level_name}", "",
                      "| method | " + " | ".join(head) + " |", "|---|" + "---|" * len(head)]
            for name, vals in result[key].items():
                lines.append(f"| {name} | " + " | ".join(fmt.format(v) for v in vals) + " |")
    return "\n".join(lines)


def plot(result: dict, png: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from net.atomic import atomic_path

    level_name = "hints" if "hints" in result else "coverage"
    xs = np.asarray(result[level_name], float)
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    for name, vals in result["psnr"].items():
        style = "--" if name in ("no colour", "levin") else "o-"
        if level_name == "hints":
            ax.plot(np.arange(len(xs)), vals, style, label=name)
        else:
            ax.plot(xs * 100, vals, style, label=name)
    if level_name == "hints":
        ax.set_xticks(np.arange(len(xs)), [f"{x:g}" for x in xs]); ax.set_xlabel("number of hints")
    else:
        ax.set_xlabel("image covered by hints (%)")
    ax.set_ylabel("PSNR (dB)"); ax.grid(alpha=0.3); ax.legend()
    ax.set_title(f"{Path(result['folder']).name}: PSNR vs {level_name}")
    fig.tight_layout()
    with atomic_path(png) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)


def record_scores(weights: str, result: dict, key: str, name: str | None = None) -> None:
    """Store a result (its row ``name``, by default the file's stem) in a model's JSON sidecar
    (atomic).

    A result without Levin's row (``--no-levin``) keeps the Levin row already recorded under
    ``key`` when that was measured on the same folder, photos and levels; otherwise Levin is
    recorded as unknown (null).
    """
    meta = read_sidecar(weights)
    level_name = "hints" if "hints" in result else "coverage"
    name = name or Path(weights).stem
    entry = {"folder": Path(result["folder"]).name, "photos": result["photos"],
             level_name: result[level_name], "psnr": result["psnr"][name],
             "levin": result["psnr"].get("levin"), "no_colour": result["psnr"]["no colour"][0]}
    before = meta.get("scores", {}).get(key)
    if entry["levin"] is None and isinstance(before, dict) and all(
            before.get(k) == entry[k] for k in ("folder", "photos", level_name)):
        entry["levin"] = before.get("levin")     # Levin does not depend on the model
    meta.setdefault("scores", {})[key] = entry
    write_sidecar(weights, meta)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="colorizer-eval", description=__doc__.split("\n\n")[0])
    p.add_argument("--version", action="version",
                   version="%(prog)s " + __import__("net.version", fromlist=["_"]).__version__)
    p.add_argument("experiment", choices=("sweep", "coverage", "figure"),
                   help="sweep: PSNR versus number of hints; coverage: error versus the share of "
                        "the photo hinted; figure: a PNG of results side by side")
    p.add_argument("folder", help="photos to evaluate on (recursive; colour photos, the ground truth)")
    p.add_argument("--weights", nargs="*", default=[], help="models to evaluate (.safetensors)")
    p.add_argument("--out", help="folder for the JSON result and the PNG plot")
    p.add_argument("--limit", type=int, default=0,
                   help="use N photos spread evenly over the folder; 0: all (default: %(default)s; "
                        "figure: 4)")
    p.add_argument("--no-levin", action="store_true", help="skip the (slow) Levin baseline")
    p.add_argument("--levin-cache", help="JSON file caching Levin results between runs")
    add_device_argument(p)
    p.add_argument("--precision", choices=("auto", "fp32"), default="auto",
                   help="the networks' arithmetic: auto runs them as the app does (bf16 autocast "
                        "where it is fast), fp32 in float32 throughout (default: %(default)s)")
    p.add_argument("--record", metavar="KEY", help="store each model's scores in its sidecar under KEY")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("--levels", type=float, nargs="+", metavar="N",
                   help="hint counts (sweep) or covered fractions (coverage) instead of the defaults")
    p.add_argument("--metrics", action="store_true",
                   help="also measure colourfulness and the share of nearly gray results")
    p.add_argument("--no-hint-correction", action="store_true",
                   help="sweep and coverage: the networks' output without the residual correction "
                        "at the hints (net.propagation.Propagator.correct), an ablation")
    p.add_argument("--hint-reach", choices=HINT_REACHES, default=DEFAULT_HINT_REACH,
                   help="sweep and coverage: how far a hint's colour reaches (net.hint_reach): the "
                        "whole photo (default) or the hint's own region, as the app's panel and Edit menu (R) set")
    return p


def main(argv=None) -> int:
    cli_logging()
    a = build_parser().parse_args(argv)
    if a.record and (a.no_hint_correction or a.hint_reach != DEFAULT_HINT_REACH):
        print("colorizer-eval: error: --record stores what the model runs by default; it cannot be "
              "combined with --no-hint-correction or --hint-reach", file=sys.stderr)
        return 2
    if a.experiment == "figure":
        from .figures import hints_figure, systems_figure
        if not a.weights or not a.out:
            print("colorizer-eval: error: figure needs --weights and --out", file=sys.stderr)
            return 2
        try:
            if len(a.weights) == 1:     # one model at several hint counts
                path = hints_figure(a.folder, a.weights[0],
                                    Path(a.out) / f"figure-{Path(a.weights[0]).stem}.png",
                                    count=a.limit or 4, device=a.device)
            else:                       # several models side by side at one hint count
                hints = int(a.levels[0]) if a.levels else 0
                path = systems_figure(a.folder, a.weights, Path(a.out) / f"figure-systems-{hints}.png",
                                      count=a.limit or 4, hints=hints, device=a.device)
        except (DataError, WeightsError, ValueError) as e:
            print(f"colorizer-eval: error: {e}", file=sys.stderr)
            return 2
        print(f"wrote {path}")
        return 0
    fn = sweep if a.experiment == "sweep" else coverage
    try:
        result = fn(a.folder, a.weights, device=a.device, precision=a.precision,
                    limit=a.limit or None, levin=not a.no_levin, levin_cache=a.levin_cache,
                    progress=not a.no_progress, metrics=a.metrics,
                    hint_correction=not a.no_hint_correction, hint_reach=a.hint_reach,
                    **({"levels": tuple(int(v) if a.experiment == "sweep" else v for v in a.levels)}
                       if a.levels else {}))
    except (DataError, WeightsError, ValueError) as e:
        print(f"colorizer-eval: error: {e}", file=sys.stderr)
        return 2
    print(format_table(result))
    if a.out:
        out = Path(a.out)
        stem = f"{a.experiment}-{Path(a.folder.rstrip('/')).name}"
        write_text_atomic(out / f"{stem}.json", json.dumps(result, indent=2) + "\n")
        plot(result, out / f"{stem}.png")
        print(f"wrote {out / (stem + '.json')} and {out / (stem + '.png')}")
    if a.record:
        for w, name in zip(a.weights, method_names(a.weights)):
            record_scores(w, result, a.record, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
