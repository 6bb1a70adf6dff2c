"""A calendar decree moves the deadlines of many open reports at once (reports/calendar.py: one
``deadline_moved`` event per report, bulk-inserted, ``events_recorded`` sent once with them all;
the per-event receivers are not called). The outsiders who follow those reports hear it the way
they hear every public change, one signed webhook per moved report carrying the new ``due_at``:
a partner its ``report.updated`` (``kind: "deadline_moved"``), the origin deployment of a report
we hold its ``report.status`` (``sequence`` = the event). Written in the decree's transaction with
one INSERT per thousand reports (``outbox_enqueue_many``), and a handful of reads per thousand.

A report we forwarded to a peer has its clock held here (``due_at`` empty), and the peer keeps
its own calendar: nothing of ours to tell it."""

from __future__ import annotations

from django.db.models import Q

from lapor.notifications.services import OutboxItem, outbox_enqueue_many
from lapor.reports.models import Channel, Report, ReportEvent

from .federation import peer_url, status_payload
from .models import FederationLink, Partner, PartnerReport
from .partners import partner_payload
from .selectors import with_status_notes

BATCH = 1000


def deadline_moves_notify(events: list[ReportEvent]) -> int:
    """Queue the webhooks for the reports a decree moved; returns how many were offered."""
    moved = [event for event in events if event.kind == ReportEvent.Kind.DEADLINE_MOVED]
    if not moved:
        return 0
    partners = {p.user_id: p for p in Partner.objects.filter(is_active=True).exclude(webhook_url="")}
    offered = 0
    for start in range(0, len(moved), BATCH):
        by_report = {event.report_id: event for event in moved[start : start + BATCH]}
        offered += outbox_enqueue_many(items=_items(by_report, partners))
    return offered


def _items(by_report: dict[int, ReportEvent], partners: dict[int, Partner]) -> list[OutboxItem]:
    followed = Q(reporter_id__in=list(partners)) | Q(channel=Channel.FEDERATION)
    reports = {
        report.pk: report
        for report in with_status_notes(Report.objects.filter(followed, pk__in=list(by_report))).select_related(
            "agency"
        )
    }
    if not reports:
        return []
    for report in reports.values():  # no follow-up yet is known too: no query per report
        report.status_notes = report.status_notes or ""  # type: ignore[attr-defined]
    refs = dict(PartnerReport.objects.filter(report_id__in=list(reports)).values_list("report_id", "external_ref"))
    items = []
    for pk, report in reports.items():
        partner, event = partners.get(report.reporter_id), by_report[pk]
        if partner is not None:
            items.append(
                OutboxItem(
                    channel="webhook",
                    recipient=partner.webhook_url,
                    payload=partner_payload(event, report, refs.get(pk, "")),
                    dedupe_key=f"partner:{partner.pk}:event:{event.pk}",
                    report_id=pk,
                    secret=partner.webhook_secret,
                )
            )
    held = [pk for pk, report in reports.items() if report.channel == Channel.FEDERATION]
    for link in FederationLink.objects.filter(
        report_id__in=held, direction=FederationLink.Direction.INBOUND, peer__is_active=True
    ).select_related("peer"):
        event = by_report[link.report_id]
        items.append(
            OutboxItem(
                channel="webhook",
                recipient=peer_url(link.peer, "/federation/status"),
                payload=status_payload(link, reports[link.report_id], event),
                dedupe_key=f"federation:status:{link.pk}:{event.pk}",
                report_id=link.report_id,
                secret=link.peer.secret,
            )
        )
    return items
