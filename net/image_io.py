"""Reading and writing photos: every image that enters the program comes through here.

Reading honours EXIF orientation, accepts 8- and 16-bit, gray, palette, RGBA,
CMYK and animated files (first frame), and refuses images above a pixel limit
before decoding them (decompression bombs). Every failure is an
:class:`ImageError` with a one-sentence message. Writing is atomic.

A photo with more than 8 bits per channel (16-bit gray or RGB PNG/TIFF, float TIFF) keeps
its full precision in ``LoadedImage.rgb16`` next to the 8-bit ``rgb`` everything else
uses; :func:`output_depth` says when an export is written at 16 bits (PNG and TIFF).

``LoadedImage.metadata`` is what an export carries over from the photo (its resolution and
EXIF block, :mod:`net.image_metadata`); :func:`save_image` writes it where the type holds it.
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .atomic import atomic_path, write_failure_reason
from .exact_lab import TOP16, to_rgb8
from .formats import (DEEP_FORMATS, LOSSY_FORMATS,  # noqa: F401 (READ_EXTENSIONS re-exported)
                      READ_EXTENSIONS, WRITE_FORMATS)
from .image_metadata import (NO_METADATA, ImageMetadata, add_tiff_exif, checked, cv2_tiff_params,
                             pillow_options, png_chunks, preload_ifds, read_metadata)

log = logging.getLogger(__name__)

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
    # What an export carries over: resolution and EXIF (Orientation 1: ``rgb`` is upright).
    metadata: ImageMetadata = NO_METADATA
    # The file ends early (``load_image(..., incomplete_ok=True)``): past the break its pixels
    # are a decoder's filling (mid-gray in a JPEG, black in a PNG or TIFF), not the photo.
    incomplete: bool = False


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


def load_image(path: str | os.PathLike, max_pixels: int | None = None,
               incomplete_ok: bool = False) -> LoadedImage:
    """Read a photo as HxWx3 uint8 RGB, upright. Raises :class:`ImageError`.

    A file that ends early (a cut-off download, a damaged disk) is refused as "damaged or
    incomplete", unless ``incomplete_ok``: then what could be decoded is returned with
    ``incomplete`` set (the rest of a JPEG comes out mid-gray, of a PNG or an uncompressed
    TIFF black; a progressive JPEG comes out blurred), for a user who sees it and would rather
    colorize the part that is there.
    """
    path = Path(path)
    limit = max_pixels or max_pixels_setting()
    name = path.name or str(path)
    if path.is_dir():
        raise ImageError(f"{name} is a folder, not an image.")
    if not path.exists():      # where it was looked for: a typo in the folder shows
        raise ImageError(f"{name} does not exist in {path.resolve().parent}.")
    incomplete = False
    try:
        if path.stat().st_size == 0:
            raise ImageError(f"{name} is empty (0 bytes).")
        decoded = _decoded(path, name, limit)
    except _Incomplete:
        if not incomplete_ok:
            raise ImageError(f"{name} is damaged or incomplete.") from None
        decoded, incomplete = _decoded(path, name, limit, truncated=True), True
    except PermissionError:
        raise ImageError(f"{name} cannot be read: permission denied.") from None
    except OSError as e:            # (stat)
        raise ImageError(f"{name} cannot be read ({e.strerror or type(e).__name__}).") from None
    rgb, depth, rgb16, flattened, fmt, raw_mode, metadata, orientation = decoded
    if fmt in ("PNG", "TIFF") and raw_mode in ("RGB", "RGBA") and depth == 8 and not incomplete:
        # Pillow opens 16-bit-per-channel colour files as 8-bit RGB; re-read those with OpenCV.
        try:
            hi = _read_16bit_with_cv2(path, orientation)
        except Exception:  # noqa: BLE001 - fall back to Pillow's pixels
            hi = None
        if hi is not None and hi.shape == rgb.shape:
            rgb, depth, rgb16 = to_rgb8(hi), 16, hi
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    return LoadedImage(rgb=rgb, path=path, has_color=has_color(rgb), bit_depth=depth,
                       rgb16=rgb16, flattened=flattened, metadata=metadata,
                       incomplete=incomplete)


class _Incomplete(ImageError):
    """The file ends before its pixels do (Pillow: "image file is truncated")."""


# Pillow's switch for decoding what a truncated file holds is process-wide: every decode
# holds this lock, so only the retry of a file known to be incomplete ever runs with it on.
_PILLOW_LOCK = threading.Lock()


def _decoded(path: Path, name: str, limit: int, truncated: bool = False):
    """Pillow's decoding of ``path``: (rgb, bit depth, rgb16, flattened, format, mode,
    metadata, EXIF orientation); every failure an :class:`ImageError` (:class:`_Incomplete`
    for a file that ends early, unless ``truncated`` lets Pillow keep what it decoded)."""
    from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = None    # our own limit applies below, before decoding
    try:
        with _PILLOW_LOCK, Image.open(path) as img:
            ImageFile.LOAD_TRUNCATED_IMAGES = truncated
            try:
                w, h = img.size
                if w * h > limit:
                    raise ImageError(f"{name} is {w}x{h} pixels, above the limit of "
                                     f"{limit / 1e6:g} megapixels (the environment variable "
                                     f"COLORIZER_MAX_PIXELS sets it).")
                if w < 1 or h < 1:
                    raise ImageError(f"{name} has no pixels.")
                img.seek(0)
                exif, exif_error = _exif_of(img)
                orientation = exif.get(0x0112, 1) if exif is not None else 1
                rotated = ImageOps.exif_transpose(img) if exif is not None else img
                rgb, depth, rgb16 = _to_rgb8(rotated)
                flattened = see_through(rotated)
                metadata = read_metadata(img, exif, orientation, rotated.size, name)
                if exif_error is not None:      # said only of a photo that could be read
                    log.warning("%s: its EXIF data is unreadable (%s); read without it, and "
                                "its exports have none", name, exif_error)
                return (rgb, depth, rgb16, flattened, img.format, img.mode, metadata,
                        orientation)
            finally:
                ImageFile.LOAD_TRUNCATED_IMAGES = False
    except ImageError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise ImageError(f"{name} is not an image this program can read.") from None
    except PermissionError:
        raise ImageError(f"{name} cannot be read: permission denied.") from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError, TypeError, IndexError) as e:
        msg = str(e).split("\n")[0]
        if "truncated" in msg.lower() or isinstance(e, EOFError):
            if truncated:
                raise ImageError(f"{name} is damaged or incomplete, and no part of it "
                                 "could be read.") from None
            raise _Incomplete(f"{name} is damaged or incomplete.") from None
        raise ImageError(f"{name} cannot be read ({msg or type(e).__name__}).") from None


def _exif_of(img):
    """(the Pillow image's EXIF, None) or, when it cannot be parsed, (None, the error): the photo
    is then read as it is stored, not turned, and its exports have no EXIF. Its sub-IFDs are
    read now: a TIFF's file is closed once its pixels are decoded."""
    try:
        return preload_ifds(img.getexif()), None
    except Exception as e:  # noqa: BLE001 - a damaged EXIF block does not make a photo unreadable
        return None, e


def output_depth(path: str | os.PathLike, source_rgb16: np.ndarray | None) -> int:
    """Bits per channel to export ``path`` with: 16 when the source photo has 16-bit pixels
    (``LoadedImage.rgb16``) and the file type stores them (PNG, TIFF), else 8. The app's
    export and the command line both ask this."""
    fmt = WRITE_FORMATS.get(Path(path).suffix.lower())
    return 16 if source_rgb16 is not None and fmt in DEEP_FORMATS else 8


def check_quality(quality) -> int:
    """A JPEG or WebP quality: a whole number from 1 to 100, else ValueError (the writer's
    check, and the command line's)."""
    if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 100:
        raise ValueError(f"quality must be a whole number from 1 to 100, not {quality!r}")
    return quality


def save_image(path: str | os.PathLike, rgb: np.ndarray, quality: int = 95,
               metadata: ImageMetadata | None = None) -> Path:
    """Write RGB atomically; format from the extension. Raises :class:`ImageError`.

    uint8 RGB is written as it is. uint16 RGB is written at 16 bits per channel in PNG and
    TIFF, and rounded to 8 bits for the types that only hold 8 (JPEG, WebP, BMP).
    ``metadata`` (``LoadedImage.metadata``) is written where the type holds it: resolution in
    JPEG, PNG, TIFF and BMP, EXIF in JPEG, PNG, TIFF and WebP, at 8 and 16 bits alike
    (:mod:`net.image_metadata`); its EXIF block is rewritten for the file (upright, this size,
    this resolution, no layout tags), a raw block given here as much as the loader's. Metadata
    that cannot be written is left out with a logged warning; it never fails the export.
    ``quality`` (JPEG, WebP) is 1-100: anything else is a ValueError, as the command line and
    the app's dialog refuse it.
    """
    from PIL import Image

    check_quality(quality)
    path = Path(path)
    fmt = WRITE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ImageError(f"{path.name}: unsupported file type {path.suffix or '(none)'}; "
                         f"use one of {', '.join(sorted(WRITE_FORMATS))}.")
    rgb = np.asarray(rgb)
    md = checked(metadata, (rgb.shape[1], rgb.shape[0]) if rgb.ndim >= 2 else None)
    if rgb.dtype == np.uint16:
        if fmt in DEEP_FORMATS:
            return _save_16bit(path, fmt, rgb, md)
        rgb = to_rgb8(rgb)
    img = Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8), "RGB")
    kwargs = {}
    if fmt in LOSSY_FORMATS:
        kwargs["quality"] = int(quality)
    if fmt == "JPEG":
        kwargs["subsampling"] = 0 if quality >= 90 else 2
    if fmt == "TIFF":
        kwargs["compression"] = "tiff_lzw"
    extra = pillow_options(fmt, md)
    try:
        with atomic_path(path) as tmp:
            try:
                img.save(tmp, format=fmt, **kwargs, **extra)
            except Exception as e:  # noqa: BLE001 - metadata never fails an export
                if not extra or (isinstance(e, OSError) and e.errno is not None):
                    raise                       # no metadata to blame, or the disk's error
                log.warning("%s: written without its metadata, which %s refused (%s)",
                            path.name, fmt, e)
                img.save(tmp, format=fmt, **kwargs)
                md = NO_METADATA
            if fmt == "TIFF" and md.exif is not None:
                add_tiff_exif(tmp, md.exif)
    except OSError as e:
        reason = write_failure_reason(e)
        raise ImageError(f"Could not write {path.name}: {reason}.") from None
    return path


