"""Reading and writing photos: every image that enters the program comes through here.

Reading honours EXIF orientation, accepts 8- and 16-bit, gray, palette, RGBA,
CMYK and animated files (first frame), and refuses images above a pixel limit
before decoding them (decompression bombs). Every failure is an
:class:`ImageError` with a one-sentence message. Writing is atomic.

A photo with more than 8 bits per channel (16-bit gray or RGB PNG/TIFF, float TIFF) keeps
its full precision in ``LoadedImage.rgb16`` next to the 8-bit ``rgb`` everything else
uses; :func:`output_depth` says when an export is written at 16 bits (PNG and TIFF).
"""
from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .atomic import atomic_path, write_failure_reason
from .exact_lab import TOP16, to_rgb8
from .formats import (DEEP_FORMATS, LOSSY_FORMATS,  # noqa: F401 (READ_EXTENSIONS re-exported)
                      READ_EXTENSIONS, WRITE_FORMATS)

# Default limit: 100 megapixels (a 10000 x 10000 image). Override with the
# environment variable COLORIZER_MAX_PIXELS or the ``max_pixels`` argument.
DEFAULT_MAX_PIXELS = 100_000_000


class ImageError(ValueError):
    """An image that cannot be read or written; the message is one plain sentence."""


@dataclass
class LoadedImage:
    rgb: np.ndarray          # HxWx3 uint8
    path: Path
    has_color: bool          # the file had real colour (its colours can be sampled)
    bit_depth: int
    # HxWx3 uint16, the same pixels at full precision, for files of more than 8 bits per
    # channel (16-bit gray or RGB, float); None for 8-bit files. ``rgb`` is its 8-bit rounding.
    rgb16: np.ndarray | None = None
    # The file had (partly) transparent pixels: they are composited on white, so the photo and
    # its colorized export show them white (an export has no transparency).
    flattened: bool = False


def max_pixels_setting() -> int:
    env = os.environ.get("COLORIZER_MAX_PIXELS")
    if env:
        try:
            v = int(env)
            if v > 0:
                return v
        except ValueError:
            pass
    return DEFAULT_MAX_PIXELS


