"""How the report list reads its candidates fast on PostgreSQL: planner estimates (EXPLAIN), SET LOCAL
planner settings, a recursive CTE over the assignment paths, and the windows of time a search reads.

Query-planner tuning, kept apart from the rules it serves (reports/selectors.py). Every function
here only proposes candidates, as (submitted_at, id) pairs; the selectors read the page through the
full queryset (scope and filters), so a wrong guess here costs time, never privacy. Figures and plans:
docs/benchmarks.md, "Search and inbox over 1,000,000 reports".

The interface:
- ``custom_plans()``: a search plans each statement for its own words (wrap a search page in it);
- ``newest_candidates(qs, n, ...)``: the newest ``n`` of a list page, by the plan its shape needs;
- ``search_parts(scope)`` and ``search_newest(qs, n, ...)``: a search's newest matches (relevance
  ranks them).
"""

from __future__ import annotations

import datetime as dt
import json
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import BooleanField, Max, Min, Q, QuerySet
from django.db.models.expressions import RawSQL

from lapor.agencies.models import Agency

from .models import Report, ReportAssignment

if TYPE_CHECKING:
    from .selectors import ReportScope

# A subtree holding less than this share of all assignments searches its own reports (ScopeParts).
SCOPED_SEARCH_MAX_SHARE = 0.2
SCOPED_MIN_SHARE = 0.05  # below this share of all reports passing a list's filters, filter first
MIN_WINDOW_DAYS = 1 / 1440  # a search window is at least a minute wide (a young database's span is minutes)
NEWEST = ("-submitted_at", "-id")


def newest_candidates(
    qs: QuerySet[Report],
    n: int,
    *,
    after: tuple[dt.datetime, int] | None,
    search: str,
    scope: ReportScope | None,
    parts: ScopeParts | None,
    strict: bool,
) -> list[tuple[dt.datetime, int]]:
    """Candidates for the newest ``n`` rows of the newest-first ``qs`` (PostgreSQL): a search by
    windows of time (search_newest), a scoped staff member's inbox per agency path (scoped_newest),
    anything else ids first (the sort reads one narrow index, the joins only ``n`` rows). ``strict``:
    the caller found an invisible candidate and asks again, checking the scope row by row."""
    if search:
        return search_newest(qs, n, after=after, parts=parts, strict=strict)
    if scope is not None:
        return scoped_newest(qs, scope, n, after, strict=strict)
    return list(qs.values_list("submitted_at", "id")[:n])


@contextmanager
def _local_settings(settings: dict[str, str]):
    """PostgreSQL settings for the statements inside only (SET LOCAL, in a transaction or savepoint)."""
    nested = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if nested:  # SET LOCAL outlives a savepoint: put the values back afterwards
            cursor.execute("SELECT " + ", ".join(f"current_setting('{name}')" for name in settings))
            previous = dict(zip(settings, cursor.fetchone()))
        cursor.execute(
            "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(settings)),
            [v for pair in settings.items() for v in pair],
        )
        yield  # on an error the transaction (or savepoint) rolls back, and the settings with it
        if nested:
            cursor.execute(
                "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(previous)),
                [v for pair in previous.items() for v in pair],
            )


def _bitmap_plans():
    """For the statements inside: bitmap scans only (the GIN index ANDed with a B-tree), no parallel
    workers and no JIT: for reads without a window of time (rare words, a subtree's parts), where a
    walk of the submitted_at index newest first could read the whole table before ``n`` match."""
    # without enable_seqscan=off PostgreSQL reads a few thousand rows' vectors sequentially rather than
    # price the GIN index right (35,000 reports, 1,200 matches: 13.7 ms instead of 5.6)
    return _local_settings(
        {"enable_indexscan": "off", "enable_seqscan": "off", "max_parallel_workers_per_gather": "0", "jit": "off"}
    )


def custom_plans():
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


