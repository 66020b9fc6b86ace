"""16-bit photos keep their precision: read at 16 bits, exported at 16 bits to PNG and TIFF
with the photo's own lightness, at 8 bits to the other types (and from 8-bit photos).

The model is the bundled one (nothing is trained here) at a small working size. Lightness is
measured independently of the code under test, with scikit-image's float64 CIE Lab.
"""
from __future__ import annotations

import struct
import zlib
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
from PIL import Image
from skimage.color import rgb2lab

from net import Hint, load_image
from net.color import merge_l_ab
from net.export import export_image
from net.image_io import output_depth, save_image

HINTS = [Hint(20, 30, 8, (220, 30, 30)), Hint(50, 30, 8, (30, 60, 220))]




def lab(rgb: np.ndarray) -> np.ndarray:
    """CIE Lab (float64) of uint8 or uint16 RGB."""
    top = 65535.0 if rgb.dtype == np.uint16 else 255.0
    return rgb2lab(rgb.astype(np.float64) / top)


def read_raw(path: Path) -> np.ndarray:
    """The file's pixels as stored (uint8 or uint16), RGB."""
    a = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    assert a is not None and a.ndim == 3, path
    return a[:, :, ::-1]


def gray16_photo() -> np.ndarray:
    """48 x 64 16-bit gray: a dark ramp 1000..1255 whose 256 levels are four 8-bit levels at
    most, above a mid-tone ramp 20000..20255 (where colour fits)."""
    g = np.empty((48, 64), np.uint16)
    g[:16] = (1000 + np.arange(16 * 64) // 4).reshape(16, 64)
    g[16:] = (20000 + np.arange(32 * 64) // 8).reshape(32, 64)
    return g


def rgb16_photo() -> np.ndarray:
    """48 x 64 16-bit colour with detail below 8-bit resolution in every channel."""
    y, x = np.mgrid[0:48, 0:64]
    return np.stack([30000 + 97 * x + 13 * y, 12000 + 41 * y + 7 * x, 45000 - 113 * x - 5 * y],
                    -1).astype(np.uint16)


def test_a_16bit_gray_png_is_read_with_every_level_kept(tmp_path):
    g = gray16_photo()
    Image.fromarray(g).save(tmp_path / "g16.png")
    img = load_image(tmp_path / "g16.png")
    assert img.bit_depth == 16
    assert img.rgb16 is not None and img.rgb16.dtype == np.uint16 and img.rgb16.shape == (48, 64, 3)
    assert all(np.array_equal(img.rgb16[:, :, c], g) for c in range(3))     # exactly the file
    assert len(np.unique(img.rgb16[:16])) == 256                            # the fine ramp
    # the 8-bit pixels everything else uses are as before: each level rounded to 8 bits
    assert np.array_equal(img.rgb[:, :, 0], np.round(g / 257.0).astype(np.uint8))
    assert len(np.unique(img.rgb[:16])) <= 4


def test_a_16bit_gray_photo_exports_to_png_at_16_bits_with_its_own_lightness(tmp_path, small_colorizer):
    g = gray16_photo()
    Image.fromarray(g).save(tmp_path / "g16.png")
    img = load_image(tmp_path / "g16.png")
    session = small_colorizer.open(img.rgb)
    out = export_image(tmp_path / "out.png", session, HINTS, None, img.rgb16)
    res = read_raw(out)
    assert res.dtype == np.uint16 and res.shape == (48, 64, 3)
    l_src, l_out = lab(img.rgb16)[..., 0], lab(res)
    assert np.abs(l_out[..., 0] - l_src).max() < 0.01
    assert np.hypot(l_out[16:, :, 1], l_out[16:, :, 2]).max() > 20       # coloured, not gray
    # every step of the dark ramp is still a step: its levels stay distinct...
    ramp_src, ramp_out = l_src[:16].ravel(), l_out[:16, :, 0].ravel()
    up = np.diff(ramp_src) > 0
    assert up.sum() == 255 and np.all(np.diff(ramp_out)[up] > 0)
    # ...which 8 bits cannot do: the 8-bit render's lightness is far off the 16-bit one
    l_8 = lab(session.render(HINTS))[..., 0]
    assert np.abs(l_8 - l_src).max() > 0.1
    assert not np.all(np.diff(l_8[:16].ravel())[up] > 0)


def test_out_of_gamut_chroma_at_16_bits_loses_chroma_not_lightness():
    rng = np.random.default_rng(1)
    l = rng.uniform(0, 100, (40, 60)).astype(np.float32)
    ab = rng.uniform(-110, 110, (40, 60, 2)).astype(np.float32)     # mostly outside sRGB
    out = merge_l_ab(l, ab, depth=16)
    assert out.dtype == np.uint16
    got = lab(out)
    assert np.abs(got[..., 0] - l).max() < 0.01
    chroma = np.hypot(got[..., 1], got[..., 2])
    assert np.all(chroma <= np.hypot(ab[..., 0], ab[..., 1]) + 0.5)
    sure = chroma > 15                           # hue is meaningful: it was kept, not clipped
    turn = np.angle(np.exp(1j * (np.arctan2(got[..., 2], got[..., 1])
                                 - np.arctan2(ab[..., 1], ab[..., 0]))), deg=True)
    assert sure.mean() > 0.3 and np.percentile(np.abs(turn[sure]), 95) < 3


def test_a_16bit_rgb_tiff_round_trips_and_exports_at_16_bits(tmp_path, cli):
    src = rgb16_photo()
    cv2.imwrite(str(tmp_path / "c16.tif"), src[:, :, ::-1])
    img = load_image(tmp_path / "c16.tif")
    assert img.bit_depth == 16 and img.has_color
    assert np.array_equal(img.rgb16, src)
    assert np.abs(img.rgb.astype(int) - src / 257.0).max() <= 0.5
    save_image(tmp_path / "copy.tiff", img.rgb16)                  # written back at 16 bits
    assert np.array_equal(read_raw(tmp_path / "copy.tiff"), src)
    assert np.array_equal(load_image(tmp_path / "copy.tiff").rgb16, src)
    # the command line's export of the colour photo: 16 bits, the photo's own lightness
    out = tmp_path / "out.tif"
    assert cli(tmp_path / "c16.tif", "-o", out) == 0
    res = read_raw(out)
    assert res.dtype == np.uint16
    assert np.abs(lab(res)[..., 0] - lab(src)[..., 0]).max() < 0.01


def test_a_16bit_rgb_png_with_exif_orientation_is_upright_at_both_depths(tmp_path):
    src = rgb16_photo()
    ok, png = cv2.imencode(".png", src[:, :, ::-1])
    exif = Image.Exif()
    exif[0x0112] = 6                                          # rotate 90 degrees clockwise
    data = exif.tobytes().removeprefix(b"Exif\x00\x00")
    chunk = struct.pack(">I", len(data)) + b"eXIf" + data
    chunk += struct.pack(">I", zlib.crc32(b"eXIf" + data))
    png = png.tobytes()
    (tmp_path / "rot.png").write_bytes(png[:33] + chunk + png[33:])   # after the IHDR chunk
    img = load_image(tmp_path / "rot.png")
    upright = np.rot90(src, -1)
    assert img.rgb16.shape == (64, 48, 3) and np.array_equal(img.rgb16, upright)
    assert np.abs(img.rgb.astype(int) - upright / 257.0).max() <= 0.5


class _Worker:
    def submit(self, run, done, failed):
        done(run())


def _gui_export(photo_path: Path, small_colorizer, out: Path) -> Path:
    """The app's export (colorizer_gui/exporting.py) of a photo opened the app's way
    (controller._load_photo), run synchronously without a window."""
    from colorizer_gui.controller import _load_photo
    from colorizer_gui.document import Document
    from colorizer_gui.exporting import start_export
    photo, session = _load_photo(photo_path, small_colorizer)
    doc = Document()
    doc.load(photo, list(HINTS))
    errors, settings = [], {}
    ctl = SimpleNamespace(
        doc=doc, session=session, worker=_Worker(),
        prompts=SimpleNamespace(error=lambda *a: errors.append(a)),
        settings=SimpleNamespace(value=lambda k, d=None: settings.get(k, d),
                                 setValue=settings.__setitem__),
        message=SimpleNamespace(emit=lambda *a: None))
    assert start_export(ctl, out, quality=90) and not errors
    return out


def test_a_16bit_photo_exported_as_jpeg_is_8_bit_and_as_png_16_bit(tmp_path, small_colorizer):
    src = rgb16_photo()
    cv2.imwrite(str(tmp_path / "c16.png"), src[:, :, ::-1])
    assert output_depth(tmp_path / "x.jpg", src) == 8 and output_depth("x.webp", src) == 8
    assert output_depth("x.png", src) == 16 and output_depth("x.TIF", src) == 16
    jpg = read_raw(_gui_export(tmp_path / "c16.png", small_colorizer, tmp_path / "out.jpg"))
    assert jpg.dtype == np.uint8 and jpg.shape == (48, 64, 3)
    assert np.abs(lab(jpg)[..., 0] - lab(src)[..., 0]).mean() < 1.0
    png = read_raw(_gui_export(tmp_path / "c16.png", small_colorizer, tmp_path / "out.png"))
    assert png.dtype == np.uint16
    assert np.abs(lab(png)[..., 0] - lab(src)[..., 0]).max() < 0.01
    # a uint16 picture handed to an 8-bit type is rounded to 8 bits, not refused
    save_image(tmp_path / "direct.bmp", png)
    assert np.abs(read_raw(tmp_path / "direct.bmp").astype(int) - png / 257.0).max() <= 0.5


def test_an_8bit_photo_still_exports_at_8_bits_as_before(tmp_path, small_colorizer, cli):
    g8 = (gray16_photo() // 257).astype(np.uint8)
    Image.fromarray(g8).save(tmp_path / "g8.png")
    img = load_image(tmp_path / "g8.png")
    assert img.bit_depth == 8 and img.rgb16 is None
    assert output_depth("out.png", img.rgb16) == 8
    expected = small_colorizer.colorize(img.rgb, HINTS)
    gui = read_raw(_gui_export(tmp_path / "g8.png", small_colorizer, tmp_path / "gui.png"))
    assert gui.dtype == np.uint8 and np.array_equal(gui, expected)
    assert cli(tmp_path / "g8.png", "-o", tmp_path / "cli.tif") == 0
    cli = read_raw(tmp_path / "cli.tif")
    assert cli.dtype == np.uint8 and np.array_equal(cli, small_colorizer.colorize(img.rgb))


def test_a_transparent_16bit_photo_is_read_on_white_as_8bit_ones_are(tmp_path):
    """The 16-bit re-read dropped the alpha channel: transparent parts showed the colour hidden
    under them (and an export wrote it), where an 8-bit file's are white."""
    bgra = np.zeros((8, 10, 4), np.uint16)
    bgra[..., :3] = (3000, 2000, 1000)                    # hidden colour
    bgra[:, 5:, 3] = 65535                                # right half opaque, left transparent
    cv2.imwrite(str(tmp_path / "alpha16.png"), bgra)
    img = load_image(tmp_path / "alpha16.png")
    assert img.rgb16 is not None
    assert (img.rgb16[:, :5] == 65535).all() and (img.rgb[:, :5] == 255).all()
    assert tuple(img.rgb16[0, 7]) == (1000, 2000, 3000)


def test_negative_values_of_a_32bit_gray_file_read_as_black_at_both_depths(tmp_path):
    """Pillow's mode "I" (signed 32-bit gray): -5 wrapped to near white in the 16-bit pixels."""
    Image.fromarray(np.array([[-5, 0, 100, 255]] * 4, np.int32), "I").save(tmp_path / "i.tif")
    img = load_image(tmp_path / "i.tif")
    assert img.rgb16[0, 0, 0] == 0 and img.rgb[0, 0, 0] == 0
    assert img.rgb16[0, 3, 0] == 65535 and img.rgb[0, 3, 0] == 255


def test_a_16bit_encoder_failure_is_a_clear_image_error(tmp_path, monkeypatch):
    from net.image_io import ImageError

    def fail(*a, **k):
        raise cv2.error("OpenCV(4) error: (-4:Insufficient memory) Failed to allocate")
    monkeypatch.setattr(cv2, "imencode", fail)
    with pytest.raises(ImageError, match="Could not write out.png: the PNG encoder failed"):
        save_image(tmp_path / "out.png", np.zeros((4, 4, 3), np.uint16))
    assert not (tmp_path / "out.png").exists()
