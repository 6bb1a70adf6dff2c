"""Reads on reports, always through the viewer's scope and the privacy rules."""
from __future__ import annotations

import base64
import datetime as dt
import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Exists, Max, Min, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from lapor.accounts.models import User
from lapor.accounts.selectors import user_grants, user_is_platform_admin, user_scope_q
from lapor.agencies.models import Region, Topic
from lapor.core.errors import NotFound, ValidationFailed

from . import lifecycle as lc
from .models import Message, Report, ReportAssignment, ReportEvent

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
    return (Report.objects.select_related(*LIST_RELATED).defer("search_text")
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
    """Full-text search over ``search_text``, the report's text as the public sees it (personal data
    and an anonymous reporter's name masked, reports/searchtext.py), never the raw title and body:
    a query for an anonymous reporter's name, NIK, phone or e-mail finds nothing, for every viewer.
    PostgreSQL's ``indonesian`` configuration over the stored, GIN-indexed vector parsed from it;
    a word-by-word LIKE on SQLite."""
    q = q.replace("\x00", "").strip()[:200]
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVectorField
        from django.db.models.expressions import RawSQL

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
#   subtree ever had (_scoped_newest); with filters few reports pass, by parts (_ScopeParts);
# - a full-text search: the newest matches are read from the GIN index ANDed with the submitted_at
#   index (and, inside a small subtree, with the current agency's index) over a window of time that
#   grows until it holds enough rows (_search_newest).
# Each plan only proposes candidates: the page is read through the full ``qs`` (scope and filters).
# Relevance (the default when there is a search text) ranks the newest RANK_CANDIDATES matches with
# ts_rank; SQLite ranks them by how often the words occur.

NEWEST, RELEVANCE = "newest", "relevance"
ORDERS = (NEWEST, RELEVANCE)
RANK_CANDIDATES = 200
# A subtree holding less than this share of all assignments searches its own reports (_ScopeParts).
SCOPED_SEARCH_MAX_SHARE = 0.2
SCOPED_MIN_SHARE = 0.05  # below this share of all reports passing a list's filters, filter first
MIN_WINDOW_DAYS = 1 / 1440  # a search window is at least a minute wide (a young database's span is minutes)


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
        return report_visible_q(self.user, among=ids) & Q(pk__in=ids)

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
    return ReportScope(user_id=user.pk, prefixes=tuple(sorted({g.path for g in grants})),
                       filtered=Report.objects.all() if filtered is None else filtered, user=user)


def report_list_page(user: User | None, f: ReportFilters, *, cursor: str | None, limit: int,
                     order: str | None = None, light: bool = False) -> tuple[list[Report], str | None]:
    """The reports a viewer may see (staff: their scope; others: their own), filtered, one page.
    ``light``: ReportRow instead of Report (see there)."""
    filtered = report_filter(Report.objects.all(), f)
    visible = report_visible_q(user)
    qs = (filtered if visible is None else filtered.filter(visible)).select_related(*LIST_RELATED)
    return report_page(qs, cursor=cursor, limit=limit, order=report_order(order, f.q), search=f.q,
                       scope=report_scope(user, filtered), light=light)


def report_public_page(f: ReportFilters, *, cursor: str | None, limit: int,
                       order: str | None = None, light: bool = False) -> tuple[list[Report], str | None]:
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

    __slots__ = ("pk", "tracking_id", "type", "title", "body", "state", "channel", "address", "latitude",
                 "longitude", "incident_date", "is_anonymous", "is_confidential", "reporter_id", "guest_name",
                 "submitted_at", "due_at", "completion_due_at", "is_overdue", "escalation_level", "bounce_count",
                 "rating", "topic_id", "region_id", "agency_id", "topic", "region", "agency", "reporter",
                 "support_count")
    # the columns, in the order of __slots__ up to agency_id; then the joined names; then the supports
    FIELDS = ("pk", *__slots__[1:25], "topic__name", "region__name", "agency__name", "agency__path",
              "reporter__full_name", "support_count")

    reporter_name = Report.reporter_name  # the model's own rule (the reporter's name or the guest's)

    def __init__(self, row: tuple):
        (self.pk, self.tracking_id, self.type, self.title, self.body, self.state, self.channel, self.address,
         self.latitude, self.longitude, self.incident_date, self.is_anonymous, self.is_confidential,
         self.reporter_id, self.guest_name, self.submitted_at, self.due_at, self.completion_due_at,
         self.is_overdue, self.escalation_level, self.bounce_count, self.rating, self.topic_id, self.region_id,
         self.agency_id, topic_name, region_name, agency_name, agency_path, reporter_full_name,
         self.support_count) = row
        self.topic = _Ref(self.topic_id, topic_name) if self.topic_id is not None else None
        self.region = _RegionRef(self.region_id, region_name) if self.region_id is not None else None
        self.agency = _Ref(self.agency_id, agency_name, agency_path) if self.agency_id is not None else None
        self.reporter = _PersonRef(reporter_full_name) if self.reporter_id is not None else None

    @property
    def id(self) -> int:
        return self.pk


def _page_rows(qs: QuerySet[Report], ids: list[int], *, light: bool, scope: ReportScope | None = None,
               after: tuple[dt.datetime, int] | None = None) -> list:
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
        values = json.loads(raw)
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
    return at


def cursor_decode(cursor: str) -> tuple[dt.datetime, int]:
    try:
        at, pk = _cursor_load(cursor)
        return _cursor_at(at), int(pk)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed(_("Kursor halaman tidak valid."), code="invalid_cursor") from exc


def _rank_cursor_decode(cursor: str) -> tuple[float, dt.datetime, int]:
    try:
        kind, rank, at, pk = _cursor_load(cursor)
        if kind != "r":
            raise ValueError
        return float(rank), _cursor_at(at), int(pk)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed(_("Kursor halaman tidak valid."), code="invalid_cursor") from exc


def report_page(qs: QuerySet[Report], *, cursor: str | None, limit: int, order: str = NEWEST, search: str = "",
                scope: ReportScope | None = None, light: bool = False) -> tuple[list[Report], str | None]:
    """One page of ``qs`` and the cursor of the next (None on the last page). ``search`` is the
    full-text query ``qs`` is already filtered by (for ranking and the search plan); ``scope`` the
    scoped staff viewer ``qs`` is already restricted to (for the inbox plan); ``light``: the page as
    ReportRows (for report_out without the reporter, and public_report_out)."""
    search = (search or "").replace("\x00", "").strip()[:200]
    if qs.query.is_empty() or (scope is not None and scope.filtered.query.is_empty()):
        return [], None  # e.g. an unknown topic or agency: the raw-SQL plans cannot compile .none()
    if search and connection.vendor == "postgresql":
        with _custom_plans():
            return _report_page(qs, cursor=cursor, limit=limit, order=order, search=search, scope=scope, light=light)
    return _report_page(qs, cursor=cursor, limit=limit, order=order, search=search, scope=scope, light=light)


def _report_page(qs: QuerySet[Report], *, cursor: str | None, limit: int, order: str, search: str,
                 scope: ReportScope | None, light: bool) -> tuple[list, str | None]:
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
        parts = _search_parts(scope) if search else None
        for strict in (False, True):
            if search:
                candidates = _search_newest(qs, n, after=after, parts=parts, strict=strict)
            elif scope is not None:
                candidates = _scoped_newest(qs, scope, n, after, strict=strict)
            else:  # ids first: the sort reads one narrow index, the joins only n rows
                candidates = list(qs.values_list("submitted_at", "id")[:n])
            top = [pk for _at, pk in sorted(set(candidates), reverse=True)[:n]]
            rows = _page_rows(qs, top, light=light, scope=scope, after=after)[:n]
            if len(rows) == len(top):
                break
            # a candidate the scope or filters do not let through (an agency moved into the subtree
            # after reports were routed to it; or the report changed meanwhile): read strictly
    next_cursor = cursor_encode(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def _page_by_relevance(qs: QuerySet[Report], search: str, *, cursor: str | None, limit: int,
                       scope: ReportScope | None = None, light: bool = False) -> tuple[list[Report], str | None]:
    """Rank the newest RANK_CANDIDATES matches; keyset on (rank, submitted_at, id), all descending."""
    after = _rank_cursor_decode(cursor) if cursor else None
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
        from django.db.models.expressions import RawSQL

        parts = _search_parts(scope)
        for strict in (False, True):
            newest = _search_newest(qs.order_by("-submitted_at", "-id"), RANK_CANDIDATES, parts=parts, strict=strict)
            ids = [pk for _at, pk in sorted(set(newest), reverse=True)[:RANK_CANDIDATES]]
            # only the parts may propose a report the scope does not let through (read through ``qs`` otherwise)
            if parts is None or strict or Report.objects.filter(scope.visible_among(ids)).count() == len(ids):
                break
        rank = SearchRank(RawSQL(FTS_EXPRESSION, [], output_field=SearchVectorField()),
                          SearchQuery(search, config="indonesian", search_type="websearch"))
        ranked = list(Report.objects.filter(pk__in=ids).annotate(rank=rank).values_list("rank", "submitted_at", "id"))
    else:
        words = [w.lower() for w in search.split()[:8]]
        rows = qs.order_by("-submitted_at", "-id").values_list("search_text", "submitted_at", "id")[:RANK_CANDIDATES]
        ranked = []
        for text, at, pk in rows:
            title, _nl, body = text.lower().partition("\n")  # search_text: the masked title, a line break, the body
            ranked.append((float(sum(2 * title.count(w) + body.count(w) for w in words)), at, pk))
    ranked.sort(reverse=True)
    if after:
        ranked = [key for key in ranked if key < after]
    page = ranked[:limit + 1]
    by_id = {r.pk: r for r in _page_rows(qs, [pk for _r, _at, pk in page[:limit]], light=light, scope=scope)}
    rows = [by_id[pk] for _r, _at, pk in page[:limit] if pk in by_id]
    if len(page) > limit:
        rank_value, at, pk = page[limit - 1]
        return rows, _cursor_dump(["r", rank_value, at.isoformat(), pk])
    return rows, None


@contextmanager
def _local_settings(settings: dict[str, str]):
    """PostgreSQL settings for the statements inside only (SET LOCAL, in a transaction or savepoint)."""
    nested = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if nested:  # SET LOCAL outlives a savepoint: put the values back afterwards
            cursor.execute("SELECT " + ", ".join(f"current_setting('{name}')" for name in settings))
            previous = dict(zip(settings, cursor.fetchone()))
        cursor.execute("SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(settings)),
                       [v for pair in settings.items() for v in pair])
        yield  # on an error the transaction (or savepoint) rolls back, and the settings with it
        if nested:
            cursor.execute("SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(previous)),
                           [v for pair in previous.items() for v in pair])


def _bitmap_plans():
    """For the statements inside: bitmap scans only (the GIN index ANDed with a B-tree), no parallel
    workers and no JIT: for reads without a window of time (rare words, a subtree's parts), where a
    walk of the submitted_at index newest first could read the whole table before ``n`` match."""
    # without enable_seqscan=off PostgreSQL reads a few thousand rows' vectors sequentially rather than
    # price the GIN index right (35,000 reports, 1,200 matches: 13.7 ms instead of 5.6)
    return _local_settings({"enable_indexscan": "off", "enable_seqscan": "off",
                            "max_parallel_workers_per_gather": "0", "jit": "off"})


def _custom_plans():
    """A search plans each statement for its own words and window (prepared statements would settle
    on one generic plan: staff search +25-40 % database CPU on lapor_load, request_cost A/B)."""
    return _local_settings({"plan_cache_mode": "force_custom_plan"})


def _rows_estimate(qs: QuerySet) -> float:
    sql, params = qs.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return float(plan[0]["Plan"]["Plan Rows"])


def _search_parts(scope: ReportScope | None) -> _ScopeParts | None:
    """How a viewer's searches read the matches: a staff member of a small subtree (below
    SCOPED_SEARCH_MAX_SHARE of all assignments) by the subtree's parts; everyone else through ``qs``."""
    if scope is None:
        return None
    share = _scope_share(scope)
    return _ScopeParts(scope, share=share) if share < SCOPED_SEARCH_MAX_SHARE else None


def _search_newest(qs: QuerySet[Report], n: int, *, after: tuple[dt.datetime, int] | None = None,
                   parts: _ScopeParts | None = None, strict: bool = False) -> list[tuple[dt.datetime, int]]:
    """The newest ``n`` rows of a full-text filtered, newest-first ``qs`` (PostgreSQL), as
    (submitted_at, id). Sorting every match would read one heap page per match (82,000 for a
    common word); instead read the matches of a window of submission time sized from the planner's
    estimate of the matches, and widen it until it holds ``n`` rows or covers everything. In a
    window PostgreSQL chooses: walk the submitted_at index checking the stored vector (a common word:
    a few rows per match) or AND the GIN index with it; rare words (no window) are read from the GIN
    index. A staff member of a small subtree reads only the subtree's reports (``parts``, from
    _search_parts), the GIN index ANDed with the current agency's index."""
    if parts is not None:
        # matches in the subtree: assume the words as common there as anywhere, and allow more
        expected, margin = _rows_estimate(parts.scope.filtered) * parts.share, 4
    else:
        expected, margin = _rows_estimate(qs), 2
    days = span = None
    if expected > 4 * n:
        # windows end at the newest report, not now: a quiet hour must not leave the first one empty
        bounds = Report.objects.aggregate(oldest=Min("submitted_at"), newest=Max("submitted_at"))
        if bounds["oldest"] is None:
            return []
        upper = min(after[0], bounds["newest"]) if after else bounds["newest"]
        span = max((upper - bounds["oldest"]).total_seconds() / 86400, MIN_WINDOW_DAYS)
        days = max(span * margin * n / expected, MIN_WINDOW_DAYS)
    while True:
        since = upper - dt.timedelta(days=days) if days is not None else None
        if parts is not None:
            rows = parts.newest(qs, n, since=since, after=after, strict=strict)
        elif since is None:
            with _bitmap_plans():
                rows = list(qs.values_list("submitted_at", "id")[:n])
        else:
            rows = list(qs.filter(submitted_at__gte=since).values_list("submitted_at", "id")[:n])
        if len(rows) >= n or days is None:
            return rows
        days = _wider(days, len(rows), n, span)


def _wider(days: float, found: int, n: int, span: float) -> float | None:
    """The next window: large enough for ``n`` at the density just seen, four to sixteen times wider
    (a window that found next to nothing — a quiet spell — says little about the density: growing it
    by n / found would mostly end in a read of every match)."""
    days *= min(max(4.0, 1.5 * n / max(found, 1)), 16.0)
    return days if days < span else None


def _scope_share(scope: ReportScope) -> float:
    """The planner's estimate of the share of all assignments that lie in the subtree."""
    in_scope = _rows_estimate(ReportAssignment.objects.filter(_prefix_q(scope.prefixes)))
    return in_scope / max(_rows_estimate(ReportAssignment.objects.all()), 1.0)


class _ScopeParts:
    """report_visible_q of a scoped staff member as three parts PostgreSQL can each read through an
    index, for searches and selective filters inside a subtree:
    - their own reports (report_reporter_idx);
    - the reports whose current agency is in the subtree (the agency_id index; with the GIN index
      ANDed in for a search);
    - the few others (`extra`): reports that moved out of the subtree (assignment_moved_out_idx),
      assignments written without report_submitted_at by older code (assignment_unsorted_idx), and
      assignments on paths no agency of the subtree holds today (an agency moved since).
    Every report seen through an assignment of the subtree is in one of them: if its latest such
    assignment is still open, its agency is the current one (or that agency has moved: a stale path);
    if it ended, the report went outside the subtree then, and that assignment is flagged moved_out.
    Each part is filtered by the full ``qs`` (scope and filters), so every row returned is visible."""

    def __init__(self, scope: ReportScope, *, share: float = 1.0):
        from lapor.agencies.models import Agency

        self.scope, self.share = scope, share  # share: of all assignments, for sizing search windows
        agencies = list(Agency.objects.filter(_prefix_q(scope.prefixes, "path")).values_list("id", "path"))
        self.agency_ids = [pk for pk, _path in agencies]
        held = {path for _pk, path in agencies}
        self.stale = [path for path in _scope_paths(scope.prefixes) if path not in held]

    def extra_ids(self, since: dt.datetime | None) -> list[int]:
        ranges = " OR ".join(["(agency_path ~>=~ %s AND agency_path ~<~ %s)"] * len(self.scope.prefixes))
        range_params = [v for p in self.scope.prefixes for v in (p, _prefix_end(p))]
        window = " AND report_submitted_at >= %s" if since else ""
        sql = f"""SELECT report_id FROM reports_reportassignment WHERE moved_out AND ({ranges}){window}
                  UNION SELECT report_id FROM reports_reportassignment WHERE report_submitted_at IS NULL AND ({ranges})"""
        params = [*range_params, *([since] if since else []), *range_params]
        if self.stale:
            sql += " UNION SELECT report_id FROM reports_reportassignment WHERE agency_path = ANY(%s)"
            params.append(self.stale)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [pk for (pk,) in cursor.fetchall()]

    def newest(self, qs: QuerySet[Report], n: int, *, since: dt.datetime | None = None,
               after: tuple[dt.datetime, int] | None = None, strict: bool = False) -> list[tuple[dt.datetime, int]]:
        """Candidates for the newest ``n`` rows of ``qs`` (the scope's filters, the scope, ``after`` the
        cursor), submitted since ``since``: the newest ``n`` of each part, in one statement. Own reports
        and the few others are visible by construction, and so are those of the current agencies unless
        an agency moved into the subtree after reports were routed to it: checking the scope row by row
        costs PostgreSQL a hash of every assignment of the subtree, so only ``strict`` does (the caller
        notices an invisible candidate and asks again)."""
        newest = ("-submitted_at", "-id")
        window, plain = qs.order_by(*newest), self.scope.filtered.order_by(*newest)
        if after:
            plain = plain.filter(Q(submitted_at__lt=after[0]) | Q(submitted_at=after[0], id__lt=after[1]))
        if since is not None:
            window, plain = window.filter(submitted_at__gte=since), plain.filter(submitted_at__gte=since)
        parts = [plain.filter(reporter_id=self.scope.user_id)]
        # "= ANY(array)": the planner sees how many, ORs the agency_id and primary key indexes and ANDs
        # them with the GIN index (IN (subquery) would fetch each report and recompute its vector)
        where, params = [], []
        if self.agency_ids and strict:
            parts.append(window.filter(agency_id__in=self.agency_ids))
        elif self.agency_ids:
            where.append('"reports_report"."agency_id" = ANY(%s::bigint[])')
            params.append(self.agency_ids)
        extra = self.extra_ids(since)
        if extra:
            where.append('"reports_report"."id" = ANY(%s::bigint[])')
            params.append(extra)
        if where:
            parts.append(plain.extra(where=["(" + " OR ".join(where) + ")"], params=params))
        compiled = [part.values_list("submitted_at", "id")[:n].query.sql_with_params() for part in parts]
        with _bitmap_plans(), connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(f"({sql})" for sql, _params in compiled),
                           [v for _sql, params in compiled for v in params])
            return sorted(set(cursor.fetchall()), reverse=True)[:n]


def _scoped_newest(qs: QuerySet[Report], scope: ReportScope, n: int, after: tuple[dt.datetime, int] | None, *,
                   strict: bool = False) -> list[tuple[dt.datetime, int]]:
    """Candidates for the newest ``n`` reports a scoped staff member sees (PostgreSQL). Without
    selective filters, in one statement: the newest ``n`` of each part of report_visible_q — their
    own reports, the reports routed to each agency path of the subtree (read from
    assignment_inbox_idx, a few index entries per path), and those of assignments older code wrote
    without report_submitted_at. The top ``n`` of the union is the top ``n`` overall; the caller
    re-checks them against the full scope and filters. With filters that few reports pass, walking
    the paths would read too much: the subtree's reports are read by their parts (_ScopeParts)."""
    filtered = scope.filtered
    if filtered.query.where:
        # walking a path newest first reads about n / share rows until n pass the filters
        share = _rows_estimate(filtered) / max(_rows_estimate(Report.objects.all()), 1.0)
        if share < SCOPED_MIN_SHARE:
            return _ScopeParts(scope).newest(qs, n, after=after, strict=strict)
    if after:
        filtered = filtered.filter(Q(submitted_at__lt=after[0]) | Q(submitted_at=after[0], id__lt=after[1]))
    newest = ("-submitted_at", "-id")
    own = filtered.filter(reporter_id=scope.user_id).order_by(*newest).values_list("submitted_at", "id")[:n]
    unsorted = ReportAssignment.objects.filter(_prefix_q(scope.prefixes), report_submitted_at__isnull=True)
    unsorted = filtered.filter(pk__in=unsorted.values("report_id")).order_by(*newest).values_list("submitted_at", "id")[:n]
    own_sql, own_params = own.query.sql_with_params()
    unsorted_sql, unsorted_params = unsorted.query.sql_with_params()
    where, where_params = "", []
    if after:
        where += " AND (lapor_a.report_submitted_at, lapor_a.report_id) < (%s, %s)"
        where_params += [after[0], after[1]]
    if scope.filtered.query.where:  # the list's filters, checked on each candidate report
        from django.db.models.expressions import RawSQL

        check = scope.filtered.filter(pk=RawSQL("lapor_a.report_id", [])).order_by().values("pk")
        sql, sql_params = check.query.sql_with_params()
        where += f" AND EXISTS ({sql})"
        where_params += list(sql_params)
    with connection.cursor() as cursor:
        cursor.execute(f"""
            WITH RECURSIVE {_PATHS_CTE}
            ({own_sql})
            UNION ALL
            ({unsorted_sql})
            UNION ALL
            (SELECT DISTINCT x.report_submitted_at, x.report_id  -- a report routed to two agencies of the subtree
             FROM (SELECT DISTINCT path FROM lapor_p WHERE path IS NOT NULL) AS lapor_paths
             CROSS JOIN LATERAL (
                 SELECT DISTINCT lapor_a.report_submitted_at, lapor_a.report_id
                 FROM reports_reportassignment lapor_a
                 WHERE lapor_a.agency_path = lapor_paths.path AND lapor_a.report_submitted_at IS NOT NULL{where}
                 ORDER BY lapor_a.report_submitted_at DESC, lapor_a.report_id DESC
                 LIMIT %s
             ) AS x
             ORDER BY 1 DESC, 2 DESC
             LIMIT %s)""",
                       [*_paths_params(scope.prefixes), *own_params, *unsorted_params, *where_params, n, n])
        return cursor.fetchall()


# Every distinct agency_path the assignments hold under the prefixes, read as a loose index scan of
# assignment_inbox_idx (one probe per path) rather than taken from the agency table, so that nothing
# depends on assignment paths matching today's agency tree. Parameters: _paths_params().
_PATHS_CTE = """lapor_p(hi, path) AS (
        SELECT v.hi, (SELECT a.agency_path FROM reports_reportassignment a
                      WHERE a.agency_path ~>=~ v.lo AND a.agency_path ~<~ v.hi
                      ORDER BY a.agency_path USING ~<~ LIMIT 1)
        FROM unnest(%s::varchar[], %s::varchar[]) AS v(lo, hi)
      UNION ALL
        SELECT lapor_p.hi, (SELECT a.agency_path FROM reports_reportassignment a
                            WHERE a.agency_path ~>~ lapor_p.path AND a.agency_path ~<~ lapor_p.hi
                            ORDER BY a.agency_path USING ~<~ LIMIT 1)
        FROM lapor_p WHERE lapor_p.path IS NOT NULL
    )"""


def _paths_params(prefixes: tuple[str, ...]) -> list:
    return [list(prefixes), [_prefix_end(p) for p in prefixes]]


def _scope_paths(prefixes: tuple[str, ...]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"WITH RECURSIVE {_PATHS_CTE} SELECT DISTINCT path FROM lapor_p WHERE path IS NOT NULL",
                       _paths_params(prefixes))
        return [path for (path,) in cursor.fetchall()]


def _prefix_q(prefixes: tuple[str, ...], field: str = "agency_path") -> Q:
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= Q(**{f"{field}__startswith": prefix})
    return q


def _prefix_end(prefix: str) -> str:
    """The smallest string above every string that starts with ``prefix`` (byte order, as ~<~)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


# --- Timeline and privacy -------------------------------------------------------------------

def report_reporter_visible(report: Report, viewer: User | None, *, is_reporter: bool = False) -> bool:
    """May this viewer see who filed the report? Never for an anonymous report unless the viewer
    is the reporter; a platform admin must ask explicitly (an audited reveal)."""
    if is_reporter or (viewer is not None and report.reporter_id and report.reporter_id == viewer.pk):
        return True
    if report.is_anonymous:
        return False
    return bool(user_grants(viewer))


def report_place_names(report: Report) -> tuple[str, ...]:
    """The names of the report's places: its region and every region above it (village, district,
    regency, province), for name masking (``core.masking.text_mask(places=...)``). Read through the
    per-process reference cache: no query once a region has been seen."""
    from lapor.agencies.refcache import regions_get

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
