"""Building the roll-ups (``StatCell``) from the raw report table, set-based.

A refresh recounts whole cohort months (reports by the month they were submitted, in the
deployment's time zone): the full history on ``--full``, otherwise only the months holding a
report that has an audit event since the previous run (every change of a report writes one),
plus the current month. One refresh runs at a time (PostgreSQL: an advisory lock; SQLite: a lock
file beside the database).

PostgreSQL recounts and merges all months of one refresh in one transaction, so readers see
either the old or the new numbers, never a mix (row locks do not stop other writers).

SQLite has one write lock for the whole database, so no refresh may hold it for long (issue 15: a
full refresh holding it for minutes made every citizen's write fail with "database is locked").
There the counting happens in temporary tables inside a read-only (DEFERRED) transaction: it
writes only the connection's private temp database and takes no lock that blocks a writer. The
differences with ``analytics_statcell`` are found through indexes (n log n, never a correlated
scan of an unindexed table) into ``an_diff``, and applied in batches of a fraction of a second,
each its own short write transaction with a pause between them, so a user's write waits for at
most one batch. The trade-off: while the batches of one refresh are applied (typically well
under a second of writes spread over a few seconds), a reader may see some months already
recounted and others not yet, and a dashboard read in that window may mix old and new cells
until the run finishes (the cached dashboards are keyed by the finished run, so the mix is not
kept once it has).

How (a few statements per dimension, whatever the number of reports):

1. ``an_base``: one pass over ``reports_report`` (the SELECT is compiled by the ORM, so the local
   dates are computed by the database's own time-zone conversion on PostgreSQL and SQLite alike)
   keeps only the narrow columns the cells need: local dates of submission, verification, first
   follow-up and completion, agency, region, flags.
2. ``an_day``: one row per calendar day in range with its *working-day ordinal* (working days up to
   and including that day, from ``lapor.reports.deadlines.calendar_get()``), its month and its
   week; working days between two dates = ordinal difference, exactly
   ``WorkingCalendar.working_days_between``. ``an_region`` maps a region code to its province and
   regency; ``an_agency`` maps an agency to the scopes of itself and all its ancestors.
3. ``an_fact``: ``an_base`` joined to those: one narrow row per report with every cell key ready.
4. Per dimension one pass over ``an_fact`` pre-aggregates by everything a scope depends on, then
   one ``INSERT … SELECT … GROUP BY`` per scope kind (agency scopes fan out over ``an_agency``)
   into ``an_cells``; finally ``an_cells`` is merged into ``analytics_statcell`` for those months:
   vanished cells deleted, changed counts updated, new cells inserted. Past months rarely change,
   so even a full refresh writes only what differs.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Case, CharField, F, IntegerField, Q, Value, When
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from lapor.agencies.models import Agency
from lapor.reports import lifecycle as lc
from lapor.reports.deadlines import calendar_get, tz
from lapor.reports.models import Report, ReportEvent

from .models import RollupRun, StatCell

log = logging.getLogger("lapor.analytics")

NATIONAL, PUBLIC = "n", "p"
PUBLIC_HIDDEN_STATES = (lc.State.SUBMITTED, lc.State.ARCHIVED)  # as report_public_qs
LOCK_KEY = 0x1A9A_0006  # PostgreSQL advisory lock: one refresh at a time
RUNS_KEPT_DAYS = 30  # the run log (a refresh every 15 minutes) is pruned after this
# SQLite: each batch of the merge is one write transaction aiming at this duration (the batch size
# adapts), then the refresh pauses long enough for a writer's busy handler (which sleeps up to
# 100 ms between tries) to get the lock before the next batch.
BATCH_SECONDS = 0.15
BATCH_ROWS = (200, 1_000, 20_000)  # min, first, max rows per batch
BATCH_PAUSE_SECONDS = 0.12
_local_lock = threading.Lock()

# (dim, key expression over an_fact, condition or None). Keys are text.
DIMS: tuple[tuple[str, str, str | None], ...] = (
    ("received", "''", None),
    ("state", "f.state", None),
    ("type", "f.rtype", None),
    ("channel", "f.channel", None),
    ("topic", "f.topic", None),
    ("province", "f.province", None),
    ("regency", "f.regency", None),
    ("week", "f.week", None),
    ("in_time", "f.in_time", "f.in_time IS NOT NULL"),
    ("verify_days", "f.verify_days", "f.verify_days IS NOT NULL"),
    ("follow_up_days", "f.follow_up_days", "f.follow_up_days IS NOT NULL"),
    ("complete_days", "f.complete_days", "f.complete_days IS NOT NULL"),
    ("overdue", "''", "f.overdue = 1"),
    ("bounced", "''", "f.bounced = 1"),
    ("reopened", "''", "f.reopened = 1"),
    ("rating", "f.rating", "f.rating IS NOT NULL"),
    # Weekly series for the unusual-volume alerts.
    ("topic_week", "f.topic || '|' || f.week", None),
    ("regency_week", "f.regency || '|' || f.week", "f.regency <> ''"),
)
# Which scope kinds keep which weekly series: a regency scope has one regency, so no regency series.
SCOPE_SKIP = {"regency": {"regency_week"}}


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_next(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = tz()
    return (
        dt.datetime.combine(month, dt.time(), tzinfo=zone),
        dt.datetime.combine(month_next(month), dt.time(), tzinfo=zone),
    )


def region_parts(code: str | None) -> tuple[str, str]:
    """(province, regency) of a region code; '' where there is none."""
    if not code:
        return "", ""
    parts = code.split(".")
    return parts[0], ".".join(parts[:2]) if len(parts) > 1 else ""


def _agency_scopes() -> dict[int, list[str]]:
    return {
        pk: [f"a:{int(seg)}" for seg in path.split(".") if seg] for pk, path in Agency.objects.values_list("pk", "path")
    }


def _month_ranges(months: set[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Contiguous runs of months as [first, last] pairs."""
    out: list[list[dt.date]] = []
    for m in sorted(months):
        if out and month_next(out[-1][1]) == m:
            out[-1][1] = m
        else:
            out.append([m, m])
    return [(a, b) for a, b in out]


