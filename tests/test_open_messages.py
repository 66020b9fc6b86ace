"""What opening a photo tells the user beyond its size (session 25's walkthrough): a 16-bit
photo says so (its PNG/TIFF export keeps 16 bits), and a photo with transparent parts says
they are put on white (they were dropped without a word, in the app and the command line)."""
import subprocess
import sys

import cv2
import numpy as np
from PIL import Image
from skimage import data

from net import load_image

from .test_gui import WAIT, photo, win  # noqa: F401


def rgba_photo(path, alpha: int):
    rgb = data.astronaut()[::4, ::4]
    a = np.full(rgb.shape[:2], 255, np.uint8)
    a[:40, :40] = alpha
    Image.fromarray(np.dstack([rgb, a]), "RGBA").save(path)
    return path


def test_the_loader_says_when_transparent_pixels_were_put_on_white(tmp_path):
    assert load_image(rgba_photo(tmp_path / "half.png", 128)).flattened
    assert load_image(rgba_photo(tmp_path / "clear.png", 0)).flattened
    assert not load_image(rgba_photo(tmp_path / "opaque.png", 255)).flattened  # alpha unused
    rgb = data.astronaut()[::4, ::4]
    Image.fromarray(rgb).save(tmp_path / "rgb.png")
    assert not load_image(tmp_path / "rgb.png").flattened
    pal = Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    pal.save(tmp_path / "pal.png", transparency=0)
    assert load_image(tmp_path / "pal.png").flattened
    bgra = np.zeros((8, 10, 4), np.uint16)
    bgra[..., :3] = (3000, 2000, 1000)
    bgra[:, 5:, 3] = 65535                                  # left half transparent, 16-bit
    cv2.imwrite(str(tmp_path / "alpha16.png"), bgra)
    img = load_image(tmp_path / "alpha16.png")
    assert img.flattened and img.bit_depth == 16


def test_the_app_says_a_photo_is_16_bit_or_had_transparent_parts(qtbot, win, tmp_path):
    cases = (
        (rgba_photo(tmp_path / "see-through.png", 0), "transparent parts are shown, and "
         "exported, on white"),
        (tmp_path / "deep.png", "16 bits per channel (PNG and TIFF exports keep 16)"),
    )
    Image.fromarray(data.camera()[::4, ::4].astype(np.uint16) * 257).save(tmp_path / "deep.png")
    for path, said in cases:
        win.doc.history.set_clean()
        win.controller.open_path(path)
        qtbot.waitUntil(lambda: win.doc.path == path, timeout=WAIT)
        qtbot.waitUntil(lambda: said in win.statusBar().currentMessage(), timeout=WAIT)
    # an ordinary 8-bit photo says neither
    plain = tmp_path / "plain.png"
    Image.fromarray(data.camera()[::4, ::4]).save(plain)
    win.controller.open_path(plain)
    qtbot.waitUntil(lambda: "Opened plain.png" in win.statusBar().currentMessage(), timeout=WAIT)
    assert "bits" not in win.statusBar().currentMessage()
    assert "transparent" not in win.statusBar().currentMessage()


def test_the_command_line_says_transparent_parts_were_put_on_white(tmp_path, local_weights):
    src = rgba_photo(tmp_path / "see-through.png", 0)
    out = tmp_path / "out.png"
    r = subprocess.run([sys.executable, "-m", "colorizer_gui", "colorize", str(src), "-o", str(out),
                        "--weights", str(local_weights)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert f"wrote {out} (its transparent parts on white)" in r.stdout
