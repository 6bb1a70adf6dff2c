"""Partner systems: an agency's own complaint app, another city's channel. They submit through
the integration API and hear back about every public change of their reports on a signed webhook."""

from __future__ import annotations

import contextvars
import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lapor.accounts.models import User
from lapor.core.errors import NotFound, PermissionDenied
from lapor.reports import services
from lapor.reports.models import Message, Report, ReportEvent

from .models import Partner, PartnerReport
from .selectors import deadline_moved_out, report_status

# (partner id, external_ref) of the submission under way in this context
_submitting: contextvars.ContextVar[tuple[int, str] | None] = contextvars.ContextVar(
    "lapor_partner_submitting", default=None
)
REPLY_REPEAT_WINDOW = dt.timedelta(hours=24)


def partner_for(user: User | None) -> Partner:
    partner = Partner.objects.filter(user=user, is_active=True).first() if user is not None else None
    if partner is None:
        raise PermissionDenied(_("Token ini bukan milik sistem mitra yang aktif."), code="not_a_partner")
    return partner


@transaction.atomic
def partner_report_submit(
    *, partner: Partner, data: dict, external_ref: str = "", key: str = ""
) -> services.SubmitResult:
    """File a report for a partner; the partner's service user is the reporter of record (the
    citizen's contact stays with the partner). A retry with the same Idempotency-Key returns the
    first report."""
    data = {**data, "channel": data.get("channel") or partner.default_channel}
    request_hash = services.idempotency_hash({**data, "external_ref": external_ref})
    # The first webhooks (submitted, and route when routed on arrival) fire inside report_submit,
    # before the link below exists: they read the partner's reference from here.
    token = _submitting.set((partner.pk, external_ref))
    try:
        result = services.report_submit_once(
            submission=services.Submission(**data),
            reporter=partner.user,
            key=key,
            request_hash=request_hash,
            owner=f"partner:{partner.pk}",
        )
    finally:
        _submitting.reset(token)
    PartnerReport.objects.get_or_create(
        report=result.report, defaults={"partner": partner, "external_ref": external_ref}
    )
    return result


def partner_report_get(*, partner: Partner, tracking_id: str) -> Report:
    report = (
        Report.objects.select_related("agency", "topic", "region", "partner_link")
        .filter(tracking_id=tracking_id, reporter=partner.user)
        .first()
    )
    if report is None:
        raise NotFound(_("Laporan tidak ditemukan."))
    return report


def partner_report_out(report: Report) -> dict:
    link = getattr(report, "partner_link", None)
    return {**report_status(report), "external_ref": link.external_ref if link else "", "rating": report.rating}


@transaction.atomic
def partner_report_reply(*, partner: Partner, report: Report, body: str) -> tuple[Message, bool]:
    """The citizen's answer, relayed by the partner: the same service as a reporter's own reply
    (a follow-up answered goes back to the agency, with its deadline). Returns the message and
    whether it is new: the same text again within a day is a retry and adds nothing."""
    actor = services.Actor(user=partner.user)
    since = timezone.now() - REPLY_REPEAT_WINDOW
    earlier = (
        Message.objects.filter(report=report, kind=Message.Kind.REPLY, author=partner.user, created_at__gte=since)
        .order_by("-created_at", "-id")
        .first()
    )
    if earlier is not None and earlier.body.strip() == (body or "").strip():
        return earlier, False
    return services.report_reply(report=report, actor=actor, body=body), True


@transaction.atomic
def partner_report_rate(
    *, partner: Partner, report: Report, rating: int, comment: str = "", satisfied: bool = True
) -> Report:
    """The citizen's rating, relayed by the partner. A report still waiting for the citizen's answer
    (followed up) is first accepted as done, as the citizen does on the tracking page; "not
    satisfied" reopens it (once), with the comment as the reason."""
    return services.report_rate_sent(
        report=report, actor=services.Actor(user=partner.user), rating=rating, comment=comment, reopen=not satisfied
    )


def partner_payload(event: ReportEvent, report: Report, external_ref: str) -> dict:
    """The body of a partner's ``report.updated`` webhook for one public event."""
    payload = {
        "event": "report.updated",
        "event_id": event.pk,
        "kind": event.kind,
        "action": event.action,
        "occurred_at": (event.created_at or timezone.now()).isoformat(),
        "external_ref": external_ref,
        "report": report_status(report),
    }
    if event.kind == ReportEvent.Kind.DEADLINE_MOVED:
        payload["deadline_moved"] = deadline_moved_out(event)
    return payload


def partner_event_notify(event: ReportEvent) -> None:
    """Queue the signed status webhook for a public change of a partner's report (in the
    transaction that made the change: no change, no webhook; a change, a webhook)."""
    report = event.report
    if not event.is_public or not report.reporter_id:
        return
    partner = Partner.objects.filter(user_id=report.reporter_id, is_active=True).first()
    if partner is None or not partner.webhook_url:
        return
    link = PartnerReport.objects.filter(report=report).only("external_ref").first()
    submitting = _submitting.get()
    if link is not None:
        external_ref = link.external_ref
    elif submitting is not None and submitting[0] == partner.pk:
        external_ref = submitting[1]  # the report is being filed: the link is written right after
    else:
        external_ref = ""
    from lapor.notifications.services import outbox_enqueue  # the outbox owns delivery

    outbox_enqueue(
        channel="webhook",
        recipient=partner.webhook_url,
        payload=partner_payload(event, report, external_ref),
        report=report,
        dedupe_key=f"partner:{partner.pk}:event:{event.pk}",
        secret=partner.webhook_secret,
    )
