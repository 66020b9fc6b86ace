"""``colorizer-soup``: average the weights of models fine-tuned from the same weights.

A "model soup" (Wortsman et al. 2022): runs that start from one model and adapt it in different
ways (other data, crop size or parts) stay close enough in weight space that the average of
their weights is itself a good model, often better than each of them, at no cost at inference.
The soup keeps the shared training history and records each ingredient's own runs, its file's
checksum and its share, so the sidecar says how the result was made.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from net.weights import WeightsError, check_weights_path, float_tensors, load_model, save_model

from .logs import cli_logging


def common_history(histories: list[list[dict]]) -> list[dict]:
    """The training runs every model shares, from the first on (the longest common prefix)."""
    common = []
    for entries in zip(*histories):
        if any(e != entries[0] for e in entries[1:]):
            break
        common.append(entries[0])
    return common


def make_soup(paths: list[str | Path], out: str | Path, shares: list[float] | None = None) -> Path:
    """Average the models at ``paths`` (weighted by ``shares``, default equal) into ``out``.

    Refuses models of different architectures, and models that share no training history
    (averaging unrelated networks gives noise, not a model).
    """
    if len(paths) < 2:
        raise WeightsError("a soup needs at least two models")
    out = check_weights_path(out)         # before loading every model
    if out.resolve() in {Path(p).resolve() for p in paths}:
        raise WeightsError(f"{out.name} is one of the models; write the soup to a new file")
    shares = [1.0] * len(paths) if shares is None else [float(s) for s in shares]
    if len(shares) != len(paths):
        raise WeightsError(f"{len(paths)} models but {len(shares)} shares")
    if not all(math.isfinite(s) and s >= 0 for s in shares) or sum(shares) <= 0:
        raise WeightsError("the shares must be finite, non-negative and not all zero")
    shares = [s / sum(shares) for s in shares]
    models, metas = zip(*(load_model(p) for p in paths))
    config = models[0].cfg.to_dict()
    for p, m in zip(paths[1:], models[1:]):
        other = m.cfg.to_dict()
        if other != config:
            keys = sorted(k for k in set(config) | set(other) if config.get(k) != other.get(k))
            raise WeightsError(f"{Path(p).name} is another kind of model than {Path(paths[0]).name} "
                               f"(its {', '.join(keys)} differ); only models of one architecture "
                               "can be averaged")
    histories = [list(m.get("training_history") or []) for m in metas]
    common = common_history(histories)
    if not common:
        raise WeightsError("these models share no training history: a soup averages models "
                           "fine-tuned from the same weights")
    states = [m.state_dict() for m in models]
    mixed = {}
    for k, v in states[0].items():
        if v.is_floating_point():
            mixed[k] = sum(s * st[k].float() for s, st in zip(shares, states)).to(v.dtype)
        else:
            mixed[k] = v                 # counters (e.g. batch norm's) are not averaged
    model = models[0]
    model.load_state_dict(mixed)
    entry = {"stage": "soup", "shares": [round(s, 6) for s in shares], "of": [
        {"file": "/".join(Path(p).resolve().parts[-2:]), "tensors_sha256": m.get("tensors_sha256"),
         "runs": h[len(common):]} for p, m, h in zip(paths, metas, histories)]}
    meta = {"training_history": common + [entry],
            "cnn1_trained": any(bool(m.get("cnn1_trained")) for m in metas)}
    # A tensor any ingredient kept in float16 (a fine-tuned VGG16 block) stays so in the soup.
    keep = set().union(*(float_tensors(m) for m in metas))
    return save_model(model, out, meta, keep_float=keep)


def main(argv=None) -> int:
    cli_logging()
    p = argparse.ArgumentParser(prog="colorizer-soup", description=__doc__.split("\n\n")[0])
    p.add_argument("--version", action="version",
                   version="%(prog)s " + __import__("net.version", fromlist=["_"]).__version__)
    p.add_argument("out", help="the averaged model (.safetensors; a JSON sidecar is written too)")
    p.add_argument("models", nargs="+", help="models fine-tuned from the same weights")
    p.add_argument("--shares", type=float, nargs="+", metavar="S",
                   help="each model's share of the average (default: equal)")
    a = p.parse_args(argv)
    try:
        path = make_soup(a.models, a.out, a.shares)
    except (WeightsError, OSError) as e:
        print(f"colorizer-soup: error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
