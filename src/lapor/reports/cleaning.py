"""Metadata removal for every accepted attachment type, at upload: only the cleaned file is stored, so
nobody but the reporter (who has the original) ever sees a camera's GPS position, an author's name or
a recording's location.

- Images (JPEG, PNG, WebP): decoded and re-encoded from the pixels alone (EXIF — after applying its
  orientation —, XMP, IPTC, ICC, comments, PNG text chunks all dropped); decompression bombs refused.
- PDF (pikepdf): the document information dictionary (/Author, /Title, /Creator, …) and every XMP
  metadata stream removed, the file rewritten (earlier revisions of an incrementally saved file go).
- Office files (DOCX, XLSX, PPTX): the zip rewritten: core, app and custom properties replaced by empty
  ones, authors of comments and tracked changes blanked, the thumbnail dropped, entry dates, comments
  and extra fields reset.
- MP4/M4A (ISO BMFF): every ``udta``, ``meta`` and ``uuid`` box (iTunes tags, ©xyz location, XMP,
  titles) is overwritten in place by a ``free`` box of the same size (no offset changes, so the media
  data stays valid), creation/modification times in mvhd/tkhd/mdhd and handler names zeroed; mutagen then confirms no
  tags remain.
- MP3 (mutagen): ID3v1, ID3v2 and APEv2 tags removed.

A file that cannot be parsed, or is encrypted, is refused (ValidationFailed, 400), never stored as is.
"""

from __future__ import annotations

import io
import re
import struct
import warnings
import zipfile
from typing import NoReturn

from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from lapor.core.errors import ValidationFailed

IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
MAX_PIXELS = 40_000_000
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
OFFICE_TYPES = (DOCX, XLSX, PPTX)
ISO_BMFF_TYPES = ("video/mp4", "audio/mp4")
MAX_OFFICE_ENTRIES = 5000
MAX_OFFICE_UNPACKED = 200 * 1024 * 1024


def _refuse(message: str, code: str = "file_not_cleanable") -> NoReturn:
    raise ValidationFailed(message, code=code)


def metadata_remove(data: bytes, mime: str) -> bytes:
    """The file without its metadata; refuses (ValidationFailed) what cannot be cleaned."""
    if mime in IMAGE_TYPES:
        return image_clean(data, mime)
    if mime == "application/pdf":
        return pdf_clean(data)
    if mime in OFFICE_TYPES:
        return office_clean(data)
    if mime in ISO_BMFF_TYPES:
        return mp4_clean(data)
    if mime == "audio/mpeg":
        return mp3_clean(data)
    _refuse(_("Metadata berkas jenis ini tidak dapat dihapus, jadi berkas tidak diterima."))


# --- Images ------------------------------------------------------------------------------------


