"""``lapor demo generate --reports N``: N realistic reports over the last two years, fast.

Each report is simulated through the real state machine (lifecycle.TRANSITIONS) in memory: the
same events, assignments, messages, deadlines and overdue flags the services and the sweep would
have written, with timestamps in the past. Rows are then written in bulk with explicit ids
(PostgreSQL COPY; executemany on SQLite) — the services would take hours for a million reports.
This is the one place that writes Report rows directly: demo data only, never app code.
"""
from __future__ import annotations

import datetime as dt
import importlib
import os
import queue
import random
import sys
import threading
import time

from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from tqdm import tqdm

from lapor.accounts.models import RoleAssignment, User
from lapor.agencies import demo as network
from lapor.agencies.models import Agency, Region, RoutingRule, Topic

from . import demo_texts as tx
from .deadlines import calendar_get, stage_days, tz
from .demo_sim import Simulation, WorkCalendar
from .models import TRACKING_ALPHABET, Message, Report, ReportAssignment, ReportEvent

YEARS = 2
LARGE_LOAD = 50_000  # from this many reports on PostgreSQL: indexes rebuilt once, writes in a second thread

REPORT_COLS = (
    "id", "tracking_id", "guest_secret_hash", "type", "title", "body", "topic_id", "region_id", "latitude",
    "longitude", "address", "incident_date", "target_agency_id", "channel", "is_anonymous", "is_confidential",
    "reporter_id", "guest_name", "guest_email", "guest_phone", "state", "agency_id", "due_at", "completion_due_at",
    "paused_state", "paused_remaining_days", "is_overdue", "overdue_since", "escalation_level", "escalated_at",
    "bounce_count", "reopen_count", "archive_reason", "duplicate_of_id", "rating", "rating_comment", "auto_routed",
    "submitted_at", "verified_at", "first_follow_up_at", "completed_at", "updated_at")
EVENT_COLS = ("id", "report_id", "kind", "action", "actor_id", "actor_role", "from_state", "to_state", "agency_id",
              "reason", "data", "is_public", "created_at")
ASSIGNMENT_COLS = ("id", "report_id", "agency_id", "agency_path", "previous_id", "assigned_at", "ended_at")
MESSAGE_COLS = ("id", "report_id", "kind", "author_id", "agency_id", "body", "created_at")
TABLES = ((Report, REPORT_COLS, "reports"), (ReportAssignment, ASSIGNMENT_COLS, "assignments"),
          (Message, MESSAGE_COLS, "messages"), (ReportEvent, EVENT_COLS, "events"))


def _fts_statements() -> tuple[str, str]:
    """The full-text index exactly as the migration defines it, and its DROP."""
    migration = importlib.import_module("lapor.reports.migrations.0002_postgres_search_and_audit")
    create = next(sql for sql in migration.PG_FORWARD if "report_fts_idx" in sql)
    drop = next(sql for sql in migration.PG_BACKWARD if "report_fts_idx" in sql)
    return create, drop


# --- The demo network, read once -----------------------------------------------------------

def _network_read() -> dict:
    city = Agency.objects.filter(region_id=network.DEMO_CITY_CODE, kind__in=[Agency.Kind.CITY, Agency.Kind.REGENCY]).first()
    platform_admin = User.objects.filter(email="admin@lapor.example").first()
    if city is None or platform_admin is None or not Topic.objects.exists():
        raise CommandError(_("Jaringan demo belum dimuat. Jalankan `lapor demo load` terlebih dahulu."))
    agencies = {a["id"]: a for a in Agency.objects.values("id", "name", "path", "parent_id", "kind", "short_name", "region_id",
                                                          "deadline_overrides")}
    children: dict[int, list[int]] = {}
    for a in agencies.values():
        if a["parent_id"]:
            children.setdefault(a["parent_id"], []).append(a["id"])
    topics = {t.slug: t for t in Topic.objects.all()}
    rules = {(r.topic_id, r.region_id): r for r in RoutingRule.objects.filter(is_active=True)}
    city_regions = list(Region.objects.filter(code__startswith=network.DEMO_CITY_CODE + ".").values_list("code", "name", "level", "parent_id"))
    region_names = dict(Region.objects.filter(level__lte=2).values_list("code", "name"))
    region_names.update({code: name for code, name, _lvl, _p in city_regions})
    gov_by_region = {a["region_id"]: a["id"] for a in agencies.values()
                     if a["kind"] in (Agency.Kind.CITY, Agency.Kind.REGENCY, Agency.Kind.PROVINCE)}
    districts: dict[str, list[tuple[str, str]]] = {}
    for code, name, parent in Region.objects.filter(level=3).exclude(code__startswith=network.DEMO_CITY_CODE + ".").values_list("code", "name", "parent_id"):
        districts.setdefault(parent, []).append((code, name))
    staff: dict[tuple[int, str], int] = {}
    for ra in RoleAssignment.objects.exclude(agency=None).order_by("id"):
        staff.setdefault((ra.agency_id, ra.role), ra.user_id)
    ministries = {a["name"]: a["id"] for a in agencies.values() if a["kind"] == Agency.Kind.MINISTRY}
    return {
        "city": city.pk, "platform_admin": platform_admin.pk, "agencies": agencies, "children": children,
        "topics": topics, "rules": rules, "region_names": region_names, "gov_by_region": gov_by_region,
        "city_villages": [(c, n, p) for c, n, lvl, p in city_regions if lvl == 4] or
                         [(c, n, p) for c, n, lvl, p in city_regions if lvl == 3] or [(network.DEMO_CITY_CODE, "", "")],
        "other_regencies": sorted(c for c in region_names if c.count(".") == 1 and c != network.DEMO_CITY_CODE
                                  and c in gov_by_region),
        "districts": districts, "staff": staff, "ministries": ministries,
        "by_short": {a["short_name"]: a["id"] for a in agencies.values() if a["short_name"]},
    }


