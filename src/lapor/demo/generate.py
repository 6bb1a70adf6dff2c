"""``lapor demo generate --reports N``: N realistic reports over the last two years, fast.

Each report is simulated through the real state machine (lifecycle.TRANSITIONS) in memory: the
same events, assignments, messages, deadlines and overdue flags the services and the sweep would
have written, with timestamps in the past. Rows are then written in bulk with explicit ids
(PostgreSQL COPY; executemany on SQLite) — the services would take hours for a million reports.
This is the one place that writes Report rows directly: demo data only, never app code.
"""

from __future__ import annotations

import datetime as dt
import os
import multiprocessing
import queue
import random
import sys
import threading
import time
from collections import deque

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from tqdm import tqdm

from lapor.accounts.models import RoleAssignment, User
from lapor.agencies.models import Agency, Region, RoutingRule, Topic
from lapor.reports.deadlines import calendar_get, stage_days, tz
from lapor.reports.models import TRACKING_ALPHABET, Message, Report, ReportAssignment, ReportEvent

from . import network
from . import texts as tx
from .sim import FastRandom, Simulation, WorkCalendar

YEARS = 2
DEMO_CITIZEN = "warga@lapor.example"  # demo/load.py's citizen account
LARGE_LOAD = 50_000  # from this many reports on PostgreSQL: indexes rebuilt once, writes in a second thread

REPORT_COLS = (
    "id",
    "tracking_id",
    "guest_secret_hash",
    "type",
    "title",
    "body",
    "topic_id",
    "region_id",
    "latitude",
    "longitude",
    "address",
    "incident_date",
    "target_agency_id",
    "channel",
    "is_anonymous",
    "is_confidential",
    "reporter_id",
    "guest_name",
    "guest_email",
    "guest_phone",
    "state",
    "agency_id",
    "due_at",
    "completion_due_at",
    "paused_state",
    "paused_remaining_days",
    "is_overdue",
    "overdue_since",
    "escalation_level",
    "escalated_at",
    "bounce_count",
    "reopen_count",
    "archive_reason",
    "duplicate_of_id",
    "rating",
    "rating_comment",
    "auto_routed",
    "submitted_at",
    "verified_at",
    "first_follow_up_at",
    "completed_at",
    "updated_at",
    "search_text",
)
EVENT_COLS = (
    "id",
    "report_id",
    "kind",
    "action",
    "actor_id",
    "actor_role",
    "from_state",
    "to_state",
    "agency_id",
    "reason",
    "data",
    "is_public",
    "created_at",
)
ASSIGNMENT_COLS = (
    "id",
    "report_id",
    "agency_id",
    "agency_path",
    "previous_id",
    "assigned_at",
    "ended_at",
    "report_submitted_at",
    "moved_out",
)
MESSAGE_COLS = ("id", "report_id", "kind", "author_id", "agency_id", "body", "created_at")
TABLES = (
    (Report, REPORT_COLS, "reports"),
    (ReportAssignment, ASSIGNMENT_COLS, "assignments"),
    (Message, MESSAGE_COLS, "messages"),
    (ReportEvent, EVENT_COLS, "events"),
)


# --- The demo network, read once -----------------------------------------------------------


