"""Files the reporter sends at the origin about a report a peer holds travel to the peer inside the
signed relay body (``relay.py``), base64-encoded, and are stored there through the peer's own
attachment rules (reports/attachments.py: type judged by the bytes, size limit, metadata cleaned).

Why in the body and not a download link the peer fetches: one signed call carries the reply and its
files, applied together (or not at all) and once per relay id; a dead letter retried days later
still carries them (no link to expire); the origin opens no new door and the peer fetches no
address named in a payload. The price is a bigger body, so what one relay carries is capped at one
upload's size (``LAPOR_MAX_UPLOAD_BYTES``); a file beyond the cap stays at the origin.

The doors store a reply's files right after the reply, in its transaction (e-mail, WhatsApp): the
reply's relay is still pending in the outbox then, and each file joins its body. A reporter's file
that comes on its own (the API), or after the reply's relay went out, travels as a step of its own
(``attach``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from lapor.core.errors import DomainError, ValidationFailed
from lapor.notifications.models import OutboxMessage
from lapor.reports.attachments import attachment_add, attachment_path
from lapor.reports.models import Attachment, Message, Report, ReportEvent
from lapor.reports.projection import lens_agency
from lapor.reports.services import Actor

from .models import FederationLink

ATTACH = "attach"


def carry_max() -> int:
    """What one relay may carry in files (raw bytes): one upload's worth."""
    return settings.LAPOR_MAX_UPLOAD_BYTES


def body_max(base: int) -> int:
    """The largest relay body a peer accepts: the usual cap plus the files in base64."""
    return base + carry_max() * 4 // 3 + 4096


# --- At the origin ----------------------------------------------------------------------------------


def reporter_attachment(event: ReportEvent) -> Attachment | None:
    """The reporter's public file an attachment event recorded (None: not one that travels)."""
    if event.kind != ReportEvent.Kind.ATTACHMENT or not event.is_public:
        return None
    return Attachment.objects.filter(
        pk=(event.data or {}).get("attachment_id"), report_id=event.report_id, is_internal=False
    ).first()


def attachment_item(att: Attachment, report: Report) -> dict | None:
    """The file as it travels; None when it cannot (gone from storage, or over the cap alone). The
    name passes the agency's lens (an anonymous reporter's name in it is masked); the bytes were
    cleaned of metadata when they were stored."""
    try:
        data = attachment_path(att).read_bytes()
    except OSError:
        return None
    if len(data) > carry_max():
        return None
    return {
        "name": lens_agency(report).text(att.original_name)[:200],
        "content_type": att.content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "data": base64.b64encode(data).decode("ascii"),
    }


def carried(payload: dict) -> int:
    return sum(int(item.get("size") or 0) for item in payload.get("attachments") or [])


def reply_relay_join(event: ReportEvent, att: Attachment, link: FederationLink) -> bool:
    """Add the file to its reply's relay when that relay is still waiting in the outbox (written in
    this transaction: no worker has read it). True when the file is taken care of that way."""
    if att.message_id is None:
        return False
    reply_event = (
        ReportEvent.objects.filter(
            report_id=event.report_id,
            kind=ReportEvent.Kind.MESSAGE,
            data__message_id=att.message_id,
            data__message_kind=Message.Kind.REPLY,
        )
        .values_list("pk", flat=True)
        .first()
    )
    if reply_event is None:
        return False
    row = (
        OutboxMessage.objects.select_for_update()
        .filter(
            dedupe_key=f"federation:reporter:{link.pk}:{reply_event}",
            status=OutboxMessage.Status.PENDING,
            attempts=0,
        )
        .first()
    )
    if row is None:
        return False
    item = attachment_item(att, event.report)
    if item is not None and carried(row.payload) + item["size"] <= carry_max():
        row.payload = {**row.payload, "attachments": [*(row.payload.get("attachments") or []), item]}
        row.save(update_fields=["payload"])
    return True  # joined, or beyond the cap: it stays here either way


# --- At the peer ----------------------------------------------------------------------------------


def _invalid(index: int):
    return ValidationFailed(
        _("Lampiran ke-%(n)d tidak valid.") % {"n": index + 1},
        code="invalid_attachment",
        detail={"field": "attachments", "index": index},
    )


def relay_files(payload: dict) -> list[tuple[str, bytes]]:
    """The files of a relay as (name, bytes), checked against their size and hash; a malformed
    list is refused (400 ``invalid_attachment``) before anything is applied."""
    items = payload.get("attachments") or []
    if not isinstance(items, list):
        raise _invalid(0)
    files, total = [], 0
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("data"), str) or not isinstance(item.get("name"), str):
            raise _invalid(index)
        try:
            data = base64.b64decode(item["data"], validate=True)
        except (binascii.Error, ValueError):
            raise _invalid(index) from None
        digest = item.get("sha256")
        if digest is not None and digest != hashlib.sha256(data).hexdigest():
            raise _invalid(index)
        total += len(data)
        if total > carry_max():
            raise ValidationFailed(
                _("Lampiran terlalu besar."), code="file_too_large", detail={"field": "attachments", "index": index}
            )
        files.append((item["name"], data))
    return files


def relay_files_store(*, report: Report, actor: Actor, files: list[tuple[str, bytes]], message=None) -> list[str]:
    """Store the files as the reporter's, each through our attachment rules; a file our rules
    refuse (its type, its size, too many files) is left out and named in the answer, the rest of the
    step stands (as the e-mail door does)."""
    skipped = []
    for name, data in files:
        try:
            with transaction.atomic():
                attachment_add(report=report, actor=actor, name=name, data=data, message=message)
        except DomainError as exc:
            skipped.append(f"{name[:80]}: {exc.code}")
    return skipped
