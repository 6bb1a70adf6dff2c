"""A reporter who lost their private link asks for it again: it is sent to the contact on file,
never shown on the page. The answer is the same whether or not the tracking number and contact
matched, so the form tells nobody who filed what."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lapor.accounts.phones import phone_normalize
from lapor.reports.models import Report, tracking_id_normalize

from .models import OutboxMessage
from .notify import reporter_targets, target_items
from .services import outbox_enqueue_many

log = logging.getLogger(__name__)


def resend_limit_per_day() -> int:
    return int(settings.LAPOR_LINK_RESEND_PER_DAY)


def _matches(channel: str, recipient: str, contact: str) -> bool:
    if channel == "email":
        return "@" in contact and recipient.strip().lower() == contact.strip().lower()
    if channel == "sms":
        return phone_normalize(contact) is not None and recipient == phone_normalize(contact)
    return False


@transaction.atomic
def report_link_resend(*, tracking_id: str, contact: str, now: dt.datetime | None = None) -> bool:
    """Send the report's private link to ``contact`` if it is the reporter's e-mail or phone on file
    (at most LAPOR_LINK_RESEND_PER_DAY times a day per report). Returns whether a message was
    written; callers answer the same either way."""
    now = now or timezone.now()
    report = (
        Report.objects.filter(tracking_id=tracking_id_normalize(tracking_id or ""))
        .select_related("reporter", "agency")
        .first()
    )
    if report is None or not (contact or "").strip():
        return False
    targets = [t for t in reporter_targets(report) if _matches(t[0], t[1], contact)]
    if not targets:
        return False
    prefix = f"resend:{report.pk}:"
    sent_today = OutboxMessage.objects.filter(
        report_id=report.pk, dedupe_key__startswith=prefix, created_at__gte=now - dt.timedelta(days=1)
    ).count()
    if sent_today >= resend_limit_per_day():
        log.info("link resend for report %s refused: daily limit", report.pk)
        return False
    key = f"{prefix}{now:%Y%m%d%H%M%S%f}"
    return outbox_enqueue_many(items=target_items("link_resent", report, targets[:1], key, {})) > 0
