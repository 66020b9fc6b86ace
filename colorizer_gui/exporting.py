"""Export: the full-resolution result written to an image file, as a worker job.

The editor controller's ``export_to`` runs this: it asks what has to be asked first (overwrite
the original photo, or another file? JPEG quality?), remembers the folder and the quality, and
renders and writes in the background with the hints and hint reach of the moment it was asked.
A 16-bit photo exported as PNG or TIFF is written at 16 bits (:mod:`net.export`), anything else
at 8; the photo's resolution and EXIF (``Photo.metadata``) go with it where the type holds them.
"""
from __future__ import annotations

from pathlib import Path

from net.export import export_image
from net.formats import (FORMATS, LOSSY_FORMATS, WRITE_FORMATS, filter_extension, filter_for,
                         with_image_extension, write_filter)

from .app_settings import default_save_dir

DEFAULT_JPEG_QUALITY = 95


def choose_export(ctl, settings) -> None:
    """File > Export: the export dialog, starting in the folder and on the type last exported
    to (else the photo's folder, as PNG), then :func:`start_export` to the file chosen. A "No"
    to replacing a file opens the dialog again on that name (as a save dialog's own question
    does), so the export is not dropped without a word."""
    doc = ctl.doc
    if doc.path is None:
        ctl.prompts.error("Nothing to export", "Open a photo and load a model first.")
        return
    file_type = filter_for(str(settings.value("exportType", ".png")))
    start = Path(settings.value("exportDir", "") or default_save_dir(doc.path)) / \
        f"{doc.path.stem}_colorized{filter_extension(file_type)}"
    while True:
        chosen = ctl.prompts.export_file("Export colorized image", str(start), write_filter(),
                                         file_type)         # the export asks, once
        if not chosen:
            return
        path, file_type = chosen
        start = Path(with_image_extension(path, filter_extension(file_type) or ".png"))
        if may_write(ctl, start, confirm=True):
            ctl.export_to(start, agreed=True)
            return


def may_write(ctl, path: Path, confirm: bool) -> bool:
    """Whether the export may write ``path``: one question over an existing file (the export
    dialog does not ask, so nothing is asked twice), the more specific one over the original
    photo. Without ``confirm`` the original is never overwritten and other files are."""
    if path.resolve() == ctl.doc.path.resolve():
        return confirm and ctl.prompts.confirm_overwrite_original(path.name)
    return not (confirm and path.exists()) or ctl.prompts.confirm_replace(path.name)


def start_export(ctl, path: Path, quality: int | None = None, confirm: bool = True,
                 agreed: bool = False) -> bool:
    """Export the controller ``ctl``'s document to ``path`` (a name without an image type's
    extension gets .png appended); False when nothing was started (nothing to export, or the
    user declined). ``agreed``: the user has already said yes to writing ``path``."""
    if ctl.doc.photo is None or ctl.session is None:
        ctl.prompts.error("Nothing to export", "Open a photo and load a model first.")
        return False
    path = Path(with_image_extension(path))
    if not agreed and not may_write(ctl, path, confirm):
        return False
    if quality is None:
        quality = DEFAULT_JPEG_QUALITY
        kind = WRITE_FORMATS.get(path.suffix.lower())
        if kind in LOSSY_FORMATS:                # JPEG and WebP: one remembered quality
            q = ctl.prompts.quality(next(f.label for f in FORMATS if f.pillow == kind),
                                    int(ctl.settings.value("jpegQuality", DEFAULT_JPEG_QUALITY)))
            if q is None:
                return False
            quality = q
            ctl.settings.setValue("jpegQuality", q)
    ctl.settings.setValue("exportDir", str(path.parent))
    ctl.settings.setValue("exportType", path.suffix.lower())   # the dialog's next first choice
    session, hints, reach = ctl.session, list(ctl.doc.hints), ctl.doc.hint_reach
    rgb16 = ctl.doc.photo.rgb16          # a 16-bit photo exports at 16 bits to PNG and TIFF
    metadata = ctl.doc.photo.metadata    # its resolution and EXIF

    def export():
        return export_image(path, session, hints, reach, rgb16, quality=quality,
                            metadata=metadata)

    ctl.message.emit(f"Exporting {path.name}…", 0)
    ctl.worker.submit(export,
                      lambda result: ctl.message.emit(f"Exported {result}", 8000),
                      lambda msg: ctl.prompts.error("The image was not exported", msg))
    return True
