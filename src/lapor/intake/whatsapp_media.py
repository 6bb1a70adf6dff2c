"""WhatsApp media (``intake.whatsapp``): which files of a message are fetched and kept.

A file is fetched from the Cloud API's media endpoint before the message's transaction (a slow
Graph call holds no lock) and stored through ``reports.attachments.attachment_add``, whose rules
decide (type from the bytes, metadata removed, size limit). A type those rules do not allow, as
WhatsApp declares it, is not fetched at all: a voice note (OGG/Opus, no metadata cleaner) or a
document of another type; the citizen is told why (``Media.refused``).
"""

from __future__ import annotations

import urllib.error
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

from lapor.core.errors import DomainError
from lapor.notifications.whatsapp import GraphError, media_fetch
from lapor.reports.attachments import ALLOWED

if TYPE_CHECKING:
    from .whatsapp import WaMessage

MEDIA_TYPES = ("image", "document", "audio")  # fetched from the media endpoint and kept as attachments


class MediaUnavailable(DomainError):
    """The Cloud API could not give us a photo right now: answered 502, so Meta delivers again."""

    status = 502
    code = "media_unavailable"


@dataclass
class Media:
    """A file of a message: its bytes, or why it cannot be kept (told to the citizen)."""

    data: bytes
    mime: str
    name: str
    refused: str = ""


def message_media(msg: WaMessage) -> list[Media]:
    """The message's file, fetched before the transaction (a slow Graph call holds no lock); a
    type the attachment rules do not allow, as WhatsApp declares it, is not fetched at all."""
    if msg.type not in MEDIA_TYPES or not msg.media_id:
        return []
    name = media_name(msg.type, msg.filename)
    refused = _refusal(msg)
    if refused:
        return [Media(b"", msg.mime, name, refused)]
    return [media_get(msg.media_id, name)]


def media_name(kind: str, filename: str = "") -> str:
    """The name a file is stored under (attachments.py gives it the extension of its real type)."""
    return filename or {"image": "foto-whatsapp.jpg", "audio": "rekaman-whatsapp"}.get(kind, "berkas-whatsapp")


def _refusal(msg: WaMessage) -> str:
    declared = msg.mime.split(";")[0].strip().lower()
    if msg.type == "audio" and declared not in ALLOWED:
        # a voice note (audio/ogg; codecs=opus): not an attachment type (no metadata cleaner for it)
        return _(
            "Maaf, pesan suara tidak dapat kami simpan. Mohon tuliskan laporan atau tanggapan Anda sebagai teks "
            "(rekaman MP3/M4A dapat dikirim sebagai berkas)."
        )
    if msg.type == "document" and declared not in ("", "application/octet-stream") and declared not in ALLOWED:
        return _(
            "Berkas %(name)s tidak dapat dilampirkan: jenis berkas tidak diizinkan. Kirim PDF, foto (JPG/PNG/WebP), "
            "DOCX, XLSX atau PPTX."
        ) % {"name": msg.filename or "-"}
    return ""


def media_get(media_id: str | dict, name: str = "") -> Media:
    if isinstance(media_id, dict):  # a file kept by the guided flow: {"id", "name"}
        media_id, name = str(media_id.get("id", "")), str(media_id.get("name", ""))
    name = name or media_name("image")
    try:
        data, mime = media_fetch(media_id, max_bytes=settings.LAPOR_MAX_UPLOAD_BYTES)
    except GraphError as exc:
        if exc.status >= 500 or exc.status == 429:
            raise MediaUnavailable(_("Foto belum dapat diambil dari WhatsApp; coba lagi.")) from None
        if exc.status == 413:  # the media endpoint's file_size is over the upload limit
            return Media(b"", "", name, _too_large(name))
        return Media(
            b"", "", name, _("Berkas %(name)s tidak dapat diambil dari WhatsApp. Kirim ulang.") % {"name": name}
        )
    except (urllib.error.URLError, TimeoutError, OSError):
        raise MediaUnavailable(_("Foto belum dapat diambil dari WhatsApp; coba lagi.")) from None
    return Media(data, mime, name)


def _too_large(name: str) -> str:
    return _("Berkas %(name)s terlalu besar (maksimal %(mb)d MB) dan tidak dilampirkan.") % {
        "name": name,
        "mb": settings.LAPOR_MAX_UPLOAD_BYTES // 1048576,
    }
