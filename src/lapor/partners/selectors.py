"""Reads shared by Open311, the partner API and federation: a report's status as outsiders see it."""

from __future__ import annotations

import uuid

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KT

from lapor.accounts.models import ApiToken
from lapor.notifications.models import OutboxMessage
from lapor.reports import lifecycle as lc
from lapor.reports.models import Message, Report, ReportEvent

from .models import FederationLink, Partner, Peer

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


def deadline_moved_out(event: ReportEvent) -> dict:
    """A calendar decree's move of a report's deadlines (reports/calendar.py), as outsiders read it:
    the decree, the date it changed, and each clock's old and new deadline."""
    data = event.data or {}
    return {
        "decree": event.reason,
        "calendar_date": data.get("calendar_date"),
        **{clock: data[clock] for clock in ("due_at", "completion_due_at") if clock in data},
    }


# --- Set-up pages (web/views/partners_setup.py): lists and recent webhook deliveries ---------------

DELIVERIES_SHOWN = 20
LIST_SHOWN = 200  # a deployment has a handful of partners and peers; a page never grows unbounded


def partner_list() -> QuerySet[Partner]:
    return Partner.objects.select_related("user").order_by("name")


def peer_list() -> QuerySet[Peer]:
    return Peer.objects.select_related("agency").order_by("name")


def _deliveries_q(owner: Partner | Peer) -> Q:
    """The outbox rows of a partner (keyed by it) or of a peer (addressed to its doors now, or
    keyed by one of its links: those queued before its address changed)."""
    if isinstance(owner, Partner):
        return Q(channel="webhook", dedupe_key__startswith=f"partner:{owner.pk}:")
    base = owner.base_url.rstrip("/")
    now = Q(recipient__startswith=base + "/federation/")
    before = Q(dedupe_key__startswith="federation:", report__federation_links__peer=owner)
    return Q(channel="webhook") & (now | before)


# the few payload fields that say what a webhook was about (partners/deliveries.delivery_event)
DELIVERY_FIELDS = {
    "p_event": KT("payload__event"),
    "p_type": KT("payload__type"),
    "p_kind": KT("payload__kind"),
    "p_action": KT("payload__action"),
    "p_state": KT("payload__report__state"),
    "p_status_state": KT("payload__status__state"),
}


def delivery_list(owner: Partner | Peer, *, failed: bool = False) -> list[OutboxMessage]:
    """The newest webhooks to a partner or a peer (only the failed ones with ``failed``), each with
    the payload fields of ``DELIVERY_FIELDS`` (not the payload: a relay may carry files)."""
    qs = OutboxMessage.objects.filter(_deliveries_q(owner)).defer("secret", "payload").distinct()
    if failed:
        qs = qs.filter(status__in=[OutboxMessage.Status.RETRY, OutboxMessage.Status.DEAD])
    qs = qs.annotate(**DELIVERY_FIELDS)
    return list(qs.select_related("report").order_by("-id")[:DELIVERIES_SHOWN])


def delivery_owned(owner: Partner | Peer, delivery_id: str) -> bool:
    try:
        key = uuid.UUID(str(delivery_id))
    except ValueError:
        return False
    return OutboxMessage.objects.filter(_deliveries_q(owner), delivery_id=key).exists()


def peer_links(peer: Peer, *, limit: int = DELIVERIES_SHOWN) -> list[FederationLink]:
    """The newest reports forwarded to or received from a peer, with their state there."""
    return list(
        FederationLink.objects.filter(peer=peer).select_related("report").order_by("-created_at", "-id")[:limit]
    )


def partner_rows(*, limit: int = LIST_SHOWN) -> list[tuple[Partner, str]]:
    """The partners with the visible start of each one's working key, in two queries."""
    partners = list(partner_list()[:limit])
    prefixes: dict[int, str] = {}
    for user_id, prefix in (
        ApiToken.objects.filter(user_id__in=[p.user_id for p in partners], is_active=True)
        .order_by("created_at")
        .values_list("user_id", "prefix")
    ):
        prefixes[user_id] = f"lpr_{prefix}_…"  # the newest wins
    return [(p, prefixes.get(p.user_id, "")) for p in partners]


def partner_api_key_prefix(partner: Partner) -> str:
    """The visible start of the partner's working key (lpr_<prefix>_…), or "" without one."""
    prefix = (
        ApiToken.objects.filter(user_id=partner.user_id, is_active=True)
        .order_by("-created_at")
        .values_list("prefix", flat=True)
        .first()
    )
    return f"lpr_{prefix}_…" if prefix else ""