def _base_query(months: set[dt.date] | None):
    zone = tz()
    qs = Report.objects.all()
    if months is not None:
        q = Q(pk__in=[])
        for first, last in _month_ranges(months):
            q |= Q(submitted_at__gte=month_bounds(first)[0], submitted_at__lt=month_bounds(last)[1])
        qs = qs.filter(q)
    done_both = Q(state=lc.State.DONE, completed_at__isnull=False, completion_due_at__isnull=False)
    flag = lambda q: Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())  # noqa: E731
    qs = qs.order_by().annotate(
        sd=TruncDate("submitted_at", tzinfo=zone),
        vd=TruncDate("verified_at", tzinfo=zone),
        fd=TruncDate("first_follow_up_at", tzinfo=zone),
        cd=TruncDate("completed_at", tzinfo=zone),
        pub=flag(Q(is_confidential=False) & ~Q(state__in=PUBLIC_HIDDEN_STATES)),
        ov=flag(Q(is_overdue=True)),
        bo=flag(Q(bounce_count__gt=0)),
        ro=flag(Q(reopen_count__gt=0)),
        it=Case(
            When(done_both & Q(completed_at__lte=F("completion_due_at")), then=Value("1")),
            When(done_both, then=Value("0")),
            default=None,
            output_field=CharField(),
        ),
    )
    return qs.values_list(
        "sd",
        "vd",
        "fd",
        "cd",
        "agency_id",
        "region_id",
        "topic_id",
        "state",
        "type",
        "channel",
        "rating",
        "pub",
        "ov",
        "bo",
        "ro",
        "it",
    )


BASE_COLS = (
    "sd",
    "vd",
    "fd",
    "cd",
    "agency_id",
    "region_id",
    "topic_id",
    "state",
    "rtype",
    "channel",
    "rating",
    "pub",
    "ov",
    "bo",
    "ro",
    "it",
)


def _constant(expr: str) -> bool:
    """A string literal: PostgreSQL refuses one in GROUP BY ("non-integer constant")."""
    return expr.startswith("'") and expr.endswith("'") and "|" not in expr


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


