"""The headless ``colorizer colorize`` command."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from net import load_image
from net.color import rgb_to_l

REPO = Path(__file__).resolve().parent.parent


def colorizer(*args):
    return subprocess.run([sys.executable, "-m", "colorizer_gui", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def test_colorize_one_photo_with_hints(tmp_path, local_weights, gray_photo):
    src = tmp_path / "in.png"
    Image.fromarray(gray_photo).save(src)
    hints = tmp_path / "h.colorize.json"
    hints.write_text(json.dumps({"format": "colorizer-session", "version": 1, "image": "in.png",
                                 "hints": [{"x": 50, "y": 50, "radius": 8, "rgb": [220, 20, 20]}]}))
    out = tmp_path / "out.png"
    r = colorizer("colorize", src, "--hints", hints, "-o", out, "--weights", local_weights,
                  "--device", "cpu")
    assert r.returncode == 0, r.stderr
    res = load_image(out).rgb
    assert res.shape == gray_photo.shape
    assert np.abs(rgb_to_l(res) - rgb_to_l(gray_photo)).mean() < 0.5


def test_batch_continues_past_bad_files(tmp_path, local_weights, gray_photo):
    good = []
    for i in range(2):
        p = tmp_path / f"good{i}.png"
        Image.fromarray(gray_photo[: 100 + i * 10]).save(p)
        good.append(p)
    bad = tmp_path / "bad.jpg"
    bad.write_text("this is not an image")
    outdir = tmp_path / "out"
    r = colorizer("colorize", good[0], bad, good[1], "--out-dir", outdir, "--weights", local_weights)
    assert r.returncode == 1
    errors = [line for line in r.stderr.splitlines() if "bad.jpg" in line]
    assert len(errors) == 1 and "not an image" in errors[0]
    assert "Traceback" not in r.stderr
    assert sorted(p.name for p in outdir.iterdir()) == ["good0_colorized.png", "good1_colorized.png"]
    assert load_image(outdir / "good1_colorized.png").rgb.shape[0] == 110


def test_refuses_to_overwrite_the_input(tmp_path, local_weights, gray_photo):
    src = tmp_path / "in.png"
    Image.fromarray(gray_photo).save(src)
    before = src.read_bytes()
    r = colorizer("colorize", src, "-o", src, "--weights", local_weights)
    assert r.returncode == 1 and "overwrite" in r.stderr
    assert src.read_bytes() == before


def test_bad_weights_is_one_line(tmp_path, gray_photo):
    src = tmp_path / "in.png"
    Image.fromarray(gray_photo).save(src)
    r = colorizer("colorize", src, "--weights", tmp_path / "missing.safetensors")
    assert r.returncode == 2 and "not found" in r.stderr and "Traceback" not in r.stderr
