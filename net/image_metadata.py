"""What an export carries over from the photo it was made from: the resolution and the EXIF block.

For a scanned print the resolution gives the print's size, and the EXIF block holds the scanner
or camera and the dates an archive files the photo by. :func:`net.image_io.load_image` reads
both into ``LoadedImage.metadata`` (:func:`read_metadata`), and :func:`net.image_io.save_image`
writes them where the file type holds them:

====  ==========================  ====================================================
type  resolution                  EXIF
====  ==========================  ====================================================
JPEG  JFIF density                APP1 (up to 64 KB; a larger block is left out)
PNG   pHYs                        eXIf (8 bits: Pillow; 16 bits: both chunks added here)
TIFF  tags (16 bits: whole dpi)   IFD0 tags, Exif and GPS IFDs (:func:`add_tiff_exif`)
WebP  -- (no such field)          EXIF chunk
BMP   pixels per metre            -- (no such field)
====  ==========================  ====================================================

The EXIF block is rewritten for the export (:func:`clean_exif`): Orientation 1 (the loader
already turned the pixels upright, so a viewer must not turn them again), the resolution tags
set to the resolution above, the pixel dimensions set to the upright photo's, and no thumbnail
(it would show the old gray picture). Tags that describe how a TIFF's pixels are stored (strips,
tiles, compression, sample format...), colour descriptions, XMP, IPTC and Photoshop blocks are
not carried. The loader rewrites the photo's EXIF so, and :func:`checked` rewrites whatever
block an export is given the same way again (the rewriting changes nothing the second time), so
a raw block handed in through the API (``Image.open(f).info["exif"]``) is made fit too.

A JPEG's resolution is its JFIF density when that has a unit, else its EXIF resolution tags,
else none (Pillow's 72 dpi for a JPEG without one is not the photo's); a TIFF's is its tags.

No ICC profile is carried: the loader keeps a photo's pixel values as they are, but the colours
the model adds are sRGB ones, and a gray or CMYK profile cannot describe an RGB export at all.

Metadata that cannot be read or written never fails a load or an export: it is left out with a
warning in the log. Nothing here changes the process's warning filters (loads and exports run
in worker threads, and the filters are global): Pillow's own warnings about a damaged block go
where Python sends warnings.
"""
from __future__ import annotations

import logging
import math
import struct
import zlib
from dataclasses import dataclass

log = logging.getLogger(__name__)

EXIF_HEADER = b"Exif\x00\x00"
MAX_JPEG_EXIF = 65533                  # an APP1 segment's payload
MAX_DPI = 65535.0                      # JPEG's JFIF density is 16 bits

ORIENTATION, X_RES, Y_RES, RES_UNIT = 0x0112, 0x011A, 0x011B, 0x0128
EXIF_IFD, GPS_IFD, INTEROP_IFD = 0x8769, 0x8825, 0xA005
PIXEL_X, PIXEL_Y = 0xA002, 0xA003
# IFD0 tags that are not carried: how a TIFF's pixels are stored (a TIFF's EXIF is its image
# directory), colour descriptions of the source, and blocks of other metadata standards.
_NOT_CARRIED = frozenset({
    254, 255, 256, 257, 258, 259, 262, 263, 264, 265, 266, 273, 277, 278, 279, 280, 281, 284,
    288, 289, 290, 291, 292, 293, 297, 301, 317, 318, 319, 320, 321, 322, 323, 324, 325, 330,
    332, 333, 334, 336, 337, 338, 339, 340, 341, 342, 347, 512, 513, 514, 515, 517, 518, 519,
    520, 521, 529, 530, 531, 532, 559, 700, 33723, 34377, 34675, 34732, 37724,
    ORIENTATION, X_RES, Y_RES, RES_UNIT})


@dataclass(frozen=True)
class ImageMetadata:
    """The metadata an export of a photo carries (see the module's table)."""

    dpi: tuple[float, float] | None = None   # horizontal, vertical, of the upright photo
    exif: bytes | None = None                # b"Exif\\0\\0" + TIFF block (rewritten on export)


NO_METADATA = ImageMetadata()