class _Build:
    """The temporary tables of one refresh, on the current connection."""

    def __init__(self, cursor):
        self.c = cursor
        self.pg = connection.vendor == "postgresql"

    def day(self, d: dt.date):
        return d if self.pg else d.isoformat()

    def drop(self) -> None:
        for name in ("an_diff", "an_cells", "an_g", "an_fact", "an_base", "an_day", "an_region", "an_agency"):
            self.c.execute(f"DROP TABLE IF EXISTS {name}")

    def base(self, months: set[dt.date] | None) -> int:
        sql, params = _base_query(months).query.sql_with_params()
        cols = ", ".join(BASE_COLS)
        if self.pg:
            self.c.execute(f"CREATE TEMPORARY TABLE an_base ({cols}) AS {sql}", params)
        else:  # SQLite names the columns after the expressions: name them by position
            self.c.execute(f"SELECT * FROM ({sql}) LIMIT 0", params)
            names = [d[0] for d in self.c.description]
            select = ", ".join(f'q."{n}" AS {col}' for n, col in zip(names, BASE_COLS))
            self.c.execute(f"CREATE TEMPORARY TABLE an_base AS SELECT {select} FROM ({sql}) q", params)
        self.c.execute(
            "SELECT COUNT(*), MIN(sd), MAX(sd), MAX(vd), MAX(fd), MAX(cd), MIN(vd), MIN(fd), MIN(cd) FROM an_base"
        )
        count, *dates = self.c.fetchone()
        self.span = [_date(d) for d in dates if d is not None]
        return count

    def days(self) -> None:
        self.c.execute(
            "CREATE TEMPORARY TABLE an_day (day DATE PRIMARY KEY, ord INTEGER NOT NULL, month DATE NOT NULL, "
            "week VARCHAR(10) NOT NULL)"
        )
        if not self.span:
            return
        cal = calendar_get()
        day, end, ordinal, rows = min(self.span) - dt.timedelta(days=1), max(self.span), 0, []
        while day <= end:
            ordinal += cal.is_working_day(day)
            rows.append((self.day(day), ordinal, self.day(month_start(day)), week_start(day).isoformat()))
            day += dt.timedelta(days=1)
        self.c.executemany("INSERT INTO an_day (day, ord, month, week) VALUES (%s, %s, %s, %s)", rows)

    def maps(self) -> None:
        self.c.execute(
            "CREATE TEMPORARY TABLE an_region (region_id VARCHAR(32) PRIMARY KEY, province VARCHAR(32) NOT NULL, "
            "regency VARCHAR(32) NOT NULL)"
        )
        self.c.execute("SELECT DISTINCT region_id FROM an_base WHERE region_id IS NOT NULL")
        rows = [(code, *region_parts(code)) for (code,) in self.c.fetchall()]
        self.c.executemany("INSERT INTO an_region (region_id, province, regency) VALUES (%s, %s, %s)", rows)
        self.c.execute("CREATE TEMPORARY TABLE an_agency (agency_id BIGINT NOT NULL, scope VARCHAR(24) NOT NULL)")
        rows = [(pk, scope) for pk, scopes in _agency_scopes().items() for scope in scopes]
        self.c.executemany("INSERT INTO an_agency (agency_id, scope) VALUES (%s, %s)", rows)
        self.c.execute("CREATE INDEX an_agency_idx ON an_agency (agency_id)")

    def fact(self) -> None:
        def span(alias: str) -> str:
            return (
                f"CASE WHEN {alias}.ord > d.ord THEN CAST({alias}.ord - d.ord AS VARCHAR(8)) "
                f"WHEN {alias}.ord IS NOT NULL THEN '0' END"
            )

        self.c.execute(f"""
            CREATE TEMPORARY TABLE an_fact AS
            SELECT d.month AS month, d.week AS week, b.agency_id AS agency_id,
                   COALESCE(r.province, '') AS province, COALESCE(r.regency, '') AS regency,
                   b.pub AS pub, b.state AS state, b.rtype AS rtype, b.channel AS channel,
                   CAST(COALESCE(b.topic_id, 0) AS VARCHAR(12)) AS topic, CAST(b.rating AS VARCHAR(4)) AS rating,
                   b.ov AS overdue, b.bo AS bounced, b.ro AS reopened, b.it AS in_time,
                   {span("dv")} AS verify_days, {span("df")} AS follow_up_days, {span("dc")} AS complete_days
            FROM an_base b
            JOIN an_day d ON d.day = b.sd
            LEFT JOIN an_day dv ON dv.day = b.vd
            LEFT JOIN an_day df ON df.day = b.fd
            LEFT JOIN an_day dc ON dc.day = b.cd
            LEFT JOIN an_region r ON r.region_id = b.region_id""")
        if self.pg:
            self.c.execute("ANALYZE an_fact")

    def cells(self) -> int:
        """INSERT the cells of every dimension and scope kind; returns the number of cells.

        Per dimension, one pass over ``an_fact`` pre-aggregates by everything a scope can depend
        on (month, agency, province, regency, public flag, key): 3-8 times fewer rows, from which
        every scope kind is then summed."""
        self.c.execute(
            "CREATE TEMPORARY TABLE an_cells (scope VARCHAR(24) NOT NULL, month DATE NOT NULL, "
            "dim VARCHAR(16) NOT NULL, k VARCHAR(48) NOT NULL, n INTEGER NOT NULL)"
        )
        insert = "INSERT INTO an_cells (scope, month, dim, k, n) "
        kinds = (
            ("national", "'n'", None),
            ("public", "'p'", "g.pub = 1"),
            ("province", "'r:' || g.province", "g.province <> ''"),
            ("regency", "'r:' || g.regency", "g.regency <> ''"),
        )
        total = 0
        for dim, key, cond in DIMS:
            self.c.execute("DROP TABLE IF EXISTS an_g")
            self.c.execute(f"""CREATE TEMPORARY TABLE an_g AS
                SELECT f.month AS month, f.agency_id AS agency_id, f.province AS province, f.regency AS regency,
                       f.pub AS pub, {key} AS k, COUNT(*) AS n
                FROM an_fact f WHERE {cond or "1 = 1"}
                GROUP BY f.month, f.agency_id, f.province, f.regency, f.pub{"" if _constant(key) else ", " + key}""")
            for kind, scope, kind_cond in kinds:
                if dim in SCOPE_SKIP.get(kind, ()):
                    continue
                group = ", ".join(e for e in (scope, "g.month", "g.k") if not _constant(e))
                self.c.execute(
                    f"{insert} SELECT {scope}, g.month, %s, g.k, SUM(g.n) FROM an_g g "
                    f"WHERE {kind_cond or '1 = 1'} GROUP BY {group}",
                    [dim],
                )
                total += self.c.rowcount
            self.c.execute(
                f"""{insert} SELECT m.scope, g.month, %s, g.k, SUM(g.n) FROM an_g g
                JOIN an_agency m ON m.agency_id = g.agency_id GROUP BY m.scope, g.month, g.k""",
                [dim],
            )
            total += self.c.rowcount
        self.c.execute("DROP TABLE IF EXISTS an_g")
        return total

    def store(self, months: set[dt.date] | None) -> dict[str, int]:
        """Merge ``an_cells`` into ``StatCell`` for ``months`` (None: all): delete the cells that are
        gone, update the ones whose count changed, insert the new ones (in index order). Most cells
        of past months do not change, so a refresh writes little: no index churn, few dead rows.
        PostgreSQL writes here; SQLite only fills ``an_diff`` (through indexes: each side is looked
        up in the other's index, n log n) for ``apply`` to write in short batches."""
        table = StatCell._meta.db_table
        same = 'c.scope = s.scope AND c.dim = s.dim AND c.month = s.month AND c.k = s."key"'
        in_months, params = "1 = 1", []
        if months is not None:
            in_months = f"s.month IN ({', '.join(['%s'] * len(months))})"
            params = [self.day(m) for m in sorted(months)]
        out = {}
        if self.pg:  # one hash full join finds every difference (sorting 4-column text keys is what costs)
            self.c.execute("ANALYZE an_cells")
            self.c.execute("SET LOCAL enable_mergejoin = off")
            self.c.execute(
                f"""CREATE TEMPORARY TABLE an_diff AS
                SELECT s.id AS id, c.scope AS scope, c.month AS month, c.dim AS dim, c.k AS k, c.n AS n
                FROM an_cells c FULL JOIN (SELECT * FROM {table} s WHERE {in_months}) s ON {same}
                WHERE s.id IS NULL OR c.scope IS NULL OR s.n <> c.n""",
                params,
            )
            self.c.execute(f"DELETE FROM {table} WHERE id IN (SELECT id FROM an_diff WHERE scope IS NULL)")
            out["deleted"] = self.c.rowcount
            self.c.execute(f"UPDATE {table} s SET n = d.n FROM an_diff d WHERE s.id = d.id AND d.scope IS NOT NULL")
            out["updated"] = self.c.rowcount
            self.c.execute(
                f'INSERT INTO {table} (scope, month, dim, "key", n) SELECT scope, month, dim, k, n '
                "FROM an_diff WHERE id IS NULL ORDER BY scope, dim, month, k"
            )
            out["inserted"] = self.c.rowcount
            return out
        # SQLite: find the differences through indexes into an_diff (no main-database lock yet) ...
        self.c.execute("CREATE INDEX an_cells_key ON an_cells (scope, dim, month, k)")
        self.c.execute(
            "CREATE TEMPORARY TABLE an_diff (id BIGINT, scope VARCHAR(24), month DATE, dim VARCHAR(16), "
            "k VARCHAR(48), n INTEGER)"
        )
        # vanished cells (id only), changed counts (id and n), new cells (no id)
        self.c.execute(
            f"INSERT INTO an_diff (id) SELECT s.id FROM {table} s WHERE {in_months} "
            f"AND NOT EXISTS (SELECT 1 FROM an_cells c WHERE {same})",
            params,
        )
        self.c.execute(
            f"INSERT INTO an_diff (id, scope, n) SELECT s.id, c.scope, c.n FROM an_cells c "
            f"JOIN {table} s ON {same} WHERE c.n <> s.n"
        )
        self.c.execute(
            f"INSERT INTO an_diff (scope, month, dim, k, n) SELECT c.scope, c.month, c.dim, c.k, c.n "
            f"FROM an_cells c WHERE NOT EXISTS (SELECT 1 FROM {table} s WHERE {same}) "
            "ORDER BY c.scope, c.dim, c.month, c.k"
        )
        return {}

    def apply(self) -> dict[str, int]:
        """SQLite: write ``an_diff`` into ``StatCell`` in batches, each its own short write
        transaction (a savepoint when the caller holds a transaction), pausing between them."""
        table = StatCell._meta.db_table
        out = {"deleted": 0, "updated": 0, "inserted": 0, "batches": 0}
        self.c.execute("SELECT COALESCE(MAX(rowid), 0) FROM an_diff")
        last = self.c.fetchone()[0]
        low, size = 1, BATCH_ROWS[1]
        held = 0.0
        while low <= last:
            high = low + size - 1
            started = time.perf_counter()
            with transaction.atomic():
                self.c.execute(
                    f"DELETE FROM {table} WHERE id IN "
                    "(SELECT id FROM an_diff WHERE rowid BETWEEN %s AND %s AND scope IS NULL)",
                    [low, high],
                )
                out["deleted"] += self.c.rowcount
                self.c.execute(
                    f"UPDATE {table} SET n = d.n FROM an_diff d WHERE {table}.id = d.id "
                    "AND d.rowid BETWEEN %s AND %s AND d.id IS NOT NULL AND d.scope IS NOT NULL",
                    [low, high],
                )
                out["updated"] += self.c.rowcount
                # ON CONFLICT: a cell a concurrent writer (a refresh of another deployment tool) added meanwhile
                self.c.execute(
                    f'INSERT INTO {table} (scope, month, dim, "key", n) SELECT scope, month, dim, k, n '
                    "FROM an_diff WHERE rowid BETWEEN %s AND %s AND id IS NULL ORDER BY rowid "
                    'ON CONFLICT (scope, dim, month, "key") DO UPDATE SET n = excluded.n',
                    [low, high],
                )
                out["inserted"] += self.c.rowcount
            took = time.perf_counter() - started
            held = max(held, took)
            out["batches"] += 1
            low = high + 1
            size = int(min(max(size * BATCH_SECONDS / max(took, 1e-3), BATCH_ROWS[0]), BATCH_ROWS[2]))
            if low <= last and not connection.in_atomic_block:
                time.sleep(BATCH_PAUSE_SECONDS)  # let waiting writers in
        self.longest_batch = held
        return out