def _network_read() -> dict:
    city = Agency.objects.filter(
        region_id=network.DEMO_CITY_CODE, kind__in=[Agency.Kind.CITY, Agency.Kind.REGENCY]
    ).first()
    platform_admin = User.objects.filter(email="admin@lapor.example").first()
    if city is None or platform_admin is None or not Topic.objects.exists():
        raise CommandError(_("Jaringan demo belum dimuat. Jalankan `lapor demo load` terlebih dahulu."))
    agencies = {
        a["id"]: a
        for a in Agency.objects.values(
            "id", "name", "path", "parent_id", "kind", "short_name", "region_id", "deadline_overrides"
        )
    }
    children: dict[int, list[int]] = {}
    for a in agencies.values():
        if a["parent_id"]:
            children.setdefault(a["parent_id"], []).append(a["id"])
    topics = {t.slug: t for t in Topic.objects.all()}
    rules = {(r.topic_id, r.region_id): r for r in RoutingRule.objects.filter(is_active=True)}
    city_regions = list(
        Region.objects.filter(code__startswith=network.DEMO_CITY_CODE + ".").values_list(
            "code", "name", "level", "parent_id"
        )
    )
    region_names = dict(Region.objects.filter(level__lte=2).values_list("code", "name"))
    region_names.update({code: name for code, name, _lvl, _p in city_regions})
    gov_by_region = {
        a["region_id"]: a["id"]
        for a in agencies.values()
        if a["kind"] in (Agency.Kind.CITY, Agency.Kind.REGENCY, Agency.Kind.PROVINCE)
    }
    districts: dict[str, list[tuple[str, str]]] = {}
    for code, name, parent in (
        Region.objects.filter(level=3)
        .exclude(code__startswith=network.DEMO_CITY_CODE + ".")
        .values_list("code", "name", "parent_id")
    ):
        districts.setdefault(parent, []).append((code, name))
    staff: dict[tuple[int, str], int] = {}
    for ra in RoleAssignment.objects.exclude(agency=None).order_by("id"):
        staff.setdefault((ra.agency_id, ra.role), ra.user_id)
    ministries = {a["name"]: a["id"] for a in agencies.values() if a["kind"] == Agency.Kind.MINISTRY}
    return {
        "city": city.pk,
        "platform_admin": platform_admin.pk,
        "agencies": agencies,
        "children": children,
        "topics": topics,
        "rules": rules,
        "region_names": region_names,
        "gov_by_region": gov_by_region,
        "city_villages": [(c, n, p) for c, n, lvl, p in city_regions if lvl == 4]
        or [(c, n, p) for c, n, lvl, p in city_regions if lvl == 3]
        or [(network.DEMO_CITY_CODE, "", "")],
        "other_regencies": sorted(
            c for c in region_names if c.count(".") == 1 and c != network.DEMO_CITY_CODE and c in gov_by_region
        ),
        "districts": districts,
        "staff": staff,
        "ministries": ministries,
        "by_short": {a["short_name"]: a["id"] for a in agencies.values() if a["short_name"]},
    }


def _max_id(model) -> int:
    return model.objects.order_by("-id").values_list("id", flat=True).first() or 0


# --- Citizens --------------------------------------------------------------------------------


def _citizens_make(rng: random.Random, size: int, start: dt.datetime) -> dict[int, str]:
    """A pool of registered reporters (id: name); one unusable password each (no hashing per user)."""
    first_id = _max_id(User) + 1
    users = []
    for i in range(size):
        uid = first_id + i
        first, last = rng.choice(tx.FIRST_NAMES), rng.choice(tx.LAST_NAMES)
        users.append(
            User(
                id=uid,
                full_name=f"{first} {last}",
                email=f"{first}.{last}.{uid}@warga.lapor.example".lower(),
                phone=f"+62857{uid:08d}" if rng.random() < 0.4 else None,
                password="!" + get_random_string(40),
                date_joined=start - dt.timedelta(days=rng.uniform(0, 365)),
                notify_by=["email"],
            )
        )
    User.objects.bulk_create(users, batch_size=2000)
    return {u.id: u.full_name for u in users}


NULL = "\\N"


# --- Rows -> database ------------------------------------------------------------------------
# A batch's events, assignments and messages carry ids counted from 0 within the batch (so that batches
# can be simulated in parallel); ``base`` (first event, assignment, message id of the batch) is added here.


def _pg_text(rows: list[tuple]) -> str:
    """COPY text format; free text is escaped when generated (Simulation.esc)."""
    return "".join(
        [
            "\t".join(
                [
                    "\\N"
                    if v is None
                    else "t"
                    if v is True
                    else "f"
                    if v is False
                    else v
                    if v.__class__ is str
                    else str(v)
                    for v in row
                ]
            )
            + "\n"
            for row in rows
        ]
    )


