"""A corpus of awkward and broken image files, made on the spot (nothing downloaded).

Each entry: name -> (path, expectation) where expectation is "ok" (must load and
colorize) or a phrase the one-sentence error message must contain.
"""
from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms
from skimage import data


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (struct.pack(">I", len(payload)) + kind + payload
            + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))


def bomb_png(w: int = 30000, h: int = 30000) -> bytes:
    """A tiny file whose header claims w x h pixels (8-bit gray)."""
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (w + 1) * 4)        # only a few rows of data
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + \
        _png_chunk(b"IEND", b"")


def make_corpus(d: Path) -> dict[str, tuple[Path, str]]:
    d.mkdir(parents=True, exist_ok=True)
    rgb = data.astronaut()[::4, ::4]
    out: dict[str, tuple[Path, str]] = {}

    def save(name, img: Image.Image, expect="ok", **kw):
        p = d / name
        img.save(p, **kw)
        out[name] = (p, expect)

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=90)
    jpeg = buf.getvalue()
    (d / "truncated.jpg").write_bytes(jpeg[: len(jpeg) // 2])
    out["truncated.jpg"] = (d / "truncated.jpg", "damaged or incomplete")
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG")
    png = buf.getvalue()
    (d / "truncated.png").write_bytes(png[: len(png) // 2])
    out["truncated.png"] = (d / "truncated.png", "damaged or incomplete")
    (d / "empty.jpg").write_bytes(b"")
    out["empty.jpg"] = (d / "empty.jpg", "empty")
    (d / "text.jpg").write_text("hello, I am not a photo\n")
    out["text.jpg"] = (d / "text.jpg", "not an image")
    (d / "bomb.png").write_bytes(bomb_png())
    out["bomb.png"] = (d / "bomb.png", "above the limit")
    save("one.png", Image.fromarray(rgb[:1, :1]))
    save("two.png", Image.fromarray(rgb[:2, :2]))
    save("cmyk.jpg", Image.fromarray(rgb).convert("CMYK"), quality=90)
    g16 = (data.camera()[::4, ::4].astype(np.uint16) * 257)
    save("gray16.png", Image.fromarray(g16))
    save("gray16.tif", Image.fromarray(g16))
    import cv2
    rgb16 = (rgb.astype(np.uint16) * 257)[:, :, ::-1]
    cv2.imwrite(str(d / "rgb16.png"), rgb16)
    out["rgb16.png"] = (d / "rgb16.png", "ok")
    cv2.imwrite(str(d / "rgb16.tif"), rgb16)
    out["rgb16.tif"] = (d / "rgb16.tif", "ok")
    pal = Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    save("palette-transparent.png", pal, transparency=0)
    rgba = Image.fromarray(np.dstack([rgb, np.full(rgb.shape[:2], 128, np.uint8)]), "RGBA")
    save("rgba.png", rgba)
    frames = [Image.fromarray(np.roll(rgb, k * 10, axis=1)).convert("P") for k in range(3)]
    p = d / "animated.gif"
    frames[0].save(p, save_all=True, append_images=frames[1:], duration=100, loop=0)
    out["animated.gif"] = (p, "ok")
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    save("gray-icc.jpg", Image.fromarray(data.camera()[::4, ::4]), icc_profile=icc, quality=90)
    save("photo-Ünïcødé-写真.jpg", Image.fromarray(rgb), quality=90)
    exif = Image.Exif()
    exif[0x0112] = 6                                    # rotate 90 degrees clockwise to view
    save("exif-rotated.jpg", Image.fromarray(rgb[:, :100]), exif=exif, quality=90)
    (d / "folder.jpg").mkdir(exist_ok=True)
    out["folder.jpg"] = (d / "folder.jpg", "folder")
    out["missing.jpg"] = (d / "missing.jpg", f"missing.jpg does not exist in {d.resolve()}.")  # and where
    return out
