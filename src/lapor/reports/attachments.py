"""Attachments: size-limited, type checked from the content (never the name), cleaned of metadata
before they are stored (cleaning.py: EXIF/GPS, XMP, comments, authors, tags and location atoms; a
file that cannot be cleaned is refused), named with the extension of their real type, stored under
random names outside the web root."""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path

import filetype
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lapor.core.errors import PermissionDenied, ValidationFailed

from . import lifecycle as lc
from .cleaning import metadata_remove
from .models import Attachment, Message, Report, ReportEvent
from .services import Actor, actor_roles, event_record, report_lock, report_reply

# The accepted types (sniffed from the content) and the extension a file of that type is stored and
# shown under, whatever the sender named it ("foto.exe" holding a JPEG is "foto.jpg"). Each one has a
# metadata cleaner (cleaning.py): a type without one is not accepted.
ALLOWED = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "video/mp4": "mp4",
    "audio/mp4": "m4a",
    "audio/mpeg": "mp3",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
}


def storage_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def attachment_path(att: Attachment) -> Path:
    return storage_root() / att.storage_name[:2] / att.storage_name


def _sniff(data: bytes) -> str:
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime not in ALLOWED:
        raise ValidationFailed(
            _(
                "Jenis berkas tidak diizinkan. Kirim foto (JPG/PNG/WebP), PDF, video MP4, "
                "rekaman suara (MP3/M4A), DOCX, XLSX atau PPTX."
            ),
            code="file_type_not_allowed",
        )
    return kind.mime


def _safe_name(name: str, ext: str) -> str:
    """The sender's file name, cleaned, with the extension of the file's real type."""
    base = os.path.basename((name or "").replace("\\", "/")).replace("\x00", "")
    cleaned = "".join(ch for ch in base if ch.isalnum() or ch in "._- ")[:120].strip(". ")
    stem = cleaned.rsplit(".", 1)[0].strip(". ") if "." in cleaned else cleaned
    return f"{stem or 'lampiran'}.{ext}"


def attachment_add(
    *, report: Report, actor: Actor, name: str, data: bytes, message: Message | None = None, internal: bool = False
) -> Attachment:
    """Validate and store an uploaded file; the DB row and the audit event commit together, and
    the file is removed again if the transaction fails."""
    if len(data) > settings.LAPOR_MAX_UPLOAD_BYTES:
        raise ValidationFailed(
            _("Berkas terlalu besar (maksimal %(mb)d MB).") % {"mb": settings.LAPOR_MAX_UPLOAD_BYTES // 1048576},
            code="file_too_large",
        )
    if not data:
        raise ValidationFailed(_("Berkas kosong."), code="file_empty")
    mime = _sniff(data)
    data = metadata_remove(data, mime)  # only the cleaned file is ever stored
    storage_name = f"{secrets.token_hex(16)}.{ALLOWED[mime]}"
    path = storage_root() / storage_name[:2] / storage_name
    try:
        with transaction.atomic():
            report = report_lock(report)
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
                report=report,
                message=message,
                storage_name=storage_name,
                original_name=_safe_name(name, ALLOWED[mime]),
                content_type=mime,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                uploaded_by=actor.user,
                is_internal=internal and lc.REPORTER not in roles,
                created_at=timezone.now(),
            )
            event_record(
                report,
                kind=ReportEvent.Kind.ATTACHMENT,
                actor=actor,
                roles=roles,
                is_public=not att.is_internal,
                data={"attachment_id": att.pk, "content_type": mime, "size": att.size},
            )
            return att
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise ValidationFailed(
            _("Lampiran tidak dapat disimpan saat ini. Coba lagi nanti."), code="storage_unavailable"
        ) from exc
    except Exception:
        path.unlink(missing_ok=True)
        raise


@transaction.atomic
def report_reply_with_files(
    *, report: Report, actor: Actor, body: str, files: Sequence[tuple[str, Callable[[], bytes]]] = ()
) -> Message:
    """The reporter's reply (``services.report_reply``) and the files sent with it, each through
    ``attachment_add`` (the same limits, type check and metadata cleaning as the submit form): all of
    it or nothing. A refused file names itself in the message, and ``detail["index"]`` says which
    one it was (the web form gives the other files back). Files stored here, in the reply's
    transaction, ride the reply's relay to a peer holding the report (partners/relay_files.py)."""
    if len(files) > settings.LAPOR_MAX_ATTACHMENTS:
        raise ValidationFailed(
            _("Paling banyak %(n)d lampiran.") % {"n": settings.LAPOR_MAX_ATTACHMENTS},
            code="too_many_files",
            detail={"field": "attachments"},
        )
    message = report_reply(report=report, actor=actor, body=body)
    for index, (name, read) in enumerate(files):
        try:
            attachment_add(report=report, actor=actor, name=name, data=read(), message=message)
        except ValidationFailed as exc:
            shown = os.path.basename((name or "").replace("\\", "/"))[:120] or _("Lampiran")
            raise ValidationFailed(
                f"{shown}: {exc.message}", code=exc.code, detail={"field": "attachments", "index": index}
            ) from exc
    return message