def _pg_events(rows: list[tuple], eb: int, mb: int) -> str:
    return "".join(
        [
            f"{i + eb}\t{r}\t{kind}\t{action}\t{NULL if actor is None else actor}\t{role}\t{fs}\t{ts}\t"
            f"{NULL if agency is None else agency}\t{reason}\t{data if data.__class__ is str else data[0] % (data[1] + mb)}\t"
            f"{'t' if public else 'f'}\t{at}\n"
            for i, r, kind, action, actor, role, fs, ts, agency, reason, data, public, at in rows
        ]
    )


def _pg_assignments(rows: list[tuple], ab: int) -> str:
    return "".join(
        [
            f"{i + ab}\t{r}\t{agency}\t{path}\t{NULL if prev is None else prev + ab}\t{assigned}\t{NULL if ended is None else ended}"
            f"\t{submitted}\t{'t' if moved_out else 'f'}\n"
            for i, r, agency, path, prev, assigned, ended, submitted, moved_out in rows
        ]
    )


def _pg_messages(rows: list[tuple], mb: int) -> str:
    return "".join(
        [
            f"{i + mb}\t{r}\t{kind}\t{NULL if author is None else author}\t{NULL if agency is None else agency}\t{body}\t{at}\n"
            for i, r, kind, author, agency, body, at in rows
        ]
    )


def _payload(rows: dict[str, list[tuple]], base: tuple[int, int, int], pg: bool) -> dict:
    """What gets written for one batch: COPY text (bytes) per table on PostgreSQL, parameter tuples on SQLite."""
    eb, ab, mb = base
    if pg:
        return {
            "reports": _pg_text(rows["reports"]).encode(),
            "assignments": _pg_assignments(rows["assignments"], ab).encode(),
            "messages": _pg_messages(rows["messages"], mb).encode(),
            "events": _pg_events(rows["events"], eb, mb).encode(),
        }
    return {
        "reports": rows["reports"],
        "assignments": [
            (i + ab, r, agency, path, None if prev is None else prev + ab, assigned, ended, submitted, moved_out)
            for i, r, agency, path, prev, assigned, ended, submitted, moved_out in rows["assignments"]
        ],
        "messages": [(i + mb, *rest) for i, *rest in rows["messages"]],
        "events": [
            (i + eb, *mid, data if data.__class__ is str else data[0] % (data[1] + mb), public, at)
            for i, *mid, data, public, at in rows["events"]
        ],
    }


def _payload_write(payload: dict) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        for model, cols, name in TABLES:
            data = payload[name]
            if not data:
                continue
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    copy.write(data)
            else:
                placeholders = ", ".join(["%s"] * len(cols))
                cursor.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({placeholders})", data)


def _session_fast(cursor) -> None:
    """A bulk-load session: no fsync wait per batch and, when allowed (superuser), no per-row foreign-key
    triggers — the rows reference ids read from or created in this same run. Undone by _session_reset."""
    cursor.execute("SET synchronous_commit = off")
    cursor.execute("SET work_mem = '64MB'")  # merging the full-text index's pending list
    try:
        with transaction.atomic():
            cursor.execute("SET session_replication_role = replica")
    except DatabaseError:
        pass


def _session_reset(cursor) -> None:
    cursor.execute("RESET synchronous_commit")
    cursor.execute("RESET work_mem")
    try:
        with transaction.atomic():
            cursor.execute("RESET session_replication_role")
    except DatabaseError:
        pass


# --- Batches, in this process or in worker processes ---------------------------------------------


