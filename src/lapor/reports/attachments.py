"""Attachments: size-limited, type checked from the content (never the name), photos
re-encoded without EXIF (no hidden GPS position), stored under random names outside the web root."""
from __future__ import annotations

import hashlib
import io
import os
import secrets
import warnings
from pathlib import Path

import filetype
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from lapor.core.errors import PermissionDenied, ValidationFailed

from . import lifecycle as lc
from .models import Attachment, Message, Report, ReportEvent
from .services import Actor, _event, _locked, actor_roles

ALLOWED = {
    "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp",
    "application/pdf": "pdf", "video/mp4": "mp4",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
MAX_PIXELS = 40_000_000


def storage_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def attachment_path(att: Attachment) -> Path:
    return storage_root() / att.storage_name[:2] / att.storage_name


def _sniff(data: bytes) -> str:
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime not in ALLOWED:
        raise ValidationFailed(_("Jenis berkas tidak diizinkan. Kirim foto (JPG/PNG/WebP), PDF, MP4, DOCX atau XLSX."),
                               code="file_type_not_allowed")
    return kind.mime


def _strip_image(data: bytes, mime: str) -> bytes:
    """Decode and re-encode: drops EXIF (GPS position) and refuses decompression bombs."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.width * img.height > MAX_PIXELS:
                    raise ValidationFailed(_("Gambar terlalu besar."), code="image_too_large")
                img.load()
                out = io.BytesIO()
                fmt = IMAGE_TYPES[mime]
                clean = img.convert("RGB") if fmt == "JPEG" and img.mode not in ("RGB", "L") else img
                clean.save(out, format=fmt, **({"quality": 88} if fmt == "JPEG" else {}))
                return out.getvalue()
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationFailed(_("Gambar terlalu besar."), code="image_too_large")
    except Exception as exc:  # corrupt or disguised image
        raise ValidationFailed(_("Gambar rusak atau tidak dapat dibaca."), code="image_invalid") from exc


def _safe_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).replace("\x00", "")
    cleaned = "".join(ch for ch in base if ch.isalnum() or ch in "._- ")[:120].strip(". ")
    return cleaned or "lampiran"


def attachment_add(*, report: Report, actor: Actor, name: str, data: bytes, message: Message | None = None,
                   internal: bool = False) -> Attachment:
    """Validate and store an uploaded file; the DB row and the audit event commit together, and
    the file is removed again if the transaction fails."""
    if len(data) > settings.LAPOR_MAX_UPLOAD_BYTES:
        raise ValidationFailed(_("Berkas terlalu besar (maksimal %(mb)d MB).") % {"mb": settings.LAPOR_MAX_UPLOAD_BYTES // 1048576},
                               code="file_too_large")
    if not data:
        raise ValidationFailed(_("Berkas kosong."), code="file_empty")
    mime = _sniff(data)
    if mime in IMAGE_TYPES:
        data = _strip_image(data, mime)
    storage_name = f"{secrets.token_hex(16)}.{ALLOWED[mime]}"
    path = storage_root() / storage_name[:2] / storage_name
    try:
        with transaction.atomic():
            report = _locked(report)
            roles = actor_roles(report, actor)
            if not roles & {lc.REPORTER, lc.PLATFORM_ADMIN, lc.AGENCY_ADMIN, lc.LIAISON, lc.UNIT_STAFF}:
                raise PermissionDenied(_("Anda tidak boleh menambah lampiran pada laporan ini."))
            if report.is_closed:
                raise ValidationFailed(_("Laporan sudah ditutup."), code="closed")
            if Attachment.objects.filter(report=report).count() >= settings.LAPOR_MAX_ATTACHMENTS * 4:
                raise ValidationFailed(_("Terlalu banyak lampiran."), code="too_many_files")
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "xb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            att = Attachment.objects.create(
                report=report, message=message, storage_name=storage_name, original_name=_safe_name(name),
                content_type=mime, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                uploaded_by=actor.user, is_internal=internal and lc.REPORTER not in roles, created_at=timezone.now(),
            )
            _event(report, kind=ReportEvent.Kind.ATTACHMENT, actor=actor, roles=roles, is_public=not att.is_internal,
                   data={"attachment_id": att.pk, "content_type": mime, "size": att.size})
            return att
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise ValidationFailed(_("Lampiran tidak dapat disimpan saat ini. Coba lagi nanti."), code="storage_unavailable") from exc
    except Exception:
        path.unlink(missing_ok=True)
        raise
