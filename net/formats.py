"""The one table of image file types: what the app, the CLI and training read and write.

Every list of extensions, every file-dialog filter and the CLI's ``--format`` choices are
derived from :data:`FORMATS`; nothing else in the project spells out ``.jpg``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ImageFormat:
    label: str                      # what a file dialog shows
    pillow: str                     # Pillow's format name, used for writing
    extensions: tuple[str, ...]     # lower case with the dot; the first one is used for new files
    write: bool = True              # False: read only
    quality: bool = False           # the writer takes a quality setting (lossy)
    deep: bool = False              # written at 16 bits per channel when the photo has them


FORMATS: tuple[ImageFormat, ...] = (
    ImageFormat("PNG", "PNG", (".png",), deep=True),
    ImageFormat("JPEG", "JPEG", (".jpg", ".jpeg"), quality=True),
    ImageFormat("TIFF", "TIFF", (".tif", ".tiff"), deep=True),
    ImageFormat("BMP", "BMP", (".bmp",)),
    ImageFormat("WebP", "WEBP", (".webp",), quality=True),
    ImageFormat("GIF", "GIF", (".gif",), write=False),      # first frame of an animation
)

READ_EXTENSIONS: tuple[str, ...] = tuple(e for f in FORMATS for e in f.extensions)
WRITE_FORMATS: dict[str, str] = {e: f.pillow for f in FORMATS if f.write for e in f.extensions}
LOSSY_FORMATS: frozenset[str] = frozenset(f.pillow for f in FORMATS if f.quality)
DEEP_FORMATS: frozenset[str] = frozenset(f.pillow for f in FORMATS if f.write and f.deep)
# ``--format`` names for the command line: the first extension of each writable type.
WRITE_NAMES: tuple[str, ...] = tuple(f.extensions[0][1:] for f in FORMATS if f.write)


def is_photo_name(name: str) -> bool:
    """Whether a file name has the extension of a readable image type (any case)."""
    return os.path.splitext(name)[1].lower() in READ_EXTENSIONS


def _patterns(f: ImageFormat) -> str:
    return " ".join(f"*{e}" for e in f.extensions)


def read_filter() -> str:
    """File-dialog filter for opening photos: every readable type in one entry."""
    return "Images (" + " ".join(f"*{e}" for e in READ_EXTENSIONS) + ")"


def write_filter() -> str:
    """File-dialog filter for exporting: one entry per writable type, PNG first."""
    return ";;".join(f"{f.label} ({_patterns(f)})" for f in FORMATS if f.write)


def with_image_extension(path: str | os.PathLike, default: str = ".png") -> str:
    """``path`` with ``default`` (an extension with its dot) appended unless its name already
    ends in a writable type's extension: "Oma 12.05.1950" gets ".png" appended rather than its
    ".1950" replaced (a date in a file name is not an extension)."""
    path = os.fspath(path)
    return path if os.path.splitext(path)[1].lower() in WRITE_FORMATS else path + default


def filter_extension(file_filter: str) -> str | None:
    """The first extension of the writable type a :func:`write_filter` entry names ("JPEG
    (*.jpg *.jpeg)" -> ".jpg"), None for another entry."""
    for f in FORMATS:
        if f.write and file_filter.startswith(f"{f.label} ("):
            return f.extensions[0]
    return None


def filter_for(extension: str) -> str:
    """The :func:`write_filter` entry of the writable type with this extension (PNG's for an
    unknown one): where the export dialog starts after an export of that type."""
    for f in FORMATS:
        if f.write and extension.lower() in f.extensions:
            return f"{f.label} ({_patterns(f)})"
    return filter_for(".png")