class _Plan:
    """Everything a batch needs; built in the main process before the workers fork (they inherit it)."""

    def __init__(
        self,
        *,
        sim: Simulation,
        stamps: list[int],
        tracking_ids: list[str],
        batch: int,
        seed: int,
        first_report: int,
        pg: bool,
    ):
        self.sim, self.stamps, self.tracking_ids, self.batch, self.seed = sim, stamps, tracking_ids, batch, seed
        self.first_report, self.pg = first_report, pg
        self.batches = (len(stamps) + batch - 1) // batch

    def simulate(self, k: int) -> dict[str, list[tuple]]:
        lo, hi = k * self.batch, min((k + 1) * self.batch, len(self.stamps))
        recent = [(self.first_report + j, self.tracking_ids[j]) for j in range(max(0, lo - 200), lo)]
        self.sim.batch_start(f"lapor-demo:{self.seed}:{k}", self.first_report + lo, recent)
        return self.sim.batch(self.stamps[lo:hi], self.tracking_ids[lo:hi])


def _counts(rows: dict[str, list[tuple]]) -> tuple[int, int, int]:
    return len(rows["events"]), len(rows["assignments"]), len(rows["messages"])


def _batches_here(plan: _Plan, base: tuple[int, int, int]):
    for k in range(plan.batches):
        rows = plan.simulate(k)
        counts = _counts(rows)
        yield len(rows["reports"]), counts, _payload(rows, base, plan.pg)
        base = tuple(b + c for b, c in zip(base, counts))


_PLAN: _Plan | None = None  # the plan the forked workers inherit


def _batch_work(k: int):
    """In a worker: simulate batch k, wait until batch k-1 has published where its ids end (the chain),
    publish where ours end, then format our rows as COPY text with the real ids."""
    plan = _PLAN
    try:
        rows = plan.simulate(k)
        counts = _counts(rows)
        with plan.cond:
            while not plan.ready[k]:
                if plan.failed.value:
                    raise RuntimeError("an earlier batch failed")
                plan.cond.wait(1.0)
            base = tuple(plan.chain[3 * k : 3 * k + 3])
            plan.chain[3 * k + 3 : 3 * k + 6] = [b + c for b, c in zip(base, counts)]
            plan.ready[k + 1] = 1
            plan.cond.notify_all()
        return len(rows["reports"]), counts, _payload(rows, base, plan.pg)
    except BaseException:
        plan.failed.value = 1
        raise


def _batches_parallel(plan: _Plan, base: tuple[int, int, int], workers: int):
    """Batches simulated by ``workers`` forked processes, yielded in order (at most workers + 2 in flight).
    The workers are forked here, before any other thread (progress bar, index builders) exists."""
    global _PLAN
    ctx = multiprocessing.get_context("fork")
    plan.chain = ctx.Array("q", 3 * (plan.batches + 1), lock=False)
    plan.ready = ctx.Array("b", plan.batches + 1, lock=False)
    plan.failed = ctx.Value("b", 0, lock=False)
    plan.cond = ctx.Condition()
    plan.chain[0:3], plan.ready[0] = list(base), 1
    _PLAN = plan
    try:
        pool = ctx.Pool(workers)
    finally:
        _PLAN = None  # the workers have their copy
    return _batches_collect(pool, plan.batches, workers)


def _batches_collect(pool, batches: int, workers: int):
    try:
        pending: deque = deque()
        submitted = 0
        while pending or submitted < batches:
            while submitted < batches and len(pending) < workers + 2:
                pending.append(pool.apply_async(_batch_work, (submitted,)))
                submitted += 1
            yield pending.popleft().get()
    finally:
        pool.terminate()
        pool.join()


def _workers_default() -> int:
    return int(settings.LAPOR_DEMO_WORKERS or os.cpu_count() or 1)


def _secondary_indexes() -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of every index on the four tables that backs no constraint,
    read from the catalogue so that they are recreated exactly as the migrations made them."""
    tables = [model._meta.db_table for model, _c, _n in TABLES]
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.indexname, i.indexdef FROM pg_indexes i
               WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                               WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)""",
            [tables],
        )
        return cursor.fetchall()