def _max_id(model) -> int:
    return model.objects.order_by("-id").values_list("id", flat=True).first() or 0


# --- Citizens --------------------------------------------------------------------------------

def _citizens_make(rng: random.Random, size: int, start: dt.datetime) -> list[int]:
    """A pool of registered reporters; one unusable password each (no hashing per user)."""
    first_id = _max_id(User) + 1
    users = []
    for i in range(size):
        uid = first_id + i
        first, last = rng.choice(tx.FIRST_NAMES), rng.choice(tx.LAST_NAMES)
        users.append(User(
            id=uid, full_name=f"{first} {last}", email=f"{first}.{last}.{uid}@warga.lapor.example".lower(),
            phone=f"+62857{uid:08d}" if rng.random() < 0.4 else None, password="!" + get_random_string(40),
            date_joined=start - dt.timedelta(days=rng.uniform(0, 365)), notify_by=["email"]))
    User.objects.bulk_create(users, batch_size=2000)
    return [u.id for u in users]


# --- Writing ---------------------------------------------------------------------------------

def _pg_text(rows: list[tuple]) -> bytes:
    """COPY text format; free text is escaped when generated (Simulation.esc)."""
    return "".join(
        "\t".join(["\\N" if v is None else "t" if v is True else "f" if v is False else v if v.__class__ is str else str(v)
                   for v in row]) + "\n" for row in rows).encode()


