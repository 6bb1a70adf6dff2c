"""Reads shared by Open311, the partner API and federation: a report's status as outsiders see it."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from lapor.reports import lifecycle as lc
from lapor.reports.models import Message, Report

CLOSED_STATES = (lc.State.DONE, lc.State.ARCHIVED)


def open311_status(state: str) -> str:
    """GeoReport v2 knows two statuses; every state still moving is "open"."""
    return "closed" if state in CLOSED_STATES else "open"


def with_status_notes(qs: QuerySet[Report]) -> QuerySet[Report]:
    """Annotate the latest public follow-up (tindak lanjut) in the same query."""
    latest = (
        Message.objects.filter(report=OuterRef("pk"), kind=Message.Kind.FOLLOW_UP)
        .order_by("-created_at", "-id")
        .values("body")[:1]
    )
    return qs.annotate(status_notes=Subquery(latest))


def report_status_notes(report: Report) -> str:
    notes = getattr(report, "status_notes", None)
    if notes is None:
        notes = (
            Message.objects.filter(report=report, kind=Message.Kind.FOLLOW_UP)
            .order_by("-created_at", "-id")
            .values_list("body", flat=True)
            .first()
        )
    return notes or ""


def report_status(report: Report) -> dict:
    """What a partner or a peer hears about a report: no reporter identity, no internal notes."""
    return {
        "tracking_id": report.tracking_id,
        "state": report.state,
        "state_label": str(lc.State(report.state).label),
        "status": open311_status(report.state),
        "agency": report.agency.name if report.agency_id else None,
        "status_notes": report_status_notes(report),
        "due_at": report.due_at.isoformat() if report.due_at else None,
        "updated_at": report.updated_at.isoformat() if report.updated_at else None,
    }