def search_parts(scope: ReportScope | None) -> ScopeParts | None:
    """How a viewer's searches read the matches: a staff member of a small subtree (below
    SCOPED_SEARCH_MAX_SHARE of all assignments) by the subtree's parts; everyone else through ``qs``."""
    if scope is None:
        return None
    share = _scope_share(scope)
    return ScopeParts(scope, share=share) if share < SCOPED_SEARCH_MAX_SHARE else None


def search_newest(
    qs: QuerySet[Report],
    n: int,
    *,
    after: tuple[dt.datetime, int] | None = None,
    parts: ScopeParts | None = None,
    strict: bool = False,
) -> list[tuple[dt.datetime, int]]:
    """The newest ``n`` rows of a full-text filtered, newest-first ``qs`` (PostgreSQL), as
    (submitted_at, id). Sorting every match would read one heap page per match (82,000 for a
    common word); instead read the matches of a window of submission time sized from the planner's
    estimate of the matches, and widen it until it holds ``n`` rows or covers everything. In a
    window PostgreSQL chooses: walk the submitted_at index checking the stored vector (a common word:
    a few rows per match) or AND the GIN index with it; rare words (no window) are read from the GIN
    index. A staff member of a small subtree reads only the subtree's reports (``parts``, from
    search_parts), the GIN index ANDed with the current agency's index."""
    if parts is not None:
        # matches in the subtree: assume the words as common there as anywhere, and allow more
        expected, margin = _rows_estimate(parts.scope.filtered) * parts.share, 4
    else:
        expected, margin = _rows_estimate(qs), 2
    days: float | None = None
    span = MIN_WINDOW_DAYS  # set with days, and read only then
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


class ScopeParts:
    """report_visible_q of a scoped staff member as three parts PostgreSQL can each read through an
    index, for searches and selective filters inside a subtree:
    - their own reports (report_reporter_idx);
    - the reports whose current agency is in the subtree (the agency_id index; with the GIN index
      ANDed in for a search);
    - the few others (`extra`): reports that moved out of the subtree (assignment_moved_out_idx), and
      assignments on paths no agency of the subtree holds today (an agency moved since).
    Every report seen through an assignment of the subtree is in one of them: if its latest such
    assignment is still open, its agency is the current one (or that agency has moved: a stale path);
    if it ended, the report went outside the subtree then, and that assignment is flagged moved_out.
    Each part is filtered by the full ``qs`` (scope and filters), so every row returned is visible."""

    def __init__(self, scope: ReportScope, *, share: float = 1.0):
        self.scope, self.share = scope, share  # share: of all assignments, for sizing search windows
        agencies = list(Agency.objects.filter(_prefix_q(scope.prefixes, "path")).values_list("id", "path"))
        self.agency_ids = [pk for pk, _path in agencies]
        held = {path for _pk, path in agencies}
        self.stale = [path for path in _scope_paths(scope.prefixes) if path not in held]

    def extra_ids(self, since: dt.datetime | None) -> list[int]:
        ranges = " OR ".join(["(agency_path ~>=~ %s AND agency_path ~<~ %s)"] * len(self.scope.prefixes))
        range_params = [v for p in self.scope.prefixes for v in (p, _prefix_end(p))]
        window = " AND report_submitted_at >= %s" if since else ""
        sql = f"SELECT report_id FROM reports_reportassignment WHERE moved_out AND ({ranges}){window}"
        params: list[str | dt.datetime | list[str]] = [*range_params, *([since] if since else [])]
        if self.stale:
            sql += " UNION SELECT report_id FROM reports_reportassignment WHERE agency_path = ANY(%s)"
            params.append(self.stale)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [pk for (pk,) in cursor.fetchall()]

    def newest(
        self,
        qs: QuerySet[Report],
        n: int,
        *,
        since: dt.datetime | None = None,
        after: tuple[dt.datetime, int] | None = None,
        strict: bool = False,
    ) -> list[tuple[dt.datetime, int]]:
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
        # "= ANY(array)", one parameter: the planner sees how many, ORs the agency_id and primary key
        # indexes and ANDs them with the GIN index (IN (subquery) would fetch each report and recompute
        # its vector; IN (list) would bind a parameter per id, over PostgreSQL's limit for a large subtree)
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
            either = RawSQL("(" + " OR ".join(where) + ")", params, output_field=BooleanField())
            parts.append(plain.filter(either))
        compiled = [part.values_list("submitted_at", "id")[:n].query.sql_with_params() for part in parts]
        with _bitmap_plans(), connection.cursor() as cursor:
            cursor.execute(
                " UNION ALL ".join(f"({sql})" for sql, _params in compiled),
                [v for _sql, params in compiled for v in params],
            )
            return sorted(set(cursor.fetchall()), reverse=True)[:n]