# ---------------------------------------------------------------------------------- reading
def read_metadata(img, exif, orientation: int, size: tuple[int, int], name: str) -> ImageMetadata:
    """The metadata of the Pillow image ``img``: its resolution and its EXIF ``exif``
    (``img.getexif()`` through :func:`preload_ifds`, None when unreadable), for the photo made
    upright from EXIF ``orientation``, ``size`` = (width, height) upright. Never raises."""
    try:
        dpi = _read_dpi(img, exif, orientation)
    except Exception as e:  # noqa: BLE001 - metadata never fails a load
        log.warning("%s: its resolution is unreadable and is left out of exports (%s)", name, e)
        dpi = None
    block = None
    if exif is not None:
        try:
            dropped: list[int] = []
            block = clean_exif(exif, dpi, size, dropped)
            if dropped:
                log.warning("%s: EXIF tags %s are damaged and left out of exports", name,
                            ", ".join(f"0x{t:04X}" for t in dropped))
        except Exception as e:  # noqa: BLE001
            log.warning("%s: its EXIF data is unreadable and is left out of exports (%s)", name, e)
    return ImageMetadata(dpi, block)


def preload_ifds(exif):
    """``exif`` (a Pillow ``Exif``) with its Exif, GPS and Interop IFDs read into it, while the
    file is open (Pillow reads them lazily; a TIFF's file is closed once its pixels are read)."""
    for tag in (EXIF_IFD, GPS_IFD, INTEROP_IFD):
        try:
            if tag in exif or (tag == INTEROP_IFD and tag in exif.get_ifd(EXIF_IFD)):
                exif.get_ifd(tag)
        except Exception:  # noqa: BLE001, S110 - read_metadata says what is unreadable
            pass
    return exif


def _valid_dpi(dpi) -> tuple[float, float] | None:
    """Two positive finite numbers up to 65535 (a value within 0.013 of a whole number taken as
    that number: PNG and BMP store whole pixels per metre, 0.0254 dpi apart), else None."""
    if dpi is None:
        return None
    x, y = (float(v) for v in dpi)
    out = []
    for v in (x, y):
        if not (math.isfinite(v) and 0 < v <= MAX_DPI):
            raise ValueError(f"resolution {v} dpi")
        out.append(float(round(v)) if abs(v - round(v)) < 0.013 and round(v) > 0 else v)
    return out[0], out[1]


def _read_dpi(img, exif, orientation: int) -> tuple[float, float] | None:
    tags = getattr(img, "tag_v2", None)
    if tags is not None:                 # TIFF: its resolution tags (Pillow says 1 dpi if none)
        dpi = _tags_dpi(tags)
    elif img.format in ("JPEG", "MPO") and img.info.get("jfif_unit") not in (1, 2):
        # no JFIF density in inches or cm: the EXIF's resolution tags (Pillow says 72 dpi when
        # the EXIF has none, and reads only the horizontal one)
        dpi = _tags_dpi(exif) if exif is not None else None
    else:
        dpi = img.info.get("dpi")
    dpi = _valid_dpi(dpi)
    if dpi is not None and orientation in (5, 6, 7, 8):  # turned a quarter: across is down
        dpi = dpi[1], dpi[0]
    return dpi


def _tags_dpi(tags) -> tuple[float, float] | None:
    """The resolution in TIFF/EXIF tags ``tags`` (a mapping), None when they hold none."""
    if X_RES not in tags or Y_RES not in tags:
        return None
    unit = tags.get(RES_UNIT, 2)         # inches when not given
    if unit not in (2, 3):               # 1: no absolute unit
        return None
    scale = 2.54 if unit == 3 else 1.0
    return float(tags[X_RES]) * scale, float(tags[Y_RES]) * scale


def clean_exif(exif, dpi, size, dropped: list[int]) -> bytes | None:
    """The EXIF block an export writes (see the module's docstring) from ``exif`` (a Pillow
    ``Exif``, its IFDs read: :func:`preload_ifds`), for resolution ``dpi`` and ``size`` =
    (width, height) (None: the pixel dimensions are kept); None when nothing in ``exif`` is worth
    carrying. The tags Pillow cannot write are added to ``dropped``. Run on its own output, it
    gives the same block."""
    from PIL import Image
    from PIL.TiffImagePlugin import IFDRational

    out = Image.Exif()
    out.endian = exif.endian
    for tag, value in exif.items():
        if tag not in _NOT_CARRIED and tag not in (EXIF_IFD, GPS_IFD):
            if _writable(tag, value, dropped=dropped):
                out[tag] = value
    sub = {}
    for tag in (EXIF_IFD, GPS_IFD):
        d = _writable_ifd(exif.get_ifd(tag), tag, dropped) if tag in exif else {}
        if tag == EXIF_IFD:
            d.pop(INTEROP_IFD, None)
            interop = exif.get_ifd(INTEROP_IFD) if INTEROP_IFD in exif.get_ifd(EXIF_IFD) else {}
            interop = _writable_ifd(interop, INTEROP_IFD, dropped)
            if interop:
                d[INTEROP_IFD] = interop
            for t, v in zip((PIXEL_X, PIXEL_Y), size or ()):
                if t in d:
                    d[t] = v
        if d:
            sub[tag] = d
    if not len(out) and not sub:
        return None
    for tag, d in sub.items():
        out[tag] = d
    out[ORIENTATION] = 1
    if dpi is not None:
        out[X_RES], out[Y_RES], out[RES_UNIT] = IFDRational(dpi[0]), IFDRational(dpi[1]), 2
    block = out.tobytes()
    Image.Exif().load(block)             # it reads back
    return block