def _save_16bit(path: Path, fmt: str, rgb16: np.ndarray,
                md: ImageMetadata = NO_METADATA) -> Path:
    """uint16 RGB as a 16-bit PNG or TIFF (LZW), encoded by OpenCV and written atomically, with
    the metadata ``md`` (already :func:`net.image_metadata.checked`): OpenCV writes a TIFF's
    resolution (in whole dpi); a PNG's pHYs and eXIf chunks and a TIFF's EXIF are added here."""
    import cv2

    if rgb16.ndim != 3 or rgb16.shape[2] != 3:
        raise ImageError(f"Could not write {path.name}: expected HxWx3 RGB, "
                         f"got shape {rgb16.shape}.")
    ext, params = {"PNG": (".png", []),
                   "TIFF": (".tif", [cv2.IMWRITE_TIFF_COMPRESSION, 5,          # 5: LZW
                                     *cv2_tiff_params(md)])}[fmt]
    try:
        ok, data = cv2.imencode(ext, np.ascontiguousarray(rgb16[:, :, ::-1]), params)  # -> BGR
    except (cv2.error, MemoryError) as e:
        raise ImageError(f"Could not write {path.name}: the {fmt} encoder failed "
                         f"({str(e).strip().splitlines()[-1] if str(e).strip() else type(e).__name__}).") from None
    if not ok:
        raise ImageError(f"Could not write {path.name}: the {fmt} encoder failed.")
    chunks = png_chunks(md) if fmt == "PNG" else b""
    if chunks and bytes(data[12:16]) != b"IHDR":
        log.warning("%s: written without its metadata (no IHDR chunk first)", path.name)
        chunks = b""
    try:
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as f:
                if chunks:                     # pHYs and eXIf go before the image data
                    f.write(data[:33])         # signature and IHDR
                    f.write(chunks)
                    f.write(data[33:])
                else:
                    f.write(data)
            if fmt == "TIFF" and md.exif is not None:
                add_tiff_exif(tmp, md.exif)
    except OSError as e:
        raise ImageError(f"Could not write {path.name}: {write_failure_reason(e)}.") from None
    return path