def image_clean(data: bytes, mime: str) -> bytes:
    """Decode and re-encode from the pixels: nothing of the original file's metadata is carried over."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.width * img.height > MAX_PIXELS:
                    raise ValidationFailed(_("Gambar terlalu besar."), code="image_too_large")
                img.load()
                upright = ImageOps.exif_transpose(img)  # keep the photo the right way up without its EXIF
                fmt = IMAGE_TYPES[mime]
                clean = upright.convert("RGB") if fmt == "JPEG" and upright.mode not in ("RGB", "L") else upright.copy()
                transparency = clean.info.get("transparency") if fmt == "PNG" else None
                clean.info.clear()  # comment, exif, xmp, icc_profile, dpi, PNG text chunks …
                out = io.BytesIO()
                options = {"quality": 88} if fmt == "JPEG" else {"lossless": True} if fmt == "WEBP" else {}
                if transparency is not None:
                    options["transparency"] = transparency
                clean.save(out, format=fmt, **options)
                return out.getvalue()
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationFailed(_("Gambar terlalu besar."), code="image_too_large") from None
    except Exception as exc:  # corrupt or disguised image
        raise ValidationFailed(_("Gambar rusak atau tidak dapat dibaca."), code="image_invalid") from exc


# --- PDF ---------------------------------------------------------------------------------------


def pdf_clean(data: bytes) -> bytes:
    import pikepdf  # heavy: pikepdf only when cleaning a PDF

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if pdf.is_encrypted:
                _refuse(
                    _("PDF terenkripsi tidak dapat dibersihkan dari metadata. Kirim PDF tanpa kata sandi."),
                    "pdf_encrypted",
                )
            if "/Info" in pdf.trailer:
                del pdf.trailer["/Info"]
            for obj in pdf.objects:  # the catalogue's, pages', images' and fonts' XMP streams
                if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                    for key in ("/Metadata", "/PieceInfo"):
                        if key in obj:
                            del obj[key]
            out = io.BytesIO()
            pdf.save(out, fix_metadata_version=False, deterministic_id=True)
            return out.getvalue()
    except ValidationFailed:
        raise
    except pikepdf.PasswordError as exc:
        raise ValidationFailed(
            _("PDF terenkripsi tidak dapat dibersihkan dari metadata. Kirim PDF tanpa kata sandi."),
            code="pdf_encrypted",
        ) from exc
    except Exception as exc:
        raise ValidationFailed(_("PDF rusak atau tidak dapat dibaca."), code="pdf_invalid") from exc


# --- Office files ------------------------------------------------------------------------------

CORE_EMPTY = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    b'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
)
APP_EMPTY = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
)
CUSTOM_EMPTY = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
)
REPLACED = {"docprops/core.xml": CORE_EMPTY, "docprops/app.xml": APP_EMPTY, "docprops/custom.xml": CUSTOM_EMPTY}
# who wrote a comment or a tracked change (Word), a threaded comment's person (Excel, PowerPoint)
AUTHOR_ATTRS = re.compile(rb'\b((?:w|w15|p|p15)?:?(?:author|initials|userId|providerId|displayName))="[^"]*"')
AUTHOR_PARTS = re.compile(
    r"^(word/(comments|commentsExtended|commentsIds|commentsExtensible|people|document|footnotes|"
    r"endnotes|header\d*|footer\d*)\.xml|xl/comments\d*\.xml|xl/persons/.*\.xml|"
    r"xl/threadedComments/.*\.xml|ppt/commentAuthors\.xml|ppt/authors\.xml|ppt/comments/.*\.xml)$",
    re.IGNORECASE,
)
XL_AUTHOR = re.compile(rb"<author>[^<]*</author>")


def office_clean(data: bytes) -> bytes:
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
        infos = source.infolist()
        if len(infos) > MAX_OFFICE_ENTRIES or sum(i.file_size for i in infos) > MAX_OFFICE_UNPACKED:
            _refuse(_("Berkas Office terlalu besar setelah dibuka."), "file_too_large")
        if any(i.flag_bits & 0x1 for i in infos):
            _refuse(_("Berkas Office terenkripsi tidak dapat dibersihkan dari metadata."), "office_encrypted")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
            for info in infos:
                if info.is_dir():
                    continue
                name = info.filename
                lower = name.lower()
                if lower.startswith("docprops/thumbnail"):
                    body = b""  # a picture of the first page, with its own metadata: emptied
                elif lower in REPLACED:
                    body = REPLACED[lower]
                else:
                    body = source.read(info)
                    if AUTHOR_PARTS.match(name):
                        body = AUTHOR_ATTRS.sub(rb'\1=""', body)
                        body = XL_AUTHOR.sub(b"<author></author>", body)
                entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.external_attr = 0o644 << 16
                target.writestr(entry, body)
        return out.getvalue()
    except ValidationFailed:
        raise
    except Exception as exc:  # not a zip, a corrupt one, an unsupported compression
        raise ValidationFailed(_("Berkas Office rusak atau tidak dapat dibaca."), code="office_invalid") from exc


# --- MP4 / M4A (ISO base media file format) -----------------------------------------------------

CONTAINERS = {b"moov", b"trak", b"edts", b"mdia", b"minf", b"dinf", b"stbl", b"mvex", b"moof", b"traf", b"mfra"}
STRIPPED = {b"udta", b"meta", b"uuid", b"xml ", b"ID32"}  # tags, ©xyz location, titles, XMP
TIMED = {b"mvhd", b"tkhd", b"mdhd"}  # creation and modification time


def _boxes(buf: bytearray, start: int, end: int):
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", buf[pos : pos + 8])
        header = 8
        if size == 1:
            if pos + 16 > end:
                raise ValueError("truncated box")
            size = struct.unpack(">Q", buf[pos + 8 : pos + 16])[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise ValueError("bad box size")
        yield pos, size, header, kind
        pos += size
    if pos != end and end - pos >= 8:
        raise ValueError("trailing bytes")


def _mp4_walk(buf: bytearray, start: int, end: int, depth: int = 0) -> None:
    if depth > 12:
        raise ValueError("nested too deep")
    for pos, size, header, kind in _boxes(buf, start, end):
        if kind in STRIPPED:
            # a free box of the same size: every chunk offset in stco/co64 stays right
            if header == 16:
                buf[pos : pos + 16] = struct.pack(">I4sQ", 1, b"free", size)
            else:
                buf[pos : pos + 8] = struct.pack(">I4s", size, b"free")
            buf[pos + header : pos + size] = bytes(size - header)
        elif kind in TIMED and size >= header + 4:
            version = buf[pos + header]
            width = 8 if version == 1 else 4
            first = pos + header + 4
            if first + 2 * width <= pos + size:
                buf[first : first + 2 * width] = bytes(2 * width)
        elif kind == b"hdlr" and size > header + 24:
            buf[pos + header + 24 : pos + size] = bytes(size - header - 24)  # the handler's free-text name
        elif kind in CONTAINERS:
            _mp4_walk(buf, pos + header, pos + size, depth + 1)


def mp4_clean(data: bytes) -> bytes:
    import mutagen.mp4  # heavy: mutagen only when cleaning audio

    try:
        buf = bytearray(data)
        _mp4_walk(buf, 0, len(buf))
        cleaned = bytes(buf)
        if not any(kind == b"moov" for _p, _s, _h, kind in _boxes(buf, 0, len(buf))):
            raise ValueError("no moov box")
        if mutagen.mp4.MP4(io.BytesIO(cleaned)).tags:  # a parser of its own finds nothing left
            raise ValueError("tags remain")
        return cleaned
    except Exception as exc:
        raise ValidationFailed(_("Berkas video/audio rusak atau tidak dapat dibaca."), code="media_invalid") from exc


# --- MP3 ---------------------------------------------------------------------------------------


def mp3_clean(data: bytes) -> bytes:
    import mutagen.apev2  # heavy: mutagen only when cleaning audio
    import mutagen.id3  # heavy: mutagen only when cleaning audio
    import mutagen.mp3  # heavy: mutagen only when cleaning audio

    try:
        f = io.BytesIO(data)
        mutagen.mp3.MP3(f)  # a real MP3 stream, not just a tag
        for _round in range(3):  # tags can be stacked at the end in any order (ID3v1 before APEv2 …)
            f.seek(0)
            mutagen.id3.delete(f, delete_v1=True, delete_v2=True)
            f.seek(0)
            try:
                mutagen.apev2.delete(f)
            except mutagen.apev2.APENoHeaderError:
                pass
            cleaned = f.getvalue()
            audio = mutagen.mp3.MP3(io.BytesIO(cleaned))
            if not audio.tags and cleaned[-128:-125] != b"TAG":
                break
        else:
            raise ValueError("tags remain")
        return cleaned
    except Exception as exc:
        raise ValidationFailed(_("Berkas video/audio rusak atau tidak dapat dibaca."), code="media_invalid") from exc
