"""How far one hint's colour reaches, per hint reach (README, Results, "Hint reach").

    python3 -m training.tint [--weights W] [--finch PATH]

Mean change of the colorized photo's chroma without and with one red hint, at working size:
* the house finch of photos-val (../shared): a* of the blurred background right of the bird
  (rows 20-100, columns 240-300 of the 308x256 photo) and of the hinted breast (95-120, 195-220);
* scikit-image's astronaut, a hint on the suit: |ab| of the wall (rows 20-150, columns
  300-480), the face (100-160, 180-260) and the suit (300-420, 200-300);
* the astronaut, a green hint on the plain backdrop left of her head: a* of the face and of
  the hair (rows 20-90, columns 160-300);
* a noisy 100|110 gray step (tests/test_hint_reach.py's photo), a hint on the left: |ab| of
  the left side far from the hint (columns 90-123) and of the right side (141-256).

And how far hints of other colours move a hinted region (the second line per reach): the
astronaut with a red hint on the flag, a blue one on the suit and an olive one on the shuttle
(tests/test_hint_groups.py's), |mean ab with all three - mean ab with the region's own hint
alone| of the flag (rows 150-230, columns 5-40), the suit's left part (280-340, 80-170) and the
shuttle (60-130, 385-420), and the suit's mean b* with all three (its own hint alone: bluer).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import skimage.data

from net import Colorizer, Hint, load_image
from net.color import merge_l_ab, rgb_to_l
from net.hint_reach import HINT_REACHES


def weak_step() -> np.ndarray:
    """Gray 100 | 110 with a little noise: a weak edge between two ambiguous flat regions."""
    g = np.full((192, 256), 100.0)
    g[:, 128:] = 110
    g += np.random.default_rng(0).normal(0, 2, g.shape)
    return np.repeat(np.clip(g, 0, 255).astype(np.uint8)[:, :, None], 3, 2)


def gray(rgb: np.ndarray) -> np.ndarray:
    l = rgb_to_l(rgb)
    return merge_l_ab(l, np.zeros(l.shape + (2,), np.float32))


def change(c: Colorizer, img, hint, reach):
    s = c.open(img)
    s.hint_reach = reach
    return s.predict_ab([hint]) - s.predict_ab([]), img.shape[0]


def mean(d, r0, r1, c0, c1, comp=None) -> float:
    ab, h = d
    f = ab.shape[0] / h
    x = ab[int(r0 * f):int(r1 * f), int(c0 * f):int(c1 * f)]
    return float(x[..., comp].mean() if comp is not None else np.linalg.norm(x, axis=-1).mean())


ASTRONAUT_BACKDROP = Hint(111, 46, 8, (48, 160, 64))     # green, left of her head

ASTRONAUT_HINTS = {"flag": (Hint(25, 240, 8, (200, 30, 30)), (150, 230, 5, 40)),
                   "suit": (Hint(200, 300, 8, (40, 60, 200)), (280, 340, 80, 170)),
                   "shuttle": (Hint(400, 150, 8, (120, 130, 40)), (60, 130, 385, 420))}


def crosstalk(c: Colorizer, reach: str) -> str:
    img = skimage.data.astronaut()
    s = c.open(img)
    s.hint_reach = reach
    together = (s.predict_ab([h for h, _ in ASTRONAUT_HINTS.values()]), img.shape[0])
    parts = []
    for name, (hint, area) in ASTRONAUT_HINTS.items():
        alone = (s.predict_ab([hint]), img.shape[0])
        moved = np.linalg.norm([mean(together, *area, k) - mean(alone, *area, k) for k in (0, 1)])
        parts.append(f"{name} {moved:.1f}")
    suit_b = mean(together, *ASTRONAUT_HINTS["suit"][1], 1)
    return "three colours, moved by the others |ab|: " + " ".join(parts) + f" (suit b* {suit_b:+.1f})"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--weights", help="model (default: the bundled one)")
    p.add_argument("--finch", default="../shared/data/photos-val/n01532829_house_finch.jpg")
    a = p.parse_args()
    c = Colorizer.load(a.weights, device="cpu")
    finch = gray(load_image(a.finch).rgb) if Path(a.finch).is_file() else None
    for reach in HINT_REACHES:
        parts = []
        if finch is not None:
            d = change(c, finch, Hint(212, 108, 6, (190, 70, 60)), reach)
            parts.append("finch a*: background %+.1f breast %+.1f"
                         % (mean(d, 20, 100, 240, 300, 0), mean(d, 95, 120, 195, 220, 0)))
        d = change(c, skimage.data.astronaut(), Hint(250, 330, 8, (200, 30, 30)), reach)
        parts.append("astronaut |ab|: wall %.1f face %.1f suit %.1f" % (
            mean(d, 20, 150, 300, 480), mean(d, 100, 160, 180, 260), mean(d, 300, 420, 200, 300)))
        d = change(c, skimage.data.astronaut(), ASTRONAUT_BACKDROP, reach)
        parts.append("green on the astronaut's backdrop a*: face %+.1f hair %+.1f" % (
            mean(d, 100, 160, 180, 260, 0), mean(d, 20, 90, 160, 300, 0)))
        d = change(c, weak_step(), Hint(40, 96, 8, (200, 40, 40)), reach)
        parts.append("step |ab|: left far %.1f right %.1f"
                     % (mean(d, 0, 192, 90, 123), mean(d, 0, 192, 141, 256)))
        print(f"{reach:7s}", " | ".join(parts))
        print(f"{'':7s}", crosstalk(c, reach))


if __name__ == "__main__":
    main()
