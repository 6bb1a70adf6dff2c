"""Reads on reports, always through the viewer's scope and the privacy rules."""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lapor.accounts.models import User
from lapor.accounts.selectors import user_grants, user_is_platform_admin, user_scope_q
from lapor.agencies.models import Agency, Region, Topic
from lapor.agencies.refcache import regions_get
from lapor.core.errors import NotFound, ValidationFailed
from lapor.core.text import json_loads_strict

from . import lifecycle as lc
from . import search_plans as plans
from .models import IdempotencyRecord, Message, Report, ReportAssignment, ReportEvent

LIST_RELATED = ("agency", "topic", "region", "reporter")


def report_visible_q(user: User | None, *, among: list[int] | None = None) -> Q | None:
    """Staff see reports currently or formerly routed inside their scopes; reporters their own.
    Returns None for "everything" (a national grant). ``among``: the ids the query using it is
    limited to anyway (a page's candidates): the same rows, but PostgreSQL then probes the assignments
    of those reports instead of hashing every assignment of the subtree (0.9 ms at 5,000, growing)."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    scope = user_scope_q(user, "agency_path")
    if scope is None:
        return None
    q = Q(reporter=user)
    if user_grants(user):
        routed = ReportAssignment.objects.filter(scope, report=OuterRef("pk"))
        if among is not None:
            routed = routed.filter(report_id__in=among)
        q |= Q(Exists(routed))
    return q


def report_qs_for(user: User | None) -> QuerySet[Report]:
    qs = Report.objects.select_related(*LIST_RELATED).defer("search_text")  # only search reads it
    q = report_visible_q(user)
    return qs if q is None else qs.filter(q)


def report_public_qs() -> QuerySet[Report]:
    """What anyone may see: never confidential, never archived as spam or not yet verified."""
    return (
        Report.objects.select_related(*LIST_RELATED)
        .defer("search_text")
        .filter(is_confidential=False)
        .exclude(state__in=[lc.State.SUBMITTED, lc.State.ARCHIVED])
    )


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

    def __post_init__(self) -> None:
        # NUL cannot reach PostgreSQL text (a DataError, i.e. a 500); every list and search plan reads these
        self.q = (self.q or "").replace("\x00", "")
        if self.region_code is not None:
            self.region_code = self.region_code.replace("\x00", "") or None


def report_filter(qs: QuerySet[Report], f: ReportFilters) -> QuerySet[Report]:
    if f.state:
        bad = set(f.state) - set(lc.State.values)
        if bad:
            raise ValidationFailed(f"Status tidak dikenal: {', '.join(sorted(bad))}", code="invalid_state")
        qs = qs.filter(state__in=f.state)
    if f.agency_id:
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
        late = Q(is_overdue=True) | peer_late_q()
        qs = qs.filter(late) if f.overdue else qs.exclude(late)
    if f.q.strip():
        qs = report_search(qs, f.q)
    return qs


def report_search(qs: QuerySet[Report], q: str) -> QuerySet[Report]:
    """Full-text search over ``search_text``, the report's text as the public sees it (personal data
    and an anonymous reporter's name masked, reports/searchtext.py), never the raw title and body:
    a query for an anonymous reporter's name, NIK, phone or e-mail finds nothing, for every viewer.
    PostgreSQL's ``indonesian`` configuration over the stored, GIN-indexed vector parsed from it;
    a word-by-word LIKE on SQLite."""
    q = q.replace("\x00", "").strip()[:200]
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVectorField  # PostgreSQL only

        vector = RawSQL(FTS_EXPRESSION, [], output_field=SearchVectorField())
        return qs.annotate(fts=vector).filter(fts=SearchQuery(q, config="indonesian", search_type="websearch"))
    for word in q.split()[:8]:
        qs = qs.filter(search_text__icontains=word)
    return qs


# The parsed search_text, stored by a trigger and GIN-indexed (migrations 0006, 0010): a recheck or a
# rank reads it instead of parsing the text again.
FTS_EXPRESSION = '"reports_report"."search_vector"'


# --- Pages: keyset pagination, newest first or by relevance ------------------------------------
#
# Newest first is a keyset on (submitted_at, id): constant cost at any depth. Some shapes would still
# read far too much over 1,000,000 reports, and get their own plans on PostgreSQL (figures and plans:
# docs/benchmarks.md, "Search and inbox over 1,000,000 reports"):
# - a scoped staff member's list: the reports ever routed inside the subtree are read per agency path
#   from assignment_inbox_idx (newest first, a few rows each) instead of sorting every assignment the
#   subtree ever had; with filters few reports pass, by parts;
# - a full-text search: the newest matches are read from the GIN index ANDed with the submitted_at
#   index (and, inside a small subtree, with the current agency's index) over a window of time that
#   grows until it holds enough rows.
# Those plans live in reports/search_plans.py. Each only proposes candidates: the page is read here
# through the full ``qs`` (scope and filters).
# Relevance (the default when there is a search text) ranks the newest RANK_CANDIDATES matches with
# ts_rank; SQLite ranks them by how often the words occur.

NEWEST, RELEVANCE = "newest", "relevance"
ORDERS = (NEWEST, RELEVANCE)
RANK_CANDIDATES = 200


def report_order(order: str | None, q: str) -> str:
    """``relevance`` by default when there is a search text, else ``newest``; relevance without a
    search text means newest (the API refuses other values; here they mean the default)."""
    if not (q or "").replace("\x00", "").strip():
        return NEWEST
    return order if order in ORDERS else RELEVANCE


@dataclass(frozen=True)
class ReportScope:
    """A scoped staff viewer, for the list's fast plan: own reports plus the agency subtrees."""

    user_id: int
    prefixes: tuple[str, ...]
    filtered: QuerySet[Report]  # the list's filters without the scope
    user: User = field(compare=False, repr=False)

    def visible_among(self, ids: list[int]) -> Q:
        """report_visible_q of the viewer for a query limited to ``ids``, with the assignment check
        limited to them too."""
        visible = report_visible_q(self.user, among=ids)
        assert visible is not None  # None is a national viewer's, who has no ReportScope
        return visible & Q(pk__in=ids)

    def among(self, ids: list[int]) -> QuerySet[Report]:
        """The list's reports among ``ids`` that the viewer may see: ``filtered`` with the viewer's
        report_visible_q, limited to ``ids``."""
        return self.filtered.filter(self.visible_among(ids))


