"""Exporting a colorized photo: the full-resolution result, at the precision the photo has and
the file type holds.

The app's export (``colorizer_gui/exporting.py``) and ``colorizer colorize`` both write through
:func:`export_image`, so the two decide the output depth the same way
(:func:`net.image_io.output_depth`): a 16-bit photo exported as PNG or TIFF comes out at 16 bits
with its own lightness at every 16-bit level; anything else is written at 8 bits. Both pass the
photo's metadata (``LoadedImage.metadata``: resolution and EXIF, :mod:`net.image_metadata`), which
the file keeps where its type holds it.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .color import rgb_to_l
from .image_io import output_depth, save_image
from .image_metadata import ImageMetadata


def render_for_export(session, path: str | os.PathLike, hints=(), hint_reach: str | None = None,
                      rgb16: np.ndarray | None = None) -> np.ndarray:
    """The full-resolution result of ``session`` (a :class:`net.ColorizeSession`) as ``path``
    will hold it: uint16 RGB on the 16-bit photo ``rgb16``'s exact L when the depth is 16,
    else the session's uint8 render."""
    if output_depth(path, rgb16) == 16:
        if tuple(rgb16.shape[:2]) != tuple(session.size):
            raise ValueError(f"the 16-bit pixels ({rgb16.shape[1]}x{rgb16.shape[0]}) are not "
                             f"the photo's ({session.size[1]}x{session.size[0]})")
        return session.render_on(rgb_to_l(rgb16), hints, hint_reach, depth=16)
    return session.render(hints, hint_reach)


def export_image(path: str | os.PathLike, session, hints=(), hint_reach: str | None = None,
                 rgb16: np.ndarray | None = None, quality: int = 95,
                 metadata: ImageMetadata | None = None) -> Path:
    """Render and write ``path`` atomically (format from the extension); the photo's 16-bit
    pixels ``rgb16`` (``LoadedImage.rgb16``) make a PNG or TIFF 16-bit, and its ``metadata``
    (``LoadedImage.metadata``) gives the file the photo's resolution and EXIF where the type
    holds them (malformed metadata is left out with a logged warning). Raises
    :class:`net.ImageError` when the file cannot be written."""
    return save_image(path, render_for_export(session, path, hints, hint_reach, rgb16),
                      quality=quality, metadata=metadata)