def _sequences_reset() -> None:
    models = [Report, ReportAssignment, Message, ReportEvent, User]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _tracking_ids_existing() -> set[str]:
    return set(Report.objects.values_list("tracking_id", flat=True).iterator(chunk_size=50_000))


_PAIRS = [a + b for a in TRACKING_ALPHABET for b in TRACKING_ALPHABET]  # 10 bits -> two characters


def _tracking_ids(seen: set[str], n: int) -> list[str]:
    """Random, like tracking_id_new, but 40 bits from os.urandom at once; unique against the database."""
    out = []
    pairs = _PAIRS
    while len(out) < n:
        raw = os.urandom(5 * (n - len(out)))
        for j in range(0, len(raw), 5):
            v = int.from_bytes(raw[j : j + 5], "big")
            tid = f"{pairs[v >> 30]}{pairs[(v >> 20) & 1023]}-{pairs[(v >> 10) & 1023]}{pairs[v & 1023]}"
            if tid not in seen:
                seen.add(tid)
                out.append(tid)
    return out


KEEP_DURING_LOAD = ("report_search_idx",)


def _indexes_drop() -> list[tuple[str, str]]:
    """Drop the secondary indexes before a large load: building an index once over sorted data is many
    times faster than updating it row by row. The full-text GIN index stays: its cost (and that of the
    trigger parsing every report into search_vector) is then paid by the COPY backend while the workers
    simulate the next batches, instead of in a single-threaded build after the load (measured with the
    former expression index: 28 of the 32 s of the rebuild at 200,000)."""
    indexes = [(name, sql) for name, sql in _secondary_indexes() if name not in KEEP_DURING_LOAD]
    with connection.cursor() as cursor:
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    return indexes


def _indexes_restore(indexes: list[tuple[str, str]], out, connections_n: int = 2) -> list[tuple[float, str]]:
    """Recreate the dropped indexes on ``connections_n`` connections at once (this thread's and helper
    threads' own), the largest table's first, then ANALYZE the tables."""
    out.write(f"Membangun ulang {len(indexes)} indeks dan memperbarui statistik (ANALYZE)…\n")
    statements = sorted(
        (
            sql if "IF NOT EXISTS" in sql else sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
            for _name, sql in indexes
        ),
        key=lambda sql: "reportevent" not in sql,
    )
    todo: queue.SimpleQueue = queue.SimpleQueue()
    for sql in statements + [f"ANALYZE {model._meta.db_table}" for model, _c, _n in TABLES]:
        todo.put(sql)
    errors: list[BaseException] = []
    took: list[tuple[float, str]] = []

    def work(own_connection: bool) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '1GB'")
                while not errors:
                    try:
                        sql = todo.get_nowait()
                    except queue.Empty:
                        break
                    mark = time.monotonic()
                    cursor.execute(sql)
                    took.append((time.monotonic() - mark, sql))
                cursor.execute("RESET maintenance_work_mem")
        except BaseException as exc:
            errors.append(exc)
        finally:
            if own_connection:
                connection.close()

    helpers = [threading.Thread(target=work, args=(True,)) for _ in range(connections_n - 1)]
    for thread in helpers:
        thread.start()
    work(False)
    for thread in helpers:
        thread.join()
    if errors:
        raise errors[0]
    return sorted(took, reverse=True)


