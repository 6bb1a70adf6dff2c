"""Reads on reports, always through the viewer's scope and the privacy rules."""
from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from lapor.accounts.models import User
from lapor.accounts.selectors import user_grants, user_is_platform_admin
from lapor.agencies.models import Region, Topic
from lapor.core.errors import NotFound, ValidationFailed

from . import lifecycle as lc
from .models import Message, Report, ReportAssignment, ReportEvent

LIST_RELATED = ("agency", "topic", "region", "reporter")


def report_visible_q(user: User | None) -> Q | None:
    """Staff see reports currently or formerly routed inside their scopes; reporters their own.
    Returns None for "everything" (a national grant)."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    grants = user_grants(user)
    if any(g.path is None for g in grants):
        return None
    q = Q(reporter=user)
    paths = {g.path for g in grants}
    if paths:
        scope = Q()
        for path in paths:
            scope |= Q(agency_path__startswith=path)
        q |= Q(Exists(ReportAssignment.objects.filter(scope, report=OuterRef("pk"))))
    return q


def report_qs_for(user: User | None) -> QuerySet[Report]:
    qs = Report.objects.select_related(*LIST_RELATED)
    q = report_visible_q(user)
    return qs if q is None else qs.filter(q)


def report_public_qs() -> QuerySet[Report]:
    """What anyone may see: never confidential, never archived as spam or not yet verified."""
    return (Report.objects.select_related(*LIST_RELATED)
            .filter(is_confidential=False)
            .exclude(state__in=[lc.State.SUBMITTED, lc.State.ARCHIVED]))


def report_get_for(user: User | None, tracking_id: str) -> Report:
    report = report_qs_for(user).select_related("reporter", "target_agency").filter(tracking_id=tracking_id).first()
    if report is None:
        raise NotFound(_("Laporan tidak ditemukan."))
    return report


@dataclass
class ReportFilters:
    state: list[str] | None = None
    agency_id: int | None = None
    topic_id: int | None = None
    region_code: str | None = None
    channel: str | None = None
    type: str | None = None
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    overdue: bool | None = None
    q: str = ""


def report_filter(qs: QuerySet[Report], f: ReportFilters) -> QuerySet[Report]:
    if f.state:
        bad = set(f.state) - set(lc.State.values)
        if bad:
            raise ValidationFailed(f"Status tidak dikenal: {', '.join(sorted(bad))}", code="invalid_state")
        qs = qs.filter(state__in=f.state)
    if f.agency_id:
        from lapor.agencies.models import Agency

        agency = Agency.objects.filter(pk=f.agency_id).only("path").first()
        qs = qs.filter(agency__path__startswith=agency.path) if agency else qs.none()
    if f.topic_id:
        topic = Topic.objects.filter(pk=f.topic_id).only("path").first()
        qs = qs.filter(topic__path__startswith=topic.path) if topic else qs.none()
    if f.region_code:
        qs = qs.filter(region_id__in=Region.objects.filter(Region.subtree_q(f.region_code)).values("code"))
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.type:
        qs = qs.filter(type=f.type)
    if f.submitted_from:
        qs = qs.filter(submitted_at__date__gte=f.submitted_from)
    if f.submitted_to:
        qs = qs.filter(submitted_at__date__lte=f.submitted_to)
    if f.overdue is not None:
        qs = qs.filter(is_overdue=f.overdue)
    if f.q.strip():
        qs = report_search(qs, f.q)
    return qs


def report_search(qs: QuerySet[Report], q: str) -> QuerySet[Report]:
    """Full-text search: PostgreSQL's ``indonesian`` configuration over a GIN expression index;
    a word-by-word LIKE on SQLite."""
    q = q.replace("\x00", "").strip()[:200]
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVectorField
        from django.db.models.expressions import RawSQL

        vector = RawSQL(FTS_EXPRESSION, [], output_field=SearchVectorField())
        return qs.annotate(fts=vector).filter(fts=SearchQuery(q, config="indonesian", search_type="websearch"))
    for word in q.split()[:8]:
        qs = qs.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return qs


# Must match the index created in migration 0002 character for character.
FTS_EXPRESSION = "to_tsvector('indonesian'::regconfig, (\"reports_report\".\"title\" || ' ' || \"reports_report\".\"body\"))"


# --- Cursor pagination (keyset on submitted_at, id: constant cost at any depth) ------------

def cursor_encode(report: Report) -> str:
    raw = json.dumps([report.submitted_at.isoformat(), report.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(cursor: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, pk = json.loads(raw)
        return dt.datetime.fromisoformat(at), int(pk)
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise ValidationFailed(_("Kursor halaman tidak valid."), code="invalid_cursor") from exc


def report_page(qs: QuerySet[Report], *, cursor: str | None, limit: int) -> tuple[list[Report], str | None]:
    qs = qs.order_by("-submitted_at", "-id")
    if cursor:
        at, pk = cursor_decode(cursor)
        qs = qs.filter(Q(submitted_at__lt=at) | Q(submitted_at=at, id__lt=pk))
    rows = list(qs[: limit + 1])
    next_cursor = cursor_encode(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


# --- Timeline and privacy -------------------------------------------------------------------

def report_reporter_visible(report: Report, viewer: User | None, *, is_reporter: bool = False) -> bool:
    """May this viewer see who filed the report? Never for an anonymous report unless the viewer
    is the reporter; a platform admin must ask explicitly (an audited reveal)."""
    if is_reporter or (viewer is not None and report.reporter_id and report.reporter_id == viewer.pk):
        return True
    if report.is_anonymous:
        return False
    return bool(user_grants(viewer))


def report_timeline(report: Report, *, staff: bool) -> tuple[list[ReportEvent], list[Message]]:
    events = ReportEvent.objects.filter(report=report).select_related("actor", "agency")
    messages = Message.objects.filter(report=report).select_related("author", "agency").prefetch_related("attachments")
    if not staff:
        events = events.filter(is_public=True)
        messages = messages.exclude(kind=Message.Kind.NOTE)
    return list(events), list(messages)


def viewer_is_staff_for(report: Report, viewer: User | None) -> bool:
    if user_is_platform_admin(viewer):
        return True
    grants = user_grants(viewer)
    if not grants:
        return False
    if any(g.path is None for g in grants):
        return True
    scope = Q()
    for grant in grants:
        scope |= Q(agency_path__startswith=grant.path)
    return ReportAssignment.objects.filter(scope, report=report).exists()