def _writable(tag: int, value, group: int | None = None,
              dropped: list[int] | None = None) -> bool:
    """Whether Pillow can write this one tag (a damaged file's value may not fit its type): the
    tags it cannot are left out one by one (and listed in ``dropped``), not the whole block."""
    from PIL.TiffImagePlugin import ImageFileDirectory_v2

    try:
        if isinstance(value, dict):
            raise TypeError("a sub-IFD where none belongs")
        ifd = ImageFileDirectory_v2(group=group)
        ifd[tag] = value
        ifd.tobytes()
        return True
    except Exception:  # noqa: BLE001
        if dropped is not None:
            dropped.append(tag)
        return False


def _writable_ifd(ifd, group: int, dropped: list[int]) -> dict:
    return {t: v for t, v in ifd.items() if t == INTEROP_IFD or _writable(t, v, group, dropped)}


# ---------------------------------------------------------------------------------- writing
def checked(metadata, size: tuple[int, int] | None = None) -> ImageMetadata:
    """``metadata`` (an :class:`ImageMetadata`, or None) as an export of ``size`` = (width,
    height) writes it: its EXIF block rewritten for the export (:func:`clean_exif`, whether it is
    the loader's or a raw one given through the API), and what is malformed left out with a
    warning: an export never fails over its metadata."""
    if metadata is None:
        return NO_METADATA
    try:
        dpi = _valid_dpi(getattr(metadata, "dpi", None))
    except Exception as e:  # noqa: BLE001
        log.warning("the resolution %r is left out of the export (%s)",
                    getattr(metadata, "dpi", None), e)
        dpi = None
    exif = getattr(metadata, "exif", None) or None
    if exif is not None:
        try:
            dropped: list[int] = []
            exif = clean_exif(_parsed_exif(exif), dpi, size, dropped)
            if dropped:
                log.warning("EXIF tags %s are damaged and left out of the export",
                            ", ".join(f"0x{t:04X}" for t in dropped))
        except Exception as e:  # noqa: BLE001
            log.warning("the EXIF data is malformed and is left out of the export (%s)", e)
            exif = None
    return ImageMetadata(dpi, exif)


def _parsed_exif(block):
    """The EXIF block ``block`` (with or without its b"Exif\\0\\0" header) as a Pillow ``Exif``
    with its IFDs read. Raises when it is no EXIF block or holds no tag Pillow can read (Pillow
    skips a damaged tag or IFD with a warning; what it skips is not carried)."""
    from PIL import Image

    block = bytes(block)
    if block[:4] in (b"II*\x00", b"MM\x00*"):
        block = EXIF_HEADER + block
    if not block.startswith(EXIF_HEADER):
        raise ValueError("no EXIF header")
    exif = Image.Exif()
    exif.load(block)                     # SyntaxError: not a TIFF structure
    if not len(exif):
        raise ValueError("no readable tag")
    return preload_ifds(exif)


def pillow_options(fmt: str, md: ImageMetadata) -> dict:
    """Pillow ``save`` options that write ``md`` in ``fmt`` (a TIFF's EXIF is added after:
    :func:`add_tiff_exif`)."""
    opts = {}
    if md.dpi is not None and fmt in ("JPEG", "PNG", "TIFF", "BMP"):
        opts["dpi"] = md.dpi
    if md.exif is not None and fmt in ("JPEG", "PNG", "WEBP"):
        if fmt == "JPEG" and len(md.exif) > MAX_JPEG_EXIF:
            log.warning("the EXIF data (%d bytes) does not fit in a JPEG and is left out",
                        len(md.exif))
        else:
            opts["exif"] = md.exif
    return opts