@contextmanager
def _one_refresh():
    """One refresh at a time. PostgreSQL takes its advisory lock inside the transaction; SQLite
    (several web workers, the scheduler and a hand-run ``lapor analytics refresh`` may share one
    file) locks a file beside the database."""
    with _local_lock:
        name = str(connection.settings_dict.get("NAME") or "")
        if connection.vendor != "sqlite" or not name or ":memory:" in name or "mode=memory" in name:
            yield
            return
        try:
            import fcntl  # POSIX only: elsewhere the process lock alone
        except ImportError:  # not on POSIX: the process lock only
            yield
            return
        with open(f"{name}.rollup-lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _read_snapshot(cursor):
    """SQLite outside a transaction: a DEFERRED transaction that reads the main database and
    writes only temporary tables, so it takes no lock that blocks a writer and the counting sees
    one consistent snapshot. Inside the caller's transaction: nothing to do."""
    if connection.in_atomic_block:
        yield
        return
    cursor.execute("BEGIN DEFERRED")
    try:
        yield
    except BaseException:
        cursor.execute("ROLLBACK")
        raise
    cursor.execute("COMMIT")


def months_touched(since: dt.datetime) -> set[dt.date]:
    months = (
        ReportEvent.objects.filter(created_at__gte=since)
        .annotate(m=TruncMonth("report__submitted_at", tzinfo=tz()))
        .values_list("m", flat=True)
        .distinct()
    )
    return {m.date() if isinstance(m, dt.datetime) else m for m in months}


def _count(b: _Build, months: set[dt.date] | None, timings: dict) -> tuple[int, int, set[dt.date]]:
    b.drop()
    t = time.perf_counter()
    reports = b.base(months)
    timings["base"] = time.perf_counter() - t
    b.days()
    b.maps()
    t = time.perf_counter()
    b.fact()
    timings["fact"] = time.perf_counter() - t
    b.c.execute("SELECT DISTINCT month FROM an_fact")
    found = {_date(m) for (m,) in b.c.fetchall()}
    t = time.perf_counter()
    cells = b.cells()
    timings["count"] = time.perf_counter() - t
    return reports, cells, found


def rollup_build(months: set[dt.date] | None) -> tuple[int, int, set[dt.date]]:
    """Recount ``months`` (None: everything). Returns (reports, cells, months).

    PostgreSQL: one transaction. SQLite: counted without the write lock, merged in short batches
    (see the module docstring)."""
    timings: dict[str, float] = {}
    with _one_refresh():
        if connection.vendor == "postgresql":
            with transaction.atomic(), connection.cursor() as cursor:
                b = _Build(cursor)
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
                cursor.execute("SET LOCAL work_mem = '64MB'")
                reports, cells, found = _count(b, months, timings)
                t = time.perf_counter()
                changes = b.store(None if months is None else months | found)
                timings["store"] = time.perf_counter() - t
                b.drop()
        else:
            with connection.cursor() as cursor:
                b = _Build(cursor)
                try:
                    with _read_snapshot(cursor):
                        reports, cells, found = _count(b, months, timings)
                        t = time.perf_counter()
                        b.store(None if months is None else months | found)
                        timings["diff"] = time.perf_counter() - t
                    t = time.perf_counter()
                    changes = b.apply()
                    timings["store"] = time.perf_counter() - t
                    timings["longest write"] = b.longest_batch
                finally:
                    b.drop()
    log.info(
        "analytics roll-up build: %s reports, %s cells (%s), %s",
        reports,
        cells,
        ", ".join(f"{k} {v}" for k, v in changes.items()),
        ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()),
    )
    return reports, cells, found if months is None else months


def rollup_refresh(*, full: bool = False, now: dt.datetime | None = None) -> RollupRun:
    now = now or timezone.now()
    last = RollupRun.objects.filter(finished_at__isnull=False).first()
    run = RollupRun.objects.create(started_at=now, full=full or last is None)
    if run.full:
        months = None
    else:
        months = months_touched(last.started_at - dt.timedelta(minutes=5))
        months.add(month_start(now.astimezone(tz()).date()))
    reports, cells, months = rollup_build(months)
    run.finished_at, run.months, run.reports = timezone.now(), len(months), reports
    run.save(update_fields=["finished_at", "months", "reports"])
    RollupRun.objects.filter(started_at__lt=now - dt.timedelta(days=RUNS_KEPT_DAYS)).delete()
    log.info("analytics roll-up: %s months, %s reports, %s cells, full=%s", len(months), reports, cells, run.full)
    return run
