"""Attachments lose their metadata at upload (issue 14, item 7): real files of every accepted type,
carrying a canary name in EXIF/GPS, XMP, comments, PNG text chunks, PDF /Author and XMP, Office core,
app and custom properties and comment authors, ID3/APE tags and MP4 udta/©xyz/ilst atoms, go through
the real upload paths (API and web form); the canary is nowhere in the stored file nor in the bytes
staff download. The stored name carries the extension of the real type."""

from __future__ import annotations

import io
import struct
import zipfile

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from lapor.accounts.testing import submission_data, token_make
from lapor.reports import services as s
from lapor.reports.attachments import attachment_path
from lapor.reports.models import Attachment, Report

CANARY = "Wiradinata Sukarsih"
CANARY_FORMS = (b"Wiradinata", "Wiradinata".encode("utf-16-le"), "Wiradinata".encode("utf-16-be"))
XMP = (
    f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    f'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{CANARY}</dc:creator>'
    f"</rdf:Description></rdf:RDF></x:xmpmeta>"
)


def _has_canary(data: bytes) -> bool:
    return any(form in data for form in CANARY_FORMS)


# --- Real files, each with the canary in its metadata only --------------------------------------


def jpeg() -> bytes:
    img = Image.new("RGB", (48, 32), (20, 120, 200))
    exif = Image.Exif()
    exif[0x013B] = CANARY  # Artist
    exif[0x8825] = {1: "S", 2: (0.0, 27.0, 6.0), 3: "E", 4: (100.0, 24.0, 0.0)}  # GPS
    exif[0x0112] = 6  # orientation: rotated
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif, comment=f"difoto oleh {CANARY}", xmp=XMP.encode())
    return out.getvalue()


def png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", CANARY)
    info.add_itxt("Description", f"rumah {CANARY}", lang="id")
    info.add_text("XML:com.adobe.xmp", XMP, zip=True)
    out = io.BytesIO()
    Image.new("RGBA", (20, 20), (0, 200, 0, 128)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def webp() -> bytes:
    exif = Image.Exif()
    exif[0x013B] = CANARY
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (9, 9, 9)).save(out, format="WEBP", exif=exif, xmp=XMP.encode())
    return out.getvalue()


def pdf() -> bytes:
    doc = pikepdf.new()
    doc.add_blank_page()
    doc.docinfo["/Author"] = CANARY
    doc.docinfo["/Title"] = f"Laporan {CANARY}"
    with doc.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = [CANARY]
    out = io.BytesIO()
    doc.save(out, compress_streams=False)
    return out.getvalue()