def _rows_write(cursor, table: str, cols: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
            copy.write(_pg_text(rows))
    else:
        placeholders = ", ".join(["%s"] * len(cols))
        cursor.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({placeholders})", rows)


def _batch_write(rows: dict[str, list[tuple]], totals: dict[str, int]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        for model, cols, name in TABLES:
            _rows_write(cursor, model._meta.db_table, cols, rows[name])
            totals[name] += len(rows[name])


def _session_fast(cursor) -> None:
    """A bulk-load session: no fsync wait per batch and, when allowed (superuser), no per-row foreign-key
    triggers — the rows reference ids read from or created in this same run."""
    cursor.execute("SET synchronous_commit = off")
    try:
        with transaction.atomic():
            cursor.execute("SET session_replication_role = replica")
    except DatabaseError:
        pass


class _Writer(threading.Thread):
    """Writes batches on its own connection while the main thread simulates the next ones."""

    def __init__(self, totals: dict[str, int]):
        super().__init__(daemon=True)
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.totals, self.error = totals, None

    def run(self):
        try:
            with connection.cursor() as cursor:
                _session_fast(cursor)
            while (rows := self.queue.get()) is not None:
                if self.error is None:
                    _batch_write(rows, self.totals)
        except BaseException as exc:  # reported by the main thread
            self.error = exc
            while self.queue.get() is not None:
                pass
        finally:
            connection.close()

    def put(self, rows):
        if self.error is not None:
            raise self.error
        self.queue.put(rows)


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
            [tables])
        return cursor.fetchall()


def _sequences_reset() -> None:
    models = [Report, ReportAssignment, Message, ReportEvent, User]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _tracking_ids_existing() -> set[str]:
    return set(Report.objects.values_list("tracking_id", flat=True).iterator(chunk_size=50_000))


def _tracking_ids(seen: set[str], n: int) -> list[str]:
    """Random, like tracking_id_new, but 40 bits from os.urandom at once; unique against the database."""
    out = []
    while len(out) < n:
        raw = int.from_bytes(os.urandom(5), "big")
        chars = "".join(TRACKING_ALPHABET[(raw >> (5 * k)) & 31] for k in range(8))
        tid = f"{chars[:4]}-{chars[4:]}"
        if tid not in seen:
            seen.add(tid)
            out.append(tid)
    return out


def _indexes_drop() -> list[tuple[str, str]]:
    """Drop the secondary indexes (the full-text one included) before a large load: building an index
    once over sorted data is many times faster than updating it row by row."""
    fts_create, fts_drop = _fts_statements()
    indexes = [(name, fts_create if name == "report_fts_idx" else sql) for name, sql in _secondary_indexes()]
    with connection.cursor() as cursor:
        for name, _sql in indexes:
            cursor.execute(fts_drop if name == "report_fts_idx" else f'DROP INDEX IF EXISTS "{name}"')
    return indexes


def _indexes_restore(indexes: list[tuple[str, str]], out) -> None:
    out.write(f"Membangun ulang {len(indexes)} indeks dan memperbarui statistik (ANALYZE)…")
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _name, sql in indexes:
            cursor.execute(sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
                           if "IF NOT EXISTS" not in sql else sql)
        for model, _cols, _name in TABLES:
            cursor.execute(f"ANALYZE {model._meta.db_table}")


def reports_generate(*, count: int, seed: int = 1, batch: int = 20_000, stdout=None,
                     now: dt.datetime | None = None) -> dict[str, int]:
    """Add ``count`` reports with histories; returns the number of rows written per table."""
    out = stdout or sys.stdout
    rng = random.Random(seed)
    now = now or timezone.now()
    start = now - dt.timedelta(days=365 * YEARS)
    net = _network_read()
    started = time.monotonic()
    pool = _citizens_make(rng, max(20, min(5000, count // 50)), start)
    cal = WorkCalendar(calendar_get(), tz(), start - dt.timedelta(days=10), now + dt.timedelta(days=400))
    days = {stage: int(stage_days(stage)) for stage in ("verify", "follow_up", "reply", "complete")}
    ids = {name: _max_id(model) + 1 for model, _cols, name in TABLES}
    sim = Simulation(rng=rng, net=net, cal=cal, days=days, now=int(now.timestamp()), pool=pool, ids=ids,
                     sqlite=connection.vendor != "postgresql")
    # Submission times, sorted so that ids grow with time; weekdays and office hours are busier.
    t0, t1 = int(start.timestamp()), int(now.timestamp())
    stamps = sorted(sim.submission_time(t0, t1) for _ in range(count))
    seen = _tracking_ids_existing()
    totals = {name: 0 for _m, _c, name in TABLES}
    spent = {"simulate": 0.0, "write_wait": 0.0, "indexes": 0.0}
    large = connection.vendor == "postgresql" and count >= LARGE_LOAD
    indexes = _indexes_drop() if large else []
    writer = _Writer(totals) if large else None
    if writer:
        writer.start()
    try:
        with tqdm(total=count, unit=" reports", file=sys.stderr, mininterval=1.0, dynamic_ncols=True) as bar:
            for offset in range(0, count, batch):
                chunk = stamps[offset:offset + batch]
                mark = time.monotonic()
                rows = sim.batch(chunk, _tracking_ids(seen, len(chunk)))
                spent["simulate"] += time.monotonic() - mark
                mark = time.monotonic()
                writer.put(rows) if writer else _batch_write(rows, totals)
                spent["write_wait"] += time.monotonic() - mark
                bar.update(len(chunk))
    finally:
        mark = time.monotonic()
        if writer:
            writer.queue.put(None)
            writer.join()
        spent["write_wait"] += time.monotonic() - mark
        mark = time.monotonic()
        if large:
            _indexes_restore(indexes, out)
        spent["indexes"] += time.monotonic() - mark
        _sequences_reset()
    if writer and writer.error:
        raise writer.error
    elapsed = time.monotonic() - started
    rows_total = sum(totals.values())
    out.write(f"Laporan: {totals['reports']}, peristiwa: {totals['events']}, penugasan: {totals['assignments']}, "
              f"pesan: {totals['messages']}, pelapor terdaftar baru: {len(pool)}")
    out.write(f"Waktu: {elapsed:.1f} s ({rows_total / max(elapsed, 1e-9):,.0f} baris/s, "
              f"{totals['reports'] / max(elapsed, 1e-9):,.0f} laporan/s)")
    out.write("Rincian waktu (detik): " + ", ".join(f"{k} {v:.1f}" for k, v in spent.items()))
    return {**totals, "users": len(pool)}
