"""An export keeps the scan's resolution (DPI) and EXIF where its file type holds them.

A user test found every export (app and command line, any type) dropping the 600 dpi of a scanned
print, which gives its print size, and its EXIF (the scanner, the date archives file it by).
The photo's EXIF orientation is applied to the pixels on loading, so the export's EXIF says
Orientation 1. Malformed metadata never fails a load or an export. The model is the bundled one
at a small working size (nothing is trained here).
"""
from __future__ import annotations

import io
import logging
import struct
import warnings
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps

from net import Hint, load_image
from net.export import export_image

HINTS = [Hint(12, 20, 6, (220, 30, 30))]
MAKE, DATE_ORIGINAL, EXIF_IFD, ORIENTATION = 0x010F, 0x9003, 0x8769, 0x0112
DATE = "1950:01:01 00:00:00"




def gray(w: int = 60, h: int = 40) -> Image.Image:
    """A gray photo whose top-left corner is dark: where it lands shows how it was turned."""
    a = np.tile(np.linspace(60, 200, w, dtype=np.uint8), (h, 1))
    a[:8, :8] = 10
    return Image.fromarray(a).convert("RGB")


def scan_exif(orientation: int | None = 6) -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE] = "ScannerCo"
    if orientation is not None:
        exif[ORIENTATION] = orientation
    exif.get_ifd(EXIF_IFD)[DATE_ORIGINAL] = DATE
    return exif


def jpeg_scan(path, dpi=(600, 600), orientation: int | None = 6):
    gray().save(path, dpi=dpi, exif=scan_exif(orientation))
    return path


def with_app1(jpeg: bytes, payload: bytes) -> bytes:
    """``jpeg`` with an APP1 (EXIF) segment holding ``payload`` right after its SOI marker."""
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def metadata_of(path):
    """(dpi rounded to whole numbers or None, Make, DateTimeOriginal, Orientation, (w, h))."""
    with Image.open(path) as im:
        exif = im.getexif()
        dpi = im.info.get("dpi")
        if im.format == "TIFF" and 282 not in im.tag_v2:
            dpi = None                                 # (Pillow says 1 dpi when there is none)
        return (None if dpi is None else tuple(round(float(v)) for v in dpi), exif.get(MAKE),
                exif.get_ifd(EXIF_IFD).get(DATE_ORIGINAL), exif.get(ORIENTATION), im.size)


def export(tmp_path, small_colorizer, src, ext, **kw):
    img = load_image(src)
    out = tmp_path / f"out{ext}"
    assert export_image(out, small_colorizer.open(img.rgb), HINTS, rgb16=img.rgb16,
                        metadata=img.metadata, **kw) == out
    return img, out


@pytest.mark.parametrize("ext", [".jpg", ".png", ".tif"])
def test_a_scan_exported_keeps_600_dpi_and_its_exif_upright(tmp_path, small_colorizer, ext):
    src = jpeg_scan(tmp_path / "scan.jpg")                  # stored 60 x 40, Orientation 6
    img, out = export(tmp_path, small_colorizer, src, ext)
    assert img.rgb.shape == (60, 40, 3)                     # turned upright on loading
    dpi, make, date, orientation, size = metadata_of(out)
    assert (dpi, make, date) == ((600, 600), "ScannerCo", DATE)
    assert orientation in (1, None) and size == (40, 60)    # the pixels are upright already
    with Image.open(out) as im:
        assert ImageOps.exif_transpose(im).size == (40, 60)  # a viewer does not turn it again
        pixels = np.asarray(im.convert("L"), dtype=float)
    assert pixels[:8, -8:].mean() < 40 < pixels[:8, :8].mean()  # the dark corner went top-right
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out" + ext, "scan.jpg"]   # no temp file