def report_scope(user: User | None, filtered: QuerySet[Report] | None = None) -> ReportScope | None:
    """None for a national viewer, a reporter without grants, or anyone signed out."""
    if user is None or not user.is_authenticated:
        return None
    grants = user_grants(user)
    if not grants or any(g.path is None for g in grants):
        return None
    return ReportScope(
        user_id=user.pk,
        prefixes=tuple(sorted({g.path for g in grants if g.path is not None})),  # none is, past the check
        filtered=Report.objects.all() if filtered is None else filtered,
        user=user,
    )


def report_list_page(
    user: User | None,
    f: ReportFilters,
    *,
    cursor: str | None,
    limit: int,
    order: str | None = None,
    light: bool = False,
) -> tuple[list[Report], str | None]:
    """The reports a viewer may see (staff: their scope; others: their own), filtered, one page.
    ``light``: ReportRow instead of Report (see there)."""
    filtered = report_filter(Report.objects.all(), f)
    visible = report_visible_q(user)
    qs = (filtered if visible is None else filtered.filter(visible)).select_related(*LIST_RELATED)
    return report_page(
        qs,
        cursor=cursor,
        limit=limit,
        order=report_order(order, f.q),
        search=f.q,
        scope=report_scope(user, filtered),
        light=light,
    )


