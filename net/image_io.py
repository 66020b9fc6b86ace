"""Reading and writing photos: every image that enters the program comes through here.

Reading honours EXIF orientation, accepts 8- and 16-bit, gray, palette, RGBA,
CMYK and animated files (first frame), and refuses images above a pixel limit
before decoding them (decompression bombs). Every failure is an
:class:`ImageError` with a one-sentence message. Writing is atomic.
"""
from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .atomic import atomic_path, write_failure_reason
from .formats import (LOSSY_FORMATS, READ_EXTENSIONS,  # noqa: F401 (READ_EXTENSIONS re-exported)
                      WRITE_FORMATS)

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


def _to_rgb8(img) -> tuple[np.ndarray, int]:
    from PIL import Image

    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        a = np.asarray(img).astype(np.float64)
        hi = 65535.0 if mode.startswith("I;16") or a.max() > 255 else 255.0
        g = np.clip(np.round(a * (255.0 / hi)), 0, 255).astype(np.uint8)
        return np.repeat(g[:, :, None], 3, axis=2), 16
    if mode == "F":
        a = np.asarray(img).astype(np.float64)
        hi = 1.0 if a.max() <= 1.0 else 65535.0
        g = np.clip(np.round(a / hi * 255.0), 0, 255).astype(np.uint8)
        return np.repeat(g[:, :, None], 3, axis=2), 32
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        bg.alpha_composite(rgba)
        return np.asarray(bg.convert("RGB")), 8
    return np.asarray(img.convert("RGB")), 8


def _read_16bit_with_cv2(path: Path) -> np.ndarray | None:
    """Pillow reduces 16-bit RGB PNG/TIFF to 8 bits poorly; OpenCV keeps the precision."""
    import cv2

    data = np.fromfile(str(path), dtype=np.uint8)
    a = cv2.imdecode(data, cv2.IMREAD_UNCHANGED | cv2.IMREAD_IGNORE_ORIENTATION)
    if a is None or a.dtype != np.uint16 or a.ndim != 3:
        return None
    a = a[:, :, :3][:, :, ::-1]  # BGR(A) -> RGB
    return np.clip(np.round(a.astype(np.float32) * (255.0 / 65535.0)), 0, 255).astype(np.uint8)


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
                rotated = ImageOps.exif_transpose(img)
                rgb, depth = _to_rgb8(rotated)
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
            hi = _read_16bit_with_cv2(path)
        except Exception:  # noqa: BLE001 - fall back to Pillow's pixels
            hi = None
        if hi is not None and hi.shape == rgb.shape:
            rgb, depth = hi, 16
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    return LoadedImage(rgb=rgb, path=path, has_color=has_color(rgb), bit_depth=depth)


def save_image(path: str | os.PathLike, rgb: np.ndarray, quality: int = 95) -> Path:
    """Write uint8 RGB atomically; format from the extension. Raises :class:`ImageError`."""
    from PIL import Image

    path = Path(path)
    fmt = WRITE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ImageError(f"{path.name}: unsupported file type {path.suffix or '(none)'}; "
                         f"use one of {', '.join(sorted(WRITE_FORMATS))}.")
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