def reports_generate(
    *,
    count: int,
    seed: int = 1,
    batch: int = 20_000,
    stdout=None,
    now: dt.datetime | None = None,
    workers: int | None = None,
) -> dict[str, int]:
    """Add ``count`` reports with histories; returns the number of rows written per table.

    On PostgreSQL with more than one batch, ``workers`` processes (default: LAPOR_DEMO_WORKERS or the
    number of CPUs) simulate batches in parallel; the output for a given seed, batch size and ``now`` does
    not depend on the number of workers."""
    out = stdout or sys.stdout
    rng = FastRandom(seed)
    now = now or timezone.now()
    start = now - dt.timedelta(days=365 * YEARS)
    pg = connection.vendor == "postgresql"
    net = _network_read()
    started = time.monotonic()
    citizens = _citizens_make(rng, max(20, min(5000, count // 50)), start)
    pool = list(citizens)
    demo_citizen = User.objects.filter(email=DEMO_CITIZEN).values_list("pk", "full_name").first()
    if demo_citizen is not None:  # the demo's own citizen (demo/load.py) files the most reports: her list is not empty
        pool.insert(0, demo_citizen[0])
        citizens = {demo_citizen[0]: demo_citizen[1], **citizens}
    cal = WorkCalendar(calendar_get(), tz(), start - dt.timedelta(days=10), now + dt.timedelta(days=400))
    days = {stage: int(stage_days(stage)) for stage in ("verify", "follow_up", "reply", "complete")}
    first = {name: _max_id(model) + 1 for model, _cols, name in TABLES}
    sim = Simulation(
        rng=rng, net=net, cal=cal, days=days, now=int(now.timestamp()), pool=pool, ids={}, sqlite=not pg, names=citizens
    )
    # Submission times, sorted so that ids grow with time; weekdays and office hours are busier.
    t0, t1 = int(start.timestamp()), int(now.timestamp())
    stamps = sorted(sim.submission_time(t0, t1) for _ in range(count))
    tracking_ids = _tracking_ids(_tracking_ids_existing(), count)
    plan = _Plan(
        sim=sim,
        stamps=stamps,
        tracking_ids=tracking_ids,
        batch=max(1, batch),
        seed=seed,
        first_report=first["reports"],
        pg=pg,
    )
    workers = max(1, min(workers or _workers_default(), plan.batches)) if pg else 1
    base = (first["events"], first["assignments"], first["messages"])
    totals = {name: 0 for _m, _c, name in TABLES}
    spent = {"prepare": time.monotonic() - started, "simulate_wait": 0.0, "copy": 0.0, "indexes": 0.0}
    large = pg and count >= LARGE_LOAD
    indexes = _indexes_drop() if large else []
    if large:
        with connection.cursor() as cursor:
            _session_fast(cursor)
    batches = _batches_parallel(plan, base, workers) if workers > 1 else _batches_here(plan, base)
    try:
        with tqdm(total=count, unit=" reports", file=sys.stderr, mininterval=1.0, dynamic_ncols=True) as bar:
            mark = time.monotonic()
            for reports, counts, payload in batches:
                spent["simulate_wait"] += time.monotonic() - mark
                mark = time.monotonic()
                _payload_write(payload)
                spent["copy"] += time.monotonic() - mark
                for name, n in zip(("events", "assignments", "messages"), counts):
                    totals[name] += n
                totals["reports"] += reports
                bar.update(reports)
                mark = time.monotonic()
    finally:
        batches.close()
        mark = time.monotonic()
        if large:
            with connection.cursor() as cursor:
                _session_reset(cursor)
            _indexes_restore(indexes, out)
        spent["indexes"] += time.monotonic() - mark
        _sequences_reset()
    elapsed = time.monotonic() - started
    rows_total = sum(totals.values())
    out.write(
        f"Laporan: {totals['reports']}, peristiwa: {totals['events']}, penugasan: {totals['assignments']}, "
        f"pesan: {totals['messages']}, pelapor terdaftar baru: {len(citizens) - (demo_citizen is not None)}\n"
    )
    out.write(
        f"Waktu: {elapsed:.1f} s ({rows_total / max(elapsed, 1e-9):,.0f} baris/s, "
        f"{totals['reports'] / max(elapsed, 1e-9):,.0f} laporan/s), proses simulasi: {workers}\n"
    )
    out.write("Rincian waktu (detik): " + ", ".join(f"{k} {v:.1f}" for k, v in spent.items()) + "\n")
    return {**totals, "users": len(citizens) - (demo_citizen is not None)}