def report_public_page(
    f: ReportFilters, *, cursor: str | None, limit: int, order: str | None = None, light: bool = False
) -> tuple[list[Report], str | None]:
    qs = report_filter(report_public_qs(), f)
    return report_page(qs, cursor=cursor, limit=limit, order=report_order(order, f.q), search=f.q, light=light)


class _Ref(NamedTuple):
    pk: int
    name: str
    path: str = ""  # agencies: what actor_roles reads


class _RegionRef(NamedTuple):
    code: str
    name: str


class _PersonRef(NamedTuple):
    full_name: str


class ReportRow:
    """A report of a list page with exactly what report_out (without the reporter: ``with_reporter=False``)
    and public_report_out read, from one values_list row: building a Report with its topic, region,
    agency and reporter costs five model instances per row, and the select_related query several times
    the compiling. Not a stand-in anywhere else (no reporter_contact: report_out's ``reporter`` part
    needs the Report)."""

    __slots__ = (
        "pk",
        "tracking_id",
        "type",
        "title",
        "body",
        "state",
        "channel",
        "address",
        "latitude",
        "longitude",
        "incident_date",
        "is_anonymous",
        "is_confidential",
        "reporter_id",
        "guest_name",
        "submitted_at",
        "due_at",
        "completion_due_at",
        "is_overdue",
        "escalation_level",
        "bounce_count",
        "rating",
        "topic_id",
        "region_id",
        "agency_id",
        "topic",
        "region",
        "agency",
        "reporter",
        "support_count",
    )
    # the columns, in the order of __slots__ up to agency_id; then the joined names; then the supports
    FIELDS = (
        "pk",
        *__slots__[1:25],
        "topic__name",
        "region__name",
        "agency__name",
        "agency__path",
        "reporter__full_name",
        "support_count",
    )

    reporter_name = Report.reporter_name  # the model's own rule (the reporter's name or the guest's)

    def __init__(self, row: tuple):
        (
            self.pk,
            self.tracking_id,
            self.type,
            self.title,
            self.body,
            self.state,
            self.channel,
            self.address,
            self.latitude,
            self.longitude,
            self.incident_date,
            self.is_anonymous,
            self.is_confidential,
            self.reporter_id,
            self.guest_name,
            self.submitted_at,
            self.due_at,
            self.completion_due_at,
            self.is_overdue,
            self.escalation_level,
            self.bounce_count,
            self.rating,
            self.topic_id,
            self.region_id,
            self.agency_id,
            topic_name,
            region_name,
            agency_name,
            agency_path,
            reporter_full_name,
            self.support_count,
        ) = row
        self.topic = _Ref(self.topic_id, topic_name) if self.topic_id is not None else None
        self.region = _RegionRef(self.region_id, region_name) if self.region_id is not None else None
        self.agency = _Ref(self.agency_id, agency_name, agency_path) if self.agency_id is not None else None
        self.reporter = _PersonRef(reporter_full_name) if self.reporter_id is not None else None

    @property
    def id(self) -> int:
        return self.pk


def _page_rows(
    qs: QuerySet[Report],
    ids: list[int],
    *,
    light: bool,
    scope: ReportScope | None = None,
    after: tuple[dt.datetime, int] | None = None,
) -> list:
    """The rows of ``qs`` among ``ids``, newest first: Reports, or ReportRows when ``light``. With
    ``scope`` (``qs`` is then its ``filtered`` with the viewer's report_visible_q), read through
    scope.among(ids): the same rows."""
    if scope is None:
        qs = qs.filter(pk__in=ids)
    else:
        qs = scope.among(ids).select_related(*LIST_RELATED).order_by("-submitted_at", "-id")
        if after:
            qs = qs.filter(Q(submitted_at__lt=after[0]) | Q(submitted_at=after[0], id__lt=after[1]))
    return _rows(qs, light=light)


def _rows(qs: QuerySet[Report], *, light: bool) -> list:
    """``qs`` read as Reports, or as ReportRows when ``light``."""
    return [ReportRow(row) for row in qs.values_list(*ReportRow.FIELDS)] if light else list(qs)