@pytest.mark.parametrize("ext, kept", [(".webp", ("exif",)), (".bmp", ("dpi",))])
def test_webp_keeps_the_exif_and_bmp_the_dpi(tmp_path, small_colorizer, ext, kept):
    _, out = export(tmp_path, small_colorizer, jpeg_scan(tmp_path / "scan.jpg"), ext)
    dpi, make, date, orientation, size = metadata_of(out)
    assert size == (40, 60) and orientation in (1, None)
    assert (dpi == (600, 600)) == ("dpi" in kept)
    assert ((make, date) == ("ScannerCo", DATE)) == ("exif" in kept)


def test_a_quarter_turn_swaps_the_horizontal_and_vertical_resolution(tmp_path, small_colorizer):
    src = jpeg_scan(tmp_path / "scan.jpg", dpi=(600, 300))
    img, out = export(tmp_path, small_colorizer, src, ".tif")
    assert img.metadata.dpi == (300.0, 600.0)
    assert metadata_of(out)[0] == (300, 600)


def test_a_tiff_scan_keeps_its_resolution_and_tags_not_its_layout(tmp_path, small_colorizer):
    src = tmp_path / "scan.tif"
    exif = scan_exif(6)
    exif[0x0131] = "ScanApp 2"
    gray().save(src, dpi=(600, 600), exif=exif.tobytes())    # uncompressed: with its Exif IFD
    for ext in (".jpg", ".png", ".tif"):
        img, out = export(tmp_path, small_colorizer, src, ext)
        dpi, make, date, orientation, size = metadata_of(out)
        assert (dpi, make, date, size) == ((600, 600), "ScannerCo", DATE, (40, 60))
        assert orientation in (1, None)
        with Image.open(out) as im:
            tags = im.getexif()
            assert tags.get(0x0131) == "ScanApp 2"
            if ext != ".tif":                         # the source's strips are not carried
                assert not {256, 257, 259, 273, 279} & set(tags)
            assert np.array_equal(np.asarray(im.convert("RGB")).shape, img.rgb.shape)