def cv2_tiff_params(md: ImageMetadata) -> list[int]:
    """OpenCV ``imencode`` parameters for a 16-bit TIFF's resolution (whole dpi)."""
    import cv2

    if md.dpi is None or min(round(v) for v in md.dpi) < 1:
        return []
    return [cv2.IMWRITE_TIFF_RESUNIT, 2, cv2.IMWRITE_TIFF_XDPI, round(md.dpi[0]),
            cv2.IMWRITE_TIFF_YDPI, round(md.dpi[1])]


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_chunks(md: ImageMetadata) -> bytes:
    """pHYs and eXIf chunks for ``md``, to go right after a PNG's IHDR (OpenCV, which writes the
    16-bit PNGs, writes neither)."""
    out = b""
    if md.dpi is not None:
        ppm = [int(v / 0.0254 + 0.5) for v in md.dpi]
        out += _png_chunk(b"pHYs", struct.pack(">IIB", ppm[0], ppm[1], 1))
    if md.exif is not None:
        out += _png_chunk(b"eXIf", md.exif[len(EXIF_HEADER):])
    return out


def add_tiff_exif(path, exif: bytes) -> None:
    """Add the EXIF block ``exif`` to the TIFF file ``path`` in place, for the writers that cannot
    (libtiff through Pillow refuses the Exif IFD; OpenCV has no EXIF): its tags and sub-IFDs are
    appended with a copy of the first IFD that lists them, and the header points at that copy.
    The pixels do not move; tags the file has already (structure, resolution) are kept.
    A failure leaves the file as it was, with a warning; only an error of the disk is raised."""
    try:
        new_ifd = _tiff_exif_patch(path, exif)
    except Exception as e:  # noqa: BLE001
        log.warning("the EXIF data is left out of %s (%s)", getattr(path, "name", path), e)
        return
    if new_ifd is None:
        return
    tail, at, endian = new_ifd
    with open(path, "r+b") as f:
        f.seek(0, 2)
        f.write(tail)
        f.seek(4)
        f.write(struct.pack(endian + "L", at))


def _tiff_exif_patch(path, exif: bytes):
    """(bytes to append, offset of the new first IFD, byte order) for :func:`add_tiff_exif`."""
    from PIL import Image

    with open(path, "rb") as f:
        head = f.read(8)
        endian = {b"II*\x00": "<", b"MM\x00*": ">"}.get(head[:4])
        if endian is None:
            raise ValueError("not a classic TIFF")
        f.seek(struct.unpack(endian + "L", head[4:8])[0])
        (n,) = struct.unpack(endian + "H", f.read(2))
        raw = f.read(12 * n + 4)
        end = f.seek(0, 2)
    if len(raw) != 12 * n + 4:
        raise ValueError("truncated first IFD")
    entries = {struct.unpack(endian + "H", raw[12 * i:12 * i + 2])[0]: raw[12 * i:12 * i + 12]
               for i in range(n)}
    block = Image.Exif()
    block.load(exif)                     # a block clean_exif wrote: Pillow reads it whole
    for tag in (EXIF_IFD, GPS_IFD):
        if tag in block:
            block[tag] = dict(block.get_ifd(tag))
            if tag == EXIF_IFD and INTEROP_IFD in block[tag]:
                block[tag][INTEROP_IFD] = dict(block.get_ifd(INTEROP_IFD))
    for tag in list(block):
        if tag in entries:
            del block[tag]
    if not len(block):
        return None
    block.endian = endian
    pad = end & 1
    start = end + pad
    ifd = block.tobytes(start)[len(EXIF_HEADER) + 8:]    # an IFD placed at ``start``
    (m,) = struct.unpack(endian + "H", ifd[:2])
    for i in range(m):
        rec = ifd[2 + 12 * i:14 + 12 * i]
        entries.setdefault(struct.unpack(endian + "H", rec[:2])[0], rec)
    gap = (start + len(ifd)) & 1
    at = start + len(ifd) + gap
    if at + 2 + 12 * len(entries) + 4 > 0xFFFFFFFF:
        raise ValueError("the file is too large for classic TIFF offsets")
    first = struct.pack(endian + "H", len(entries)) + b"".join(
        entries[t] for t in sorted(entries)) + raw[12 * n:]
    return b"\0" * pad + ifd + b"\0" * gap + first, at, endian