def scoped_newest(
    qs: QuerySet[Report], scope: ReportScope, n: int, after: tuple[dt.datetime, int] | None, *, strict: bool = False
) -> list[tuple[dt.datetime, int]]:
    """Candidates for the newest ``n`` reports a scoped staff member sees (PostgreSQL). Without
    selective filters, in one statement: the newest ``n`` of each part of report_visible_q — their
    own reports, and the reports routed to each agency path of the subtree (read from
    assignment_inbox_idx, a few index entries per path). The top ``n`` of the union is the top ``n``
    overall; the caller re-checks them against the full scope and filters. With filters that few reports pass, walking
    the paths would read too much: the subtree's reports are read by their parts (ScopeParts)."""
    filtered = scope.filtered
    if filtered.query.where:
        # walking a path newest first reads about n / share rows until n pass the filters
        share = _rows_estimate(filtered) / max(_rows_estimate(Report.objects.all()), 1.0)
        if share < SCOPED_MIN_SHARE:
            return ScopeParts(scope).newest(qs, n, after=after, strict=strict)
    if after:
        filtered = filtered.filter(Q(submitted_at__lt=after[0]) | Q(submitted_at=after[0], id__lt=after[1]))
    newest = ("-submitted_at", "-id")
    own = filtered.filter(reporter_id=scope.user_id).order_by(*newest).values_list("submitted_at", "id")[:n]
    own_sql, own_params = own.query.sql_with_params()
    where, where_params = "", list[dt.datetime | int | str]()
    if after:
        where += " AND (lapor_a.report_submitted_at, lapor_a.report_id) < (%s, %s)"
        where_params += [after[0], after[1]]
    if scope.filtered.query.where:  # the list's filters, checked on each candidate report
        check = scope.filtered.filter(pk=RawSQL("lapor_a.report_id", [])).order_by().values("pk")
        sql, sql_params = check.query.sql_with_params()
        where += f" AND EXISTS ({sql})"
        where_params += list(sql_params)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE {_PATHS_CTE}
            ({own_sql})
            UNION ALL
            (SELECT DISTINCT x.report_submitted_at, x.report_id  -- a report routed to two agencies of the subtree
             FROM (SELECT DISTINCT path FROM lapor_p WHERE path IS NOT NULL) AS lapor_paths
             CROSS JOIN LATERAL (
                 SELECT DISTINCT lapor_a.report_submitted_at, lapor_a.report_id
                 FROM reports_reportassignment lapor_a
                 WHERE lapor_a.agency_path = lapor_paths.path{where}
                 ORDER BY lapor_a.report_submitted_at DESC, lapor_a.report_id DESC
                 LIMIT %s
             ) AS x
             ORDER BY 1 DESC, 2 DESC
             LIMIT %s)""",
            [*_paths_params(scope.prefixes), *own_params, *where_params, n, n],
        )
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
        cursor.execute(
            f"WITH RECURSIVE {_PATHS_CTE} SELECT DISTINCT path FROM lapor_p WHERE path IS NOT NULL",
            _paths_params(prefixes),
        )
        return [path for (path,) in cursor.fetchall()]


def _prefix_q(prefixes: tuple[str, ...], field: str = "agency_path") -> Q:
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= Q(**{f"{field}__startswith": prefix})
    return q


def _prefix_end(prefix: str) -> str:
    """The smallest string above every string that starts with ``prefix`` (byte order, as ~<~)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