def test_16bit_photos_keep_their_dpi_and_exif_at_16_bits(tmp_path, small_colorizer):
    ramp = (np.linspace(1000, 60000, 60 * 40) // 1).astype(np.uint16).reshape(40, 60)
    png = tmp_path / "g16.png"                 # 16-bit gray PNG with pHYs and eXIf (Pillow)
    Image.fromarray(ramp).save(png, dpi=(600, 600), exif=scan_exif(None))
    tif = tmp_path / "c16.tif"                 # 16-bit RGB TIFF with its resolution (OpenCV)
    cv2.imwrite(str(tif), np.dstack([ramp, ramp // 2, ramp // 3]),
                [cv2.IMWRITE_TIFF_RESUNIT, 2, cv2.IMWRITE_TIFF_XDPI, 600,
                 cv2.IMWRITE_TIFF_YDPI, 600])
    for src, has_exif in ((png, True), (tif, False)):
        for ext in (".png", ".tif"):
            img, out = export(tmp_path, small_colorizer, src, ext)
            assert img.bit_depth == 16 and img.metadata.dpi == (600.0, 600.0)
            assert cv2.imread(str(out), cv2.IMREAD_UNCHANGED).dtype == np.uint16
            dpi, make, date, orientation, size = metadata_of(out)
            assert dpi == (600, 600) and size == (60, 40)
            assert (make, date) == (("ScannerCo", DATE) if has_exif else (None, None))
            if has_exif:
                assert orientation in (1, None)


def test_a_photo_without_metadata_still_exports(tmp_path, small_colorizer):
    src = tmp_path / "plain.png"
    gray().save(src)
    for ext in (".jpg", ".png", ".tif", ".webp", ".bmp"):
        img, out = export(tmp_path, small_colorizer, src, ext)
        assert img.metadata.dpi is None and img.metadata.exif is None
        dpi, make, date, _, size = metadata_of(out)
        assert make is None and date is None and size == (60, 40)
        assert dpi is None or ext == ".bmp"            # (Pillow writes BMP at 96 dpi)


@pytest.mark.filterwarnings("ignore:Truncated File Read", "ignore:Corrupt EXIF data")  # Pillow
def test_a_photo_with_corrupt_exif_still_loads_and_exports(tmp_path, small_colorizer, caplog):
    plain = io.BytesIO()
    gray().save(plain, "JPEG", dpi=(600, 600))
    good = scan_exif(None).tobytes()
    ptr = struct.pack(">HHLL", EXIF_IFD, 4, 1, 0x30)                # the Exif IFD's pointer
    assert ptr in good
    damaged = {"garbage": b"Exif\x00\x00" + b"\x13\x37garbage!" * 5,   # not even a TIFF header
               "pointer": good.replace(ptr, ptr[:8] + struct.pack(">L", 0xFFF030)),
               "truncated": good[:30]}
    for name, payload in damaged.items():
        src = tmp_path / f"{name}.jpg"
        src.write_bytes(with_app1(plain.getvalue(), payload))
        with caplog.at_level(logging.WARNING):
            for ext in (".jpg", ".png", ".tif"):
                img, out = export(tmp_path, small_colorizer, src, ext)
                dpi, make, date, orientation, size = metadata_of(out)
                assert dpi == (600, 600) and size == (60, 40), name
                assert date is None and orientation in (1, None), name
                assert make == ("ScannerCo" if name == "pointer" else None), name
    assert "EXIF data is unreadable" in caplog.text          # the garbage one, said in the log


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")                          # Pillow's
def test_malformed_metadata_is_left_out_with_a_warning(tmp_path, small_colorizer, caplog):
    from net.image_io import ImageMetadata
    img = load_image(jpeg_scan(tmp_path / "scan.jpg"))
    session = small_colorizer.open(img.rgb)
    big = scan_exif(None)
    big.get_ifd(EXIF_IFD)[0x9286] = b"ASCII\0\0\0" + b"x" * 70000      # UserComment
    bad = [ImageMetadata(dpi=(float("nan"), 0.0), exif=b"not exif at all"),
           ImageMetadata(dpi=("x", None), exif=b"Exif\x00\x00MM\x00*\xff\xff\xff\xf0"),
           ImageMetadata(dpi=(600, 600), exif=big.tobytes())]           # > JPEG's 64 KB
    with caplog.at_level(logging.WARNING):
        for i, md in enumerate(bad):
            for ext in (".jpg", ".png", ".tif", ".webp"):
                out = tmp_path / f"bad{i}{ext}"
                export_image(out, session, HINTS, metadata=md)
                assert metadata_of(out)[4] == (40, 60)
    assert "left out" in caplog.text
    assert metadata_of(tmp_path / "bad2.jpg")[:2] == ((600, 600), None)   # the dpi stays


def test_the_command_line_keeps_the_dpi_and_exif(tmp_path, cli):
    src = jpeg_scan(tmp_path / "scan.jpg")
    for ext in (".jpg", ".png", ".tif"):
        assert cli(src, "-o", tmp_path / f"cli{ext}") == 0
        dpi, make, date, orientation, size = metadata_of(tmp_path / f"cli{ext}")
        assert (dpi, make, date, size) == ((600, 600), "ScannerCo", DATE, (40, 60))
        assert orientation in (1, None)


def test_the_app_exports_a_restored_session_with_the_photo_s_metadata(qtbot, tmp_path,
                                                                    monkeypatch):
    """The app's export (controller.export_to, colorizer_gui/exporting.py) of a photo opened
    from a session file, which re-loads the photo."""
    from PySide6.QtWidgets import QMessageBox

    from net.assets import resolve_model_path

    from .test_gui import WAIT, new_window, wait_idle
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.No)
    src = jpeg_scan(tmp_path / "scan.jpg")
    other = tmp_path / "other.png"
    gray(30, 20).save(other)
    w = new_window(qtbot, resolve_model_path(None))
    w.controller.open_path(src)
    qtbot.waitUntil(lambda: w.doc.path == src and w.session is not None, timeout=WAIT)
    session = tmp_path / "scan.colorize.json"
    assert w.controller.write_session(session)
    w.controller.open_path(other)
    qtbot.waitUntil(lambda: w.doc.path == other, timeout=WAIT)
    w.controller.open_session(session)
    qtbot.waitUntil(lambda: w.doc.path == src and w.session is not None, timeout=WAIT)
    wait_idle(qtbot, w)
    for ext in (".png", ".tif", ".jpg"):
        out = tmp_path / f"app{ext}"
        assert w.controller.export_to(out, quality=90, confirm=False)
        qtbot.waitUntil(out.exists, timeout=WAIT)
        wait_idle(qtbot, w)
        dpi, make, date, orientation, size = metadata_of(out)
        assert (dpi, make, date, size) == ((600, 600), "ScannerCo", DATE, (40, 60))
        assert orientation in (1, None)
    w.doc.history.set_clean()
    w.close()


def test_the_app_s_loader_keeps_the_metadata_for_export(tmp_path, small_colorizer):
    """controller._load_photo (every open, a session's too) keeps what export_image needs, and
    exporting.start_export hands it over (run synchronously without a window)."""
    from colorizer_gui.controller import _load_photo
    from colorizer_gui.document import Document
    from colorizer_gui.exporting import start_export
    photo, session = _load_photo(jpeg_scan(tmp_path / "scan.jpg"), small_colorizer)
    assert photo.metadata == load_image(tmp_path / "scan.jpg").metadata
    doc = Document()
    doc.load(photo, list(HINTS))
    errors = []
    ctl = SimpleNamespace(
        doc=doc, session=session, worker=SimpleNamespace(submit=lambda run, done, failed:
                                                         done(run())),
        prompts=SimpleNamespace(error=lambda *a: errors.append(a)),
        settings=SimpleNamespace(value=lambda k, d=None: d, setValue=lambda k, v: None),
        message=SimpleNamespace(emit=lambda *a: None))
    out = tmp_path / "gui.jpg"
    assert start_export(ctl, out, quality=90) and not errors
    assert metadata_of(out)[:3] == ((600, 600), "ScannerCo", DATE)


@pytest.mark.parametrize("resolution, expected", [
    ({}, None),                                          # none: Pillow says 72 dpi
    ({282: 300, 283: 300}, (300.0, 300.0)),              # EXIF's, in inches by default
    ({282: 300, 283: 150, 296: 2}, (300.0, 150.0)),
    ({282: 300, 283: 300, 296: 1}, None)])               # no absolute unit
def test_a_jpeg_s_resolution_is_its_jfif_density_or_exif_s_never_an_invented_72_dpi(
        tmp_path, small_colorizer, resolution, expected):
    """A JPEG with EXIF but no JFIF density: Pillow says 72 dpi unless the EXIF has a resolution
    with a unit, which it reads for both directions. The photo's is the EXIF's, or none."""
    from PIL.TiffImagePlugin import IFDRational
    exif = scan_exif(None)
    for tag, value in resolution.items():
        exif[tag] = IFDRational(value) if tag != 296 else value
    src = tmp_path / "scan.jpg"
    gray().save(src, exif=exif)                          # JFIF density unit 0 (aspect ratio)
    with Image.open(src) as im:
        assert im.info.get("jfif_unit") == 0 and im.info.get("dpi") is not None
    img = load_image(src)
    assert img.metadata.dpi == expected
    for ext in (".png", ".tif", ".jpg"):
        _, out = export(tmp_path, small_colorizer, src, ext)
        assert metadata_of(out)[1:3] == ("ScannerCo", DATE)
        assert load_image(out).metadata.dpi == expected
        if ext != ".jpg":                                # (a JPEG read by Pillow says 72)
            assert metadata_of(out)[0] == (None if expected is None
                                           else tuple(round(v) for v in expected))
        with Image.open(out) as im:
            assert (282 in im.getexif()) == (expected is not None)       # nor in its EXIF


def test_exif_given_through_the_api_is_rewritten_for_the_export(tmp_path, small_colorizer):
    """A raw EXIF block handed to export_image (here a JPEG's, ``info["exif"]``, with a tiled
    TIFF's layout tags, Orientation 6, the stored size and a thumbnail) is rewritten as the
    loader's is: the file reads back, upright, with the export's size and resolution."""
    from net.image_io import ImageMetadata
    exif = scan_exif(6)
    exif[322], exif[323], exif[324], exif[325] = 16, 16, (8,), (100,)   # tiles
    exif[0x0131] = "ScanApp 2"
    exif.get_ifd(EXIF_IFD).update({0xA002: 60, 0xA003: 40})             # the stored size
    src = tmp_path / "raw.jpg"
    gray().save(src, exif=exif)
    with Image.open(src) as im:
        raw = im.info["exif"]
    session = small_colorizer.open(np.asarray(gray(40, 60)))
    for ext in (".tif", ".jpg", ".png", ".webp"):
        out = tmp_path / f"raw{ext}"
        export_image(out, session, HINTS, metadata=ImageMetadata(dpi=(600, 600), exif=raw))
        with Image.open(out) as im:
            im.load()                                                    # it reads back
            tags = im.getexif()
            assert tags.get(0x0131) == "ScanApp 2"
            assert not {322, 323, 324, 325} & set(tags), ext
            sizes = tags.get_ifd(EXIF_IFD).get(0xA002), tags.get_ifd(EXIF_IFD).get(0xA003)
            assert sizes == (40, 60), ext
            if ext != ".webp":
                assert tags.get(282) == 600 and tags.get(296) == 2, ext
        dpi, make, date, orientation, size = metadata_of(out)
        assert (make, date, size) == ("ScannerCo", DATE, (40, 60)), ext
        assert orientation in (1, None), ext
        if ext != ".webp":
            assert dpi == (600, 600), ext


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")                          # Pillow's
def test_an_export_leaves_the_process_s_warning_filters_alone(tmp_path):
    """The app exports in a worker thread, and the warning filters are the whole process's: an
    export with a damaged EXIF block (its Exif IFD pointer past the end) neither sets a filter
    nor saves and restores them, and still carries what is readable."""
    from net.image_io import ImageMetadata, save_image
    good = scan_exif(None).tobytes()
    ptr = struct.pack(">HHLL", EXIF_IFD, 4, 1, 0x30)
    assert ptr in good
    damaged = good.replace(ptr, ptr[:8] + struct.pack(">L", 0xFFF030))
    calls = []
    names = ("catch_warnings", "simplefilter", "filterwarnings", "resetwarnings")
    saved = {name: getattr(warnings, name) for name in names}
    for name in names:                       # (not monkeypatch: pytest's teardown uses them)
        setattr(warnings, name, lambda *a, _n=name, **k: calls.append(_n))
    rgb8 = np.asarray(gray(40, 60))
    try:
        for rgb in (rgb8, rgb8.astype(np.uint16) * 257):
            for ext in (".jpg", ".png", ".tif"):
                out = tmp_path / f"out{rgb.dtype}{ext}"
                save_image(out, rgb, metadata=ImageMetadata(dpi=(600, 600), exif=damaged))
    finally:
        for name, f in saved.items():
            setattr(warnings, name, f)
    assert calls == []
    for out in tmp_path.iterdir():
        dpi, make, date, orientation, size = metadata_of(out)
        assert (dpi, make, date, size) == ((600, 600), "ScannerCo", None, (40, 60)), out
        assert orientation in (1, None), out