def _cursor_dump(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _cursor_load(cursor: str) -> list:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json_loads_strict(raw)  # a cursor of 2,000 "[" was a RecursionError: 500
        if not isinstance(values, list):
            raise ValueError
        return values
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise ValidationFailed(_("Kursor halaman tidak valid."), code="invalid_cursor") from exc


def cursor_encode(report: Report) -> str:
    return _cursor_dump([report.submitted_at.isoformat(), report.pk])


def _cursor_at(value: str) -> dt.datetime:
    """A cursor's submitted_at: always written with its offset (a naive one cannot be compared with
    the database's times: a TypeError, i.e. a 500, in the search windows)."""
    at = dt.datetime.fromisoformat(value)
    if at.tzinfo is None:
        raise ValueError("naive datetime")
    return at.astimezone(dt.UTC)  # OverflowError for 0001-01-01T00:00:00+14:00 (before year 1 in UTC)


def _cursor_pk(value) -> int:
    """A row id as the server wrote it: an integer within 64 bits (``1e400`` made ``int()`` raise
    OverflowError, a 500 on the public list page)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise ValueError("not a row id")
    return value


def cursor_decode(cursor: str) -> tuple[dt.datetime, int]:
    try:
        at, pk = _cursor_load(cursor)
        return _cursor_at(at), _cursor_pk(pk)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValidationFailed(_("Kursor halaman tidak valid."), code="invalid_cursor") from exc


def _rank_cursor_decode(cursor: str) -> tuple[float, dt.datetime, int]:
    try:
        kind, rank, at, pk = _cursor_load(cursor)
        if kind != "r" or isinstance(rank, bool) or not isinstance(rank, (int, float)) or not math.isfinite(rank):
            raise ValueError
        return float(rank), _cursor_at(at), _cursor_pk(pk)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValidationFailed(_("Kursor halaman tidak valid."), code="invalid_cursor") from exc


def report_page(
    qs: QuerySet[Report],
    *,
    cursor: str | None,
    limit: int,
    order: str = NEWEST,
    search: str = "",
    scope: ReportScope | None = None,
    light: bool = False,
) -> tuple[list[Report], str | None]:
    """One page of ``qs`` and the cursor of the next (None on the last page). ``search`` is the
    full-text query ``qs`` is already filtered by (for ranking and the search plan); ``scope`` the
    scoped staff viewer ``qs`` is already restricted to (for the inbox plan); ``light``: the page as
    ReportRows (for report_out without the reporter, and public_report_out)."""
    search = (search or "").replace("\x00", "").strip()[:200]
    if qs.query.is_empty() or (scope is not None and scope.filtered.query.is_empty()):
        return [], None  # e.g. an unknown topic or agency: the raw-SQL plans cannot compile .none()
    if search and connection.vendor == "postgresql":
        with plans.custom_plans():
            return _report_page(qs, cursor=cursor, limit=limit, order=order, search=search, scope=scope, light=light)
    return _report_page(qs, cursor=cursor, limit=limit, order=order, search=search, scope=scope, light=light)


def _report_page(
    qs: QuerySet[Report],
    *,
    cursor: str | None,
    limit: int,
    order: str,
    search: str,
    scope: ReportScope | None,
    light: bool,
) -> tuple[list, str | None]:
    if order == RELEVANCE and search:
        return _page_by_relevance(qs, search, cursor=cursor, limit=limit, scope=scope, light=light)
    qs = qs.order_by("-submitted_at", "-id")
    after = cursor_decode(cursor) if cursor else None
    if after:
        qs = qs.filter(Q(submitted_at__lt=after[0]) | Q(submitted_at=after[0], id__lt=after[1]))
    n = limit + 1
    if connection.vendor != "postgresql":
        rows = _rows(qs[:n], light=light)
    else:
        parts = plans.search_parts(scope) if search else None
        for strict in (False, True):
            candidates = plans.newest_candidates(
                qs, n, after=after, search=search, scope=scope, parts=parts, strict=strict
            )
            top = [pk for _at, pk in sorted(set(candidates), reverse=True)[:n]]
            rows = _page_rows(qs, top, light=light, scope=scope, after=after)[:n]
            if len(rows) == len(top):
                break
            # a candidate the scope or filters do not let through (an agency moved into the subtree
            # after reports were routed to it; or the report changed meanwhile): read strictly
    next_cursor = cursor_encode(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def _page_by_relevance(
    qs: QuerySet[Report],
    search: str,
    *,
    cursor: str | None,
    limit: int,
    scope: ReportScope | None = None,
    light: bool = False,
) -> tuple[list[Report], str | None]:
    """Rank the newest RANK_CANDIDATES matches; keyset on (rank, submitted_at, id), all descending."""
    after = _rank_cursor_decode(cursor) if cursor else None
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField  # PostgreSQL only

        parts = plans.search_parts(scope)
        for strict in (False, True):
            newest = plans.search_newest(
                qs.order_by("-submitted_at", "-id"), RANK_CANDIDATES, parts=parts, strict=strict
            )
            ids = [pk for _at, pk in sorted(set(newest), reverse=True)[:RANK_CANDIDATES]]
            # only the parts may propose a report the scope does not let through (read through ``qs`` otherwise)
            if (
                parts is None
                or scope is None
                or strict
                or Report.objects.filter(scope.visible_among(ids)).count() == len(ids)
            ):
                break
        rank = SearchRank(
            RawSQL(FTS_EXPRESSION, [], output_field=SearchVectorField()),
            SearchQuery(search, config="indonesian", search_type="websearch"),
        )
        ranked = list(Report.objects.filter(pk__in=ids).annotate(rank=rank).values_list("rank", "submitted_at", "id"))
    else:
        words = [w.lower() for w in search.split()[:8]]
        candidates = qs.order_by("-submitted_at", "-id").values_list("search_text", "submitted_at", "id")
        ranked = []
        for text, at, pk in candidates[:RANK_CANDIDATES]:
            title, _nl, body = text.lower().partition("\n")  # search_text: the masked title, a line break, the body
            ranked.append((float(sum(2 * title.count(w) + body.count(w) for w in words)), at, pk))
    ranked.sort(reverse=True)
    if after:
        ranked = [key for key in ranked if key < after]
    page = ranked[: limit + 1]
    by_id = {r.pk: r for r in _page_rows(qs, [pk for _r, _at, pk in page[:limit]], light=light, scope=scope)}
    rows = [by_id[pk] for _r, _at, pk in page[:limit] if pk in by_id]
    if len(page) > limit:
        rank_value, at, pk = page[limit - 1]
        return rows, _cursor_dump(["r", rank_value, at.isoformat(), pk])
    return rows, None


# --- Timeline and privacy -------------------------------------------------------------------


def report_reporter_visible(report: Report, viewer: User | None, *, is_reporter: bool = False) -> bool:
    """May this viewer see who filed the report? Never for an anonymous report unless the viewer
    is the reporter; a platform admin must ask explicitly (an audited reveal)."""
    if is_reporter or (viewer is not None and report.reporter_id and report.reporter_id == viewer.pk):
        return True
    if report.is_anonymous:
        return False
    return bool(user_grants(viewer))


def report_tracking_ids_anonymous(reporters) -> list[str]:
    """The tracking ids of these accounts' anonymous reports: what the admin's delete page of an
    account must not list next to the person (settings.LAPOR_HOOKS["anonymous_tracking_ids"])."""
    return list(
        Report.objects.filter(reporter__in=list(reporters), is_anonymous=True).values_list("tracking_id", flat=True)
    )


def report_place_names(report: Report) -> tuple[str, ...]:
    """The names of the report's places: its region and every region above it (village, district,
    regency, province), for name masking (``core.masking.text_mask(places=...)``). Read through the
    per-process reference cache: no query once a region has been seen."""
    if not report.region_id:
        return ()
    return tuple(region.name for region in regions_get(Region.ancestor_codes(report.region_id)).values() if region)


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
    if not user_grants(viewer):
        return False
    scope = user_scope_q(viewer, "agency_path")
    return scope is None or ReportAssignment.objects.filter(scope, report=report).exists()


def agency_recent_answers(*, agency, exclude_report: Report | None = None, limit: int = 400) -> list[str]:
    """The agency's latest follow-up texts, one per report, leaving out the report being answered and
    the reports clustered with it (the boilerplate check compares a new answer with them).
    Internal: never shown, only compared."""
    if agency is None:
        return []
    answers = Message.objects.filter(kind=Message.Kind.FOLLOW_UP, agency=agency)
    if exclude_report is not None:  # nor the reports grouped with it as one problem: one answer fits them all
        answers = answers.exclude(report_id__in=Report.objects.filter(clusters__reports=exclude_report).values("pk"))
        answers = answers.exclude(report=exclude_report)
    seen, texts = set(), []
    for report_id, body in answers.order_by("-created_at").values_list("report_id", "body")[:limit]:
        if report_id not in seen:
            seen.add(report_id)
            texts.append(body)
    return texts


def recent_answers(*, topic_id: int | None = None, limit: int = 300) -> list[str]:
    """The latest follow-up texts, of every agency, on one topic or overall (the answer checker
    learns each topic's vocabulary from them). Internal: never shown, only counted."""
    answers = Message.objects.filter(kind=Message.Kind.FOLLOW_UP)
    if topic_id is not None:
        answers = answers.filter(report__topic_id=topic_id)
    return list(answers.order_by("-created_at").values_list("body", flat=True)[:limit])


def answer_suggestions(*, report: Report, limit: int = 3) -> list[dict]:
    """The best-rated earlier answers of the report's agency on the same topic, as a starting point
    for a follow-up: rated 4 or 5 by their reporters, not flagged when they were sent, newest first
    among equals, one per distinct text. Texts read through the agency's lens (names masked on
    anonymous reports)."""
    from .answers import normalised  # cycle: answers imports selectors
    from .projection import lens_agency  # cycle: projection imports selectors

    if report.agency_id is None or report.topic_id is None:
        return []
    candidates = (
        Message.objects.filter(
            kind=Message.Kind.FOLLOW_UP,
            agency_id=report.agency_id,
            report__topic_id=report.topic_id,
            report__rating__gte=4,
        )
        .exclude(report=report)
        .exclude(answer_rating__flagged=True)
        .select_related("report")
        .order_by("-report__rating", "-created_at")[:50]
    )
    out, seen = [], set()
    for message in candidates:
        key = normalised(message.body)
        if key in seen:
            continue
        seen.add(key)
        out.append(
            {
                "body": lens_agency(message.report).text(message.body),
                "rating": message.report.rating,
                "tracking_id": message.report.tracking_id,
            }
        )
        if len(out) == limit:
            break
    return out


def submission_replayed(idempotency: tuple[str, str, str] | None) -> str | None:
    """The tracking id of the report the same request (owner, key and body hash) already filed, if
    any: a form sent twice finds its own report before anything else is checked. The same key with
    another body is not a replay (``report_submit_once`` refuses it)."""
    if not idempotency:
        return None
    owner, key, request_hash = idempotency
    record = (
        IdempotencyRecord.objects.filter(owner=owner, key=key, request_hash=request_hash)
        .select_related("report")
        .first()
    )
    return record.report.tracking_id if record else None


def peer_late_q() -> Q:
    """Reports a peer deployment holds (our clock held) whose deadline there passed: listed as late
    here, though the sweep never acts on them (the peer's clock is authoritative)."""
    return Q(peer_due_at__lt=timezone.now(), due_at__isnull=True, state__in=lc.ACTIVE_STATES)