def has_color(rgb: np.ndarray, threshold: float = 2.0) -> bool:
    """True when the image's channels differ by more than ``threshold`` levels on average."""
    small = rgb[:: max(1, rgb.shape[0] // 256), :: max(1, rgb.shape[1] // 256)].astype(np.int16)
    spread = small.max(axis=2) - small.min(axis=2)
    return float(spread.mean()) > threshold


def _gray16(g: np.ndarray) -> np.ndarray:
    """A gray plane as HxWx3 uint16 RGB: a read-only view of one plane (a 16-bit gray photo
    is kept for its export; three copies would triple that memory)."""
    g = np.ascontiguousarray(g, dtype=np.uint16)
    return np.broadcast_to(g[:, :, None], (*g.shape, 3))


def _to_rgb8(img) -> tuple[np.ndarray, int, np.ndarray | None]:
    """Pillow image -> (uint8 RGB, bits per channel, uint16 RGB or None for 8-bit files)."""
    from PIL import Image

    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        raw = np.asarray(img)
        a = raw.astype(np.float64)
        hi = 65535.0 if mode.startswith("I;16") or a.max() > 255 else 255.0
        g = np.clip(np.round(a * (255.0 / hi)), 0, 255).astype(np.uint8)
        g16 = np.clip(raw, 0, TOP16) if hi == TOP16 else np.clip(np.round(a * (TOP16 / hi)), 0, TOP16)
        return np.repeat(g[:, :, None], 3, axis=2), 16, _gray16(g16)
    if mode == "F":
        a = np.asarray(img).astype(np.float64)
        hi = 1.0 if a.max() <= 1.0 else 65535.0
        g = np.clip(np.round(a / hi * 255.0), 0, 255).astype(np.uint8)
        g16 = np.clip(np.round(a / hi * TOP16), 0, TOP16)
        return np.repeat(g[:, :, None], 3, axis=2), 32, _gray16(g16)
    if has_alpha(img):
        rgba = img.convert("RGBA")
        bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        bg.alpha_composite(rgba)
        return np.asarray(bg.convert("RGB")), 8, None
    return np.asarray(img.convert("RGB")), 8, None


ALPHA_MODES = ("RGBA", "LA", "PA")      # Pillow modes with an alpha band


def has_alpha(img) -> bool:
    """Whether a Pillow image has a transparency channel (or a transparent palette entry)."""
    return img.mode in ALPHA_MODES or (img.mode == "P" and "transparency" in img.info)


def see_through(img) -> bool:
    """Whether any pixel of a Pillow image is less than opaque, i.e. :func:`_to_rgb8` put some
    on white (an RGBA file whose alpha is 255 everywhere, as many screenshots are, is not).
    Reads the alpha band itself where there is one (no second RGBA conversion of the photo)."""
    if not has_alpha(img):
        return False
    alpha = img.getchannel("A") if img.mode in ALPHA_MODES else img.convert("RGBA").getchannel("A")
    return alpha.getextrema()[0] < 255


# EXIF orientation -> what makes the stored pixels upright (as Pillow's exif_transpose does).
_UPRIGHT = {2: lambda a: a[:, ::-1], 3: lambda a: a[::-1, ::-1], 4: lambda a: a[::-1],
            5: lambda a: a.swapaxes(0, 1), 6: lambda a: np.rot90(a, -1),
            7: lambda a: a.swapaxes(0, 1)[::-1, ::-1], 8: lambda a: np.rot90(a, 1)}


def _read_16bit_with_cv2(path: Path, orientation: int) -> np.ndarray | None:
    """Pillow reduces 16-bit RGB PNG/TIFF to 8 bits; OpenCV keeps the precision.
    Upright uint16 RGB, or None when the file is not 16-bit colour."""
    import cv2

    data = np.fromfile(str(path), dtype=np.uint8)
    a = cv2.imdecode(data, cv2.IMREAD_UNCHANGED | cv2.IMREAD_IGNORE_ORIENTATION)
    if a is None or a.dtype != np.uint16 or a.ndim != 3:
        return None
    rgb = a[:, :, :3][:, :, ::-1].astype(np.float32)  # BGR(A) -> RGB
    if a.shape[2] == 4:          # transparent parts on white, as 8-bit files are (_to_rgb8)
        alpha = a[:, :, 3:4].astype(np.float32) / TOP16
        rgb = rgb * alpha + TOP16 * (1.0 - alpha)
    rgb = np.clip(np.rint(rgb), 0, TOP16).astype(np.uint16)
    return np.ascontiguousarray(_UPRIGHT.get(orientation, lambda x: x)(rgb))


def load_image(path: str | os.PathLike, max_pixels: int | None = None) -> LoadedImage:
    """Read a photo as HxWx3 uint8 RGB, upright. Raises :class:`ImageError`."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path)
    limit = max_pixels or max_pixels_setting()
    name = path.name or str(path)
    if path.is_dir():
        raise ImageError(f"{name} is a folder, not an image.")
    if not path.exists():
        raise ImageError(f"{name} does not exist.")
    try:
        if path.stat().st_size == 0:
            raise ImageError(f"{name} is empty (0 bytes).")
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            Image.MAX_IMAGE_PIXELS = None  # we apply our own limit below, before decoding
            with Image.open(path) as img:
                w, h = img.size
                if w * h > limit:
                    raise ImageError(f"{name} is {w}x{h} pixels, above the limit of "
                                     f"{limit / 1e6:.0f} megapixels.")
                if w < 1 or h < 1:
                    raise ImageError(f"{name} has no pixels.")
                img.seek(0)
                orientation = img.getexif().get(0x0112, 1)
                rotated = ImageOps.exif_transpose(img)
                rgb, depth, rgb16 = _to_rgb8(rotated)
                flattened = see_through(rotated)
                fmt = img.format
                raw_mode = img.mode
    except ImageError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise ImageError(f"{name} is not an image this program can read.") from None
    except PermissionError:
        raise ImageError(f"{name} cannot be read: permission denied.") from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError, TypeError, IndexError) as e:
        msg = str(e).split("\n")[0]
        if "truncated" in msg.lower() or isinstance(e, EOFError):
            raise ImageError(f"{name} is damaged or incomplete.") from None
        raise ImageError(f"{name} cannot be read ({msg or type(e).__name__}).") from None
    if fmt in ("PNG", "TIFF") and raw_mode in ("RGB", "RGBA") and depth == 8:
        # Pillow opens 16-bit-per-channel colour files as 8-bit RGB; re-read those with OpenCV.
        try:
            hi = _read_16bit_with_cv2(path, orientation)
        except Exception:  # noqa: BLE001 - fall back to Pillow's pixels
            hi = None
        if hi is not None and hi.shape == rgb.shape:
            rgb, depth, rgb16 = to_rgb8(hi), 16, hi
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    return LoadedImage(rgb=rgb, path=path, has_color=has_color(rgb), bit_depth=depth,
                       rgb16=rgb16, flattened=flattened)


def output_depth(path: str | os.PathLike, source_rgb16: np.ndarray | None) -> int:
    """Bits per channel to export ``path`` with: 16 when the source photo has 16-bit pixels
    (``LoadedImage.rgb16``) and the file type stores them (PNG, TIFF), else 8. The app's
    export and the command line both ask this."""
    fmt = WRITE_FORMATS.get(Path(path).suffix.lower())
    return 16 if source_rgb16 is not None and fmt in DEEP_FORMATS else 8


def save_image(path: str | os.PathLike, rgb: np.ndarray, quality: int = 95) -> Path:
    """Write RGB atomically; format from the extension. Raises :class:`ImageError`.

    uint8 RGB is written as it is. uint16 RGB is written at 16 bits per channel in PNG and
    TIFF, and rounded to 8 bits for the types that only hold 8 (JPEG, WebP, BMP).
    """
    from PIL import Image

    path = Path(path)
    fmt = WRITE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ImageError(f"{path.name}: unsupported file type {path.suffix or '(none)'}; "
                         f"use one of {', '.join(sorted(WRITE_FORMATS))}.")
    rgb = np.asarray(rgb)
    if rgb.dtype == np.uint16:
        if fmt in DEEP_FORMATS:
            return _save_16bit(path, fmt, rgb)
        rgb = to_rgb8(rgb)
    img = Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8), "RGB")
    kwargs = {}
    if fmt in LOSSY_FORMATS:
        kwargs["quality"] = int(quality)
    if fmt == "JPEG":
        kwargs["subsampling"] = 0 if quality >= 90 else 2
    if fmt == "TIFF":
        kwargs["compression"] = "tiff_lzw"
    try:
        with atomic_path(path) as tmp:
            img.save(tmp, format=fmt, **kwargs)
    except OSError as e:
        reason = write_failure_reason(e)
        raise ImageError(f"Could not write {path.name}: {reason}.") from None
    return path


def _save_16bit(path: Path, fmt: str, rgb16: np.ndarray) -> Path:
    """uint16 RGB as a 16-bit PNG or TIFF (LZW), encoded by OpenCV and written atomically."""
    import cv2

    if rgb16.ndim != 3 or rgb16.shape[2] != 3:
        raise ImageError(f"Could not write {path.name}: expected HxWx3 RGB, "
                         f"got shape {rgb16.shape}.")
    ext, params = {"PNG": (".png", []),
                   "TIFF": (".tif", [cv2.IMWRITE_TIFF_COMPRESSION, 5])}[fmt]   # 5: LZW
    try:
        ok, data = cv2.imencode(ext, np.ascontiguousarray(rgb16[:, :, ::-1]), params)  # -> BGR
    except (cv2.error, MemoryError) as e:
        raise ImageError(f"Could not write {path.name}: the {fmt} encoder failed "
                         f"({str(e).strip().splitlines()[-1] if str(e).strip() else type(e).__name__}).") from None
    if not ok:
        raise ImageError(f"Could not write {path.name}: the {fmt} encoder failed.")
    try:
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as f:
                f.write(data)
    except OSError as e:
        raise ImageError(f"Could not write {path.name}: {write_failure_reason(e)}.") from None
    return path