def _office(main: str, parts: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        z.writestr(main, parts.pop(main))
        z.writestr(
            "docProps/core.xml",
            '<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:creator>{CANARY}</dc:creator><cp:lastModifiedBy>{CANARY}</cp:lastModifiedBy>"
            "</cp:coreProperties>",
        )
        z.writestr(
            "docProps/app.xml",
            '<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/'
            f'officeDocument/2006/extended-properties"><Company>{CANARY}</Company></Properties>',
        )
        z.writestr(
            "docProps/custom.xml",
            '<?xml version="1.0"?><Properties><property name="Pelapor">'
            f"<vt:lpwstr>{CANARY}</vt:lpwstr></property></Properties>",
        )
        z.writestr("docProps/thumbnail.jpeg", jpeg())
        for name, body in parts.items():
            z.writestr(name, body)
        z.comment = CANARY.encode()
    return out.getvalue()


def docx() -> bytes:
    return _office(
        "word/document.xml",
        {
            "word/document.xml": '<w:document xmlns:w="w"><w:body><w:p><w:ins w:id="1" w:author="'
            + CANARY
            + '"><w:r><w:t>Jalan rusak</w:t></w:r></w:ins></w:p></w:body></w:document>',
            "word/comments.xml": f'<w:comments xmlns:w="w"><w:comment w:id="0" w:author="{CANARY}" w:initials="WS"/>'
            "</w:comments>",
        },
    )


def xlsx() -> bytes:
    return _office(
        "xl/workbook.xml",
        {
            "xl/workbook.xml": '<workbook><sheets><sheet name="Data" sheetId="1"/></sheets></workbook>',
            "xl/comments1.xml": f"<comments><authors><author>{CANARY}</author></authors></comments>",
        },
    )


def pptx() -> bytes:
    return _office(
        "ppt/presentation.xml",
        {
            "ppt/presentation.xml": "<p:presentation xmlns:p='p'/>",
            "ppt/commentAuthors.xml": f'<p:cmAuthorLst xmlns:p="p"><p:cmAuthor id="0" name="x" initials="WS" '
            f'p:author="{CANARY}"/></p:cmAuthorLst>',
        },
    )


def mp3() -> bytes:
    import mutagen.apev2
    import mutagen.id3

    frame = b"\xff\xfb\x90\x64" + bytes(413)  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz: 417 bytes
    f = io.BytesIO(frame * 40)
    tags = mutagen.id3.ID3()
    tags.add(mutagen.id3.TPE1(encoding=3, text=[CANARY]))
    tags.add(mutagen.id3.TIT2(encoding=1, text=[f"rekaman {CANARY}"]))  # UTF-16
    tags.add(mutagen.id3.COMM(encoding=3, lang="ind", desc="", text=[CANARY]))
    tags.save(f, v1=2)  # ID3v2 at the start and ID3v1 at the end
    ape = mutagen.apev2.APEv2()
    ape["Artist"] = CANARY
    ape.save(f)
    return f.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _full(kind: bytes, payload: bytes, version: int = 0) -> bytes:
    return _box(kind, bytes([version, 0, 0, 0]) + payload)


def mp4(brand: bytes = b"isom") -> bytes:
    """ftyp, moov (mvhd, trak with tkhd/mdia/udta ©xyz, udta with ©xyz and meta/ilst ©nam), uuid XMP, mdat."""
    created = struct.pack(">II", 3_800_000_000, 3_800_000_001)
    mvhd = _full(b"mvhd", created + struct.pack(">II", 1000, 5000) + bytes(80))
    location = _box(b"\xa9xyz", struct.pack(">HH", 17, 0x15C7) + b"-00.4611+100.4009/")
    title = _box(b"\xa9nam", _box(b"data", struct.pack(">II", 1, 0) + f"Video {CANARY}".encode()))
    artist = _box(b"\xa9ART", _box(b"data", struct.pack(">II", 1, 0) + CANARY.encode()))
    hdlr_meta = _full(b"hdlr", bytes(4) + b"mdir" + b"appl" + bytes(9))
    meta = _full(b"meta", hdlr_meta + _box(b"ilst", title + artist))
    udta = _box(b"udta", location + meta + _box(b"\xa9aut", CANARY.encode()))
    tkhd = _full(b"tkhd", created + bytes(72))
    mdhd = _full(b"mdhd", created + struct.pack(">II", 1000, 5000) + bytes(4))
    hdlr = _full(b"hdlr", bytes(4) + b"vide" + bytes(12) + f"{CANARY}\0".encode())
    trak = _box(b"trak", tkhd + _box(b"mdia", mdhd + hdlr) + _box(b"udta", location))
    moov = _box(b"moov", mvhd + trak + udta)
    xmp = _box(b"uuid", bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC") + XMP.encode())
    ftyp = _box(b"ftyp", brand + bytes(4) + brand + b"mp42")
    return ftyp + moov + xmp + _box(b"mdat", bytes(64))


FILES = {  # name as sent, builder, expected type, expected extension
    "jpeg": ("foto.exe", jpeg, "image/jpeg", "jpg"),
    "png": ("denah.png", png, "image/png", "png"),
    "webp": ("foto.webp", webp, "image/webp", "webp"),
    "pdf": ("surat.pdf", pdf, "application/pdf", "pdf"),
    "docx": ("kronologi.doc", docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xlsx": ("data.xlsx", xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pptx": ("paparan.pptx", pptx, "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
    "mp3": ("rekaman.mp3", mp3, "audio/mpeg", "mp3"),
    "m4a": ("suara.m4a", lambda: mp4(b"M4A "), "audio/mp4", "m4a"),
    "mp4": ("video.mp4", mp4, "video/mp4", "mp4"),
}


def _anonymous_report(api, net) -> tuple[Report, str]:
    res = api.post(
        "/api/reports", submission_data(is_anonymous=True, guest_name="Warga", guest_email="w@contoh.example")
    )
    report = Report.objects.get(tracking_id=res.json()["tracking_id"])
    s.report_route(report=report, actor=s.Actor(user=net.user("platform")), agency=net.dept)
    return report, res.json()["guest_secret"]


def _staff_download(client, report: Report, att: Attachment, net) -> bytes:
    got = client.get(
        f"/api/reports/{report.tracking_id}/attachments/{att.pk}",
        HTTP_AUTHORIZATION=f"Bearer {token_make(net.user('liaison'))}",
    )
    assert got.status_code == 200
    return b"".join(got.streaming_content)


@pytest.mark.parametrize("kind", list(FILES))
def test_api_upload_stores_and_serves_the_file_without_its_metadata(kind, client, api, net):
    name, build, mime, ext = FILES[kind]
    original = build()
    assert _has_canary(original)  # the test file really carries the canary
    report, secret = _anonymous_report(api, net)
    res = client.post(
        f"/api/reports/{report.tracking_id}/attachments",
        {"file": SimpleUploadedFile(name, original)},
        HTTP_X_REPORT_SECRET=secret,
    )
    assert res.status_code == 201, res.content
    att = Attachment.objects.get()
    assert att.content_type == mime
    assert att.original_name == f"{name.rsplit('.', 1)[0]}.{ext}" and att.storage_name.endswith(f".{ext}")
    stored = attachment_path(att).read_bytes()
    assert not _has_canary(stored), kind
    served = _staff_download(client, report, att, net)
    assert served == stored and not _has_canary(served)
    _still_valid(kind, served)


def _still_valid(kind: str, data: bytes) -> None:
    """The cleaned file is still a file of its type."""
    if kind in ("jpeg", "png", "webp"):
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            assert not img.getexif() and not {"comment", "xmp", "Author", "Description"} & set(img.info)
            if kind == "jpeg":
                assert img.size == (32, 48)  # turned upright by the EXIF orientation before it was dropped
    elif kind == "pdf":
        with pikepdf.open(io.BytesIO(data)) as doc:
            assert len(doc.pages) == 1 and "/Metadata" not in doc.Root and not doc.docinfo.keys() - {"/Producer"}
    elif kind in ("docx", "xlsx", "pptx"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            assert z.testzip() is None and "[Content_Types].xml" in z.namelist()
    elif kind == "mp3":
        import mutagen.mp3

        audio = mutagen.mp3.MP3(io.BytesIO(data))
        assert not audio.tags and audio.info.bitrate == 128000
    else:
        import mutagen.mp4

        assert not mutagen.mp4.MP4(io.BytesIO(data)).tags
        assert data.endswith(_box(b"mdat", bytes(64)))  # media data where the offsets say


def test_web_form_upload_is_cleaned_too(client, net):
    res = client.post(
        "/lapor/",
        {
            "type": "complaint",
            "title": "Jalan berlubang",
            "body": "Lubang besar di jalan.",
            "guest_email": "warga@contoh.example",
            "is_anonymous": "on",
            "attachments": [
                SimpleUploadedFile("foto.jpg", jpeg(), content_type="image/jpeg"),
                SimpleUploadedFile("surat.pdf", pdf(), content_type="application/pdf"),
                SimpleUploadedFile("video.mp4", mp4(), content_type="video/mp4"),
            ],
        },
    )
    assert res.status_code == 302, res.content.decode()[:1000]
    report = Report.objects.get()
    s.report_route(report=report, actor=s.Actor(user=net.user("platform")), agency=net.dept)
    atts = list(Attachment.objects.filter(report=report))
    assert len(atts) == 3
    for att in atts:
        assert not _has_canary(attachment_path(att).read_bytes())
        assert not _has_canary(_staff_download(client, report, att, net))


@pytest.mark.parametrize(
    "data,code",
    [
        (pdf()[:400], "pdf_invalid"),
        (mp4()[:60] + b"\xff" * 40, "media_invalid"),
        (b"PK\x03\x04" + b"\x00" * 26 + b"word/document.xml" + b"\x00" * 50, "office_invalid"),
    ],
)
def test_a_file_that_cannot_be_cleaned_is_refused_in_the_users_language(client, api, net, data, code):
    report, secret = _anonymous_report(api, net)
    res = client.post(
        f"/api/reports/{report.tracking_id}/attachments",
        {"file": SimpleUploadedFile("x.bin", data)},
        HTTP_X_REPORT_SECRET=secret,
    )
    assert res.status_code == 400 and res.json()["code"] == code, res.content
    assert "rusak" in res.json()["message"]
    res = client.post(
        f"/api/reports/{report.tracking_id}/attachments",
        {"file": SimpleUploadedFile("x.bin", data)},
        HTTP_X_REPORT_SECRET=secret,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert res.status_code == 400 and "damaged" in res.content.decode()
    assert Attachment.objects.count() == 0


def test_an_encrypted_pdf_is_refused(client, api, net):
    doc = pikepdf.new()
    doc.add_blank_page()
    doc.docinfo["/Author"] = CANARY
    out = io.BytesIO()
    doc.save(out, encryption=pikepdf.Encryption(owner="a", user="b"))
    report, secret = _anonymous_report(api, net)
    res = client.post(
        f"/api/reports/{report.tracking_id}/attachments",
        {"file": SimpleUploadedFile("x.pdf", out.getvalue())},
        HTTP_X_REPORT_SECRET=secret,
    )
    assert res.status_code == 400 and res.json()["code"] == "pdf_encrypted"


def test_the_web_form_refuses_a_file_that_cannot_be_cleaned_with_a_message(client, net):
    res = client.post(
        "/lapor/",
        {
            "type": "complaint",
            "title": "Jalan berlubang",
            "body": "Lubang besar di jalan.",
            "guest_email": "warga@contoh.example",
            "attachments": [SimpleUploadedFile("surat.pdf", pdf()[:400])],
        },
    )
    assert res.status_code == 400
    assert "PDF rusak atau tidak dapat dibaca." in res.content.decode()
    assert not Report.objects.exists() and not Attachment.objects.exists()


def test_the_command_cleans_files_stored_before_uploads_were_cleaned(client, api, net):
    import hashlib
    from io import StringIO

    from django.core.management import call_command

    report, secret = _anonymous_report(api, net)
    client.post(
        f"/api/reports/{report.tracking_id}/attachments",
        {"file": SimpleUploadedFile("a.pdf", pdf())},
        HTTP_X_REPORT_SECRET=secret,
    )
    att = Attachment.objects.get()
    attachment_path(att).write_bytes(pdf())  # as an older version stored it: with its metadata
    out = StringIO()
    call_command("attachments_clean", stdout=out)
    assert "dibersihkan: 1," in out.getvalue()
    stored = attachment_path(att).read_bytes()
    att.refresh_from_db()
    assert not _has_canary(stored) and att.size == len(stored) and att.sha256 == hashlib.sha256(stored).hexdigest()
    call_command("attachments_clean", stdout=out)
    assert "sudah bersih: 1" in out.getvalue()
