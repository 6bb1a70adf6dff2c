"""A calendar decree moves the deadlines of many open reports at once (reports/calendar.py: one
``deadline_moved`` event per report, bulk-inserted, ``events_recorded`` sent once with them all;
the per-event receivers are not called). The outsiders who follow those reports hear it the way
they hear every public change, one signed webhook per moved report carrying the new ``due_at``:
a partner its ``report.updated`` (``kind: "deadline_moved"``), the origin deployment of a report
we hold its ``report.status`` (``sequence`` = the event). Written in the decree's transaction with
one INSERT per thousand webhooks (``outbox_enqueue_many``) and two reads, however many moved.

A report we forwarded to a peer has its clock held here (``due_at`` empty), and the peer keeps
its own calendar: nothing of ours to tell it. The other way round, the ``report.status`` we send
the origin carries our new ``status.due_at``, which the origin keeps as the peer's deadline
(``federation._peer_due_store``) and shows its reporter and staff."""

from __future__ import annotations

from django.db.models import Q

from lapor.notifications.services import OutboxItem, outbox_enqueue_many
from lapor.reports.models import Channel, Report, ReportEvent

from .federation import peer_url, status_payload
from .models import FederationLink
from .partners import partner_payload
from .selectors import with_status_notes

BATCH = 1000


def deadline_moves_notify(events: list[ReportEvent]) -> int:
    """Queue the webhooks for the reports a decree moved; returns how many were offered. One read
    finds the followed reports among them (by the range of the decree's event ids: no list of
    thousands of ids in a query), one more their inbound links when some came from a peer."""
    moved = {event.report_id: event for event in events if event.kind == ReportEvent.Kind.DEADLINE_MOVED}
    if not moved:
        return 0
    ids = [event.pk for event in moved.values()]
    followed = Q(reporter__partner__is_active=True) | Q(channel=Channel.FEDERATION)
    reports = {
        report.pk: report
        for report in with_status_notes(
            Report.objects.filter(
                followed, events__kind=ReportEvent.Kind.DEADLINE_MOVED, events__pk__range=(min(ids), max(ids))
            )
        ).select_related("agency", "reporter__partner", "partner_link")
        if report.pk in moved
    }
    items = _partner_items(reports, moved) + _origin_items(reports, moved)
    return sum(outbox_enqueue_many(items=items[i : i + BATCH]) for i in range(0, len(items), BATCH))


def _partner_items(reports: dict[int, Report], moved: dict[int, ReportEvent]) -> list[OutboxItem]:
    items = []
    for pk, report in reports.items():
        partner = getattr(report.reporter, "partner", None) if report.reporter_id else None
        if partner is None or not partner.is_active or not partner.webhook_url:
            continue
        link = getattr(report, "partner_link", None)
        report.status_notes = report.status_notes or ""  # type: ignore[attr-defined]  # none yet: no query
        event = moved[pk]
        items.append(
            OutboxItem(
                channel="webhook",
                recipient=partner.webhook_url,
                payload=partner_payload(event, report, link.external_ref if link else ""),
                dedupe_key=f"partner:{partner.pk}:event:{event.pk}",
                report_id=pk,
                secret=partner.webhook_secret,
            )
        )
    return items


def _origin_items(reports: dict[int, Report], moved: dict[int, ReportEvent]) -> list[OutboxItem]:
    held = [pk for pk, report in reports.items() if report.channel == Channel.FEDERATION]
    if not held:
        return []
    items = []
    for link in FederationLink.objects.filter(
        report_id__in=held, direction=FederationLink.Direction.INBOUND, peer__is_active=True
    ).select_related("peer"):
        report, event = reports[link.report_id], moved[link.report_id]
        report.status_notes = report.status_notes or ""  # type: ignore[attr-defined]
        items.append(
            OutboxItem(
                channel="webhook",
                recipient=peer_url(link.peer, "/federation/status"),
                payload=status_payload(link, report, event),
                dedupe_key=f"federation:status:{link.pk}:{event.pk}",
                report_id=link.report_id,
                secret=link.peer.secret,
            )
        )
    return items
