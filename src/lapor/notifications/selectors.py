"""Reads of the outbox for other rooms."""

from __future__ import annotations

import re
import uuid

from .models import OutboxMessage

MESSAGE_ID = re.compile(r"<([^<>@\s]+)@[^<>\s]+>")


def email_thread_report(header_values: list[str]) -> tuple[int, str] | None:
    """(report id, recipient) of the newest of our e-mails named in a reply's In-Reply-To or
    References (Message-IDs we sent: ``<delivery id@domain>``), or None."""
    ids = []
    for value in header_values:
        for local in MESSAGE_ID.findall(value or ""):
            try:
                ids.append(uuid.UUID(local))
            except ValueError:
                continue
    if not ids:
        return None
    row = (
        OutboxMessage.objects.filter(delivery_id__in=ids[-50:], channel="email", report__isnull=False)
        .order_by("-created_at", "-id")
        .values_list("report_id", "recipient")
        .first()
    )
    return (row[0], row[1]) if row else None
