"""The in-memory report simulation behind ``lapor demo generate``.

One report at a time is walked through the state machine the way ``services.py`` and ``sweep.py``
would have moved it, with times in the past: every change gets the same audit event, assignment and
message rows as the services write, and deadlines come from the working-day calendar precomputed as
arrays (one list lookup instead of a day-by-day walk per deadline). Times are integer UTC seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
import zlib
from bisect import bisect_right
from collections import deque

from lapor.reports.lifecycle import (
    ACTIVE_STATES,
    AGENCY_ADMIN,
    LIAISON,
    PLATFORM_ADMIN,
    REPORTER,
    SYSTEM,
    UNIT_STAFF,
    Action,
    State,
    transition_check,
)
from lapor.reports.models import ArchiveReason, Channel, Message, ReportEvent, ReportType
from lapor.reports.searchtext import search_text_compose

from . import texts as tx
from .network import DEMO_CITY_CODE

DAY, HOUR = 86400, 3600
SWEEP = 900  # the sweep runs every 15 minutes
PLATFORM_AFTER = 2  # working days at level 1 before the platform is told (settings default)
EV = ReportEvent.Kind
MSG = Message.Kind

TOPIC_WEIGHTS = {
    "jalan-jembatan": 10,
    "drainase-banjir": 6,
    "penerangan-jalan": 4,
    "sampah": 7,
    "pencemaran": 2,
    "layanan-puskesmas": 5,
    "rumah-sakit": 3,
    "jaminan-kesehatan": 6,
    "ppdb": 4,
    "sarana-sekolah": 3,
    "beasiswa": 3,
    "ktp-el": 6,
    "kartu-keluarga": 4,
    "akta": 3,
    "bansos": 8,
    "pkh": 3,
    "parkir": 4,
    "lalu-lintas": 3,
    "ketertiban": 3,
    "perizinan": 3,
    "air-bersih": 5,
    "listrik": 5,
    "kepegawaian": 4,
    "bencana": 2,
    "pajak-daerah": 3,
}
MINISTRY_BY_TOPIC = {
    "infrastruktur": "Kementerian Pekerjaan Umum",
    "air-bersih": "Kementerian Pekerjaan Umum",
    "lingkungan": "Kementerian Lingkungan Hidup/Badan Pengendalian Lingkungan Hidup",
    "kesehatan": "Kementerian Kesehatan",
    "pendidikan": "Kementerian Pendidikan Dasar dan Menengah",
    "kependudukan": "Kementerian Dalam Negeri",
    "ketertiban": "Kementerian Dalam Negeri",
    "sosial": "Kementerian Sosial",
    "perhubungan": "Kementerian Perhubungan",
    "pajak-daerah": "Kementerian Keuangan",
    "perizinan": "Kementerian Investasi dan Hilirisasi/BKPM",
}
# Who finally handles a matter in the demo city: topic slug -> (department's short name, its unit or
# PUSKESMAS). A routing rule (or the platform) sends the report to the department, which disposes it
# to the unit (the health centre of the report's district) unless it answers itself (SELF_HANDLED).
PUSKESMAS = "puskesmas"
CITY_HANDLERS = {
    "jalan-jembatan": ("Dinas PUPR", "Bidang Bina Marga"),
    "drainase-banjir": ("Dinas PUPR", "Bidang Sumber Daya Air"),
    "penerangan-jalan": ("Disperkim", "Bidang Penerangan Jalan Umum"),
    "sampah": ("DLH", "Bidang Pengelolaan Sampah"),
    "pencemaran": ("DLH", None),
    "layanan-puskesmas": ("Dinkes", PUSKESMAS),
    "rumah-sakit": ("RSUD", None),
    "ppdb": ("Disdikbud", None),
    "sarana-sekolah": ("Disdikbud", "Bidang Pembinaan Sekolah Dasar"),
    "beasiswa": ("Disdikbud", None),
    "ktp-el": ("Disdukcapil", "Bidang Pelayanan Pendaftaran Penduduk"),
    "kartu-keluarga": ("Disdukcapil", "Bidang Pelayanan Pendaftaran Penduduk"),
    "akta": ("Disdukcapil", None),
    "bansos": ("Dinsos P3A", "Bidang Perlindungan dan Jaminan Sosial"),
    "pkh": ("Dinsos P3A", "Bidang Perlindungan dan Jaminan Sosial"),
    "parkir": ("Dishub", None),
    "lalu-lintas": ("Dishub", "Bidang Lalu Lintas"),
    "ketertiban": ("Satpol PP Damkar", None),
    "perizinan": ("DPMPTSP", None),
    "air-bersih": ("Perumda AM", None),
    "bencana": ("BPBD", None),
    "pajak-daerah": ("BKD", "Bidang Pendapatan"),
}
SELF_HANDLED = 0.12  # share a department answers itself instead of disposing to its unit
# matters of national bodies wherever the report is (the national routing rules' agencies)
NATIONAL_HANDLERS = {"jaminan-kesehatan": "BPJS Kesehatan", "listrik": "PLN", "kepegawaian": "BKN"}
# the kelurahan's own services (no topic of their own: none chosen, or the parent "kependudukan")
KELURAHAN_SUBJECT, KELURAHAN_WEIGHT = "layanan-kelurahan", 4
KELURAHAN_SHARE = 0.3  # of drainage, waste and order reports in the city: the neighbourhood's small-scale side
# Where reports come from: the demo city; else mostly its own province (West Sumatra), the rest anywhere.
CITY_SHARE, PROVINCE_SHARE = 0.62, 0.7
MISROUTE = 0.06  # the platform's own routing picks an agency without the authority: Bukan Wewenang follows
# No topic chosen: the share per channel (SMS and social media carry text only; counters and call
# centres file what the citizen says). These wait for a person (or the model) to route them.
NO_TOPIC = {"sms": 0.7, "social": 0.5, "call_centre": 0.4, "letter": 0.3, "aspiration_house": 0.3, "email": 0.3}
NO_TOPIC_OTHER = 0.05
CHANNELS = {
    Channel.WEB: 38,
    Channel.MOBILE: 30,
    Channel.SMS: 8,
    Channel.SOCIAL: 6,
    Channel.EMAIL: 3,
    Channel.COUNTER: 6,
    Channel.CALL_CENTRE: 3,
    Channel.LETTER: 1,
    Channel.ASPIRATION_HOUSE: 1,
    Channel.PARTNER: 2,
    Channel.OPEN311: 1,
    Channel.FEDERATION: 1,
}
TYPES = {ReportType.COMPLAINT: 75, ReportType.SUGGESTION: 15, ReportType.INFORMATION: 10}
VERIFY_WD = {
    0: 30,
    1: 30,
    2: 16,
    3: 10,
    4: 6,
    6: 3,
    9: 1,
    20: 1,
    45: 0.5,
}  # the platform verifies within days; a backlog tail
FOLLOW_UP_WD = {0: 10, 1: 25, 2: 22, 3: 15, 4: 10, 5: 7, 6: 4, 7: 3, 9: 2, 12: 1.5, 20: 1, 40: 1, 80: 0.5}
ARCHIVE_REASONS = {
    ArchiveReason.TOO_GENERAL: 40,
    ArchiveReason.NOT_PUBLIC_SERVICE: 25,
    ArchiveReason.OUT_OF_SCOPE: 15,
    ArchiveReason.DUPLICATE: 15,
    ArchiveReason.SPAM: 5,
}
RATINGS = {1: 8, 2: 7, 3: 15, 4: 35, 5: 35}
HOURS = [1, 0.5, 0.3, 0.3, 0.5, 2, 5, 8, 10, 10, 9, 8, 8, 9, 9, 8, 7, 6, 6, 7, 7, 6, 4, 2]


_TARGETS: dict[tuple, str | None] = {}


def _table_target(state: str, action: str, role: str, has_reason: bool) -> str | None:
    """lifecycle.transition_check for one simulated transition (raises TransitionNotAllowed when the
    demo would do what the services refuse), remembered per (state, action, role, reason given)."""
    key = (state, action, role, has_reason)
    if key not in _TARGETS:
        _TARGETS[key] = transition_check(
            state=state, action=action, roles={role}, reason="x" if has_reason else ""
        ).target
    return _TARGETS[key]


def _weighted(rng, table: dict):
    """A sampler for a weight table: one random() and a bisect (random.choices is slower per call)."""
    keys, cum, total = list(table), [], 0.0
    for w in table.values():
        total += w
        cum.append(total)
    draw = rng.random
    return lambda: keys[bisect_right(cum, draw() * total)]


_JSON_STRINGS: dict[str, str] = {}
# Event data that holds a message id: rendered with the id once the batch's base id is known.
_MESSAGE_ID = '{"message_id": %d}'
_MESSAGE_DATA = {kind: '{"message_id": %d, "message_kind": "' + kind + '"}' for kind in MSG.values}


def agency_slowness(agency: dict) -> float:
    """How slow an agency answers (0.6-2.2 x), fixed per agency by its name and region code, not its
    id (nor its path, made of ids): ids depend on what else the database ever held, and the same seed
    must give the same data."""
    return 0.6 + (zlib.crc32(f"{agency['name']}|{agency['region_id']}".encode()) % 1000) / 1000 * 1.6


class FastRandom(random.Random):
    """random.Random with randint and choice from one random() call: the stdlib versions draw bits in a
    loop and were a fifth of the simulation's time. Deterministic for a seed like random.Random."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]


_JSON_CACHE: dict[tuple, str] = {}


def _json(data: dict | None) -> str:
    """json.dumps for the flat dicts of event data, cached: most repeat (agency, channel, level, rating…).
    The cache key is the items; a key holds values of one type only, so True and 1 never meet."""
    if not data:
        return "{}"
    if "due_at" in data:  # unique per report: not worth caching
        return _json_render(data)
    key = tuple(data.items())
    out = _JSON_CACHE.get(key)
    if out is None:
        out = _JSON_CACHE[key] = _json_render(data)
    return out


def _json_render(data: dict) -> str:
    parts = []
    for key, value in data.items():
        if value is None:
            out = "null"
        elif value is True or value is False:
            out = "true" if value else "false"
        elif isinstance(value, int):
            out = str(value)
        else:
            out = _JSON_STRINGS.get(value)
            if out is None:
                out = _JSON_STRINGS[value] = json.dumps(str(value), ensure_ascii=False)
        parts.append(f'"{key}": {out}')
    return "{" + ", ".join(parts) + "}"


class WorkCalendar:
    """Working days as arrays over a fixed range: add/between become two list lookups."""

    def __init__(self, calendar, zone, first: dt.datetime, last: dt.datetime):
        self.off = int(zone.utcoffset(dt.datetime.combine(first.date(), dt.time())).total_seconds())
        self.d0 = self.day(int(first.timestamp()))
        self.cum, self.wdays, self.flag = [], [], []
        epoch = dt.date(1970, 1, 1)
        for d in range(self.d0, self.day(int(last.timestamp())) + 1):
            working = calendar.is_working_day(epoch + dt.timedelta(days=d))
            if working:
                self.wdays.append(d)
            self.cum.append(len(self.wdays))
            self.flag.append(working)

    def day(self, ts: int) -> int:
        return (ts + self.off) // DAY

    def add(self, day: int, n: int) -> int:
        return day if n <= 0 else self.wdays[self.cum[day - self.d0] + n - 1]

    def between(self, a: int, b: int) -> int:
        return self.cum[b - self.d0] - self.cum[a - self.d0] if b > a else 0

    def deadline(self, ts: int, n: int) -> int:
        """deadlines.deadline_after: the end (23:59:59 local) of the nth working day after ts."""
        return (self.add(self.day(ts), n) + 1) * DAY - 1 - self.off

    def staff_time(self, rng, ts: int, wd: int) -> int:
        """When office staff act, ``wd`` working days after ts (0: later the same working day if possible)."""
        day, tod = self.day(ts), (ts + self.off) % DAY
        if wd <= 0 and self.flag[day - self.d0] and tod < 15 * HOUR:
            return ts + rng.randint(600, 16 * HOUR - tod)
        return self.add(day, max(wd, 1)) * DAY - self.off + rng.randint(8 * HOUR, 16 * HOUR)


class Simulation:
    def __init__(
        self,
        *,
        rng,
        net: dict,
        cal: WorkCalendar,
        days: dict,
        now: int,
        pool: list[int],
        ids: dict,
        sqlite: bool,
        names: dict[int, str] | None = None,
    ):
        self.rng, self.net, self.cal, self.days, self.now, self.pool, self.ids = rng, net, cal, days, now, pool, ids
        self.names = names or {}  # registered reporters' names: an anonymous report's search_text masks them
        self.pg = not sqlite
        suffix = "" if sqlite else "+00"
        self._clock = [f" {h:02d}:{m:02d}:{sec:02d}{suffix}" for h in range(24) for m in range(60) for sec in range(60)]
        self._dates: dict[int, str] = {}
        self.topic_slug, self.hour = _weighted(rng, TOPIC_WEIGHTS), _weighted(rng, dict(enumerate(HOURS)))
        self.channel, self.type = _weighted(rng, CHANNELS), _weighted(rng, TYPES)
        self.verify_wd, self.follow_up_wd = _weighted(rng, VERIFY_WD), _weighted(rng, FOLLOW_UP_WD)
        self.archive_reason, self.rating = _weighted(rng, ARCHIVE_REASONS), _weighted(rng, RATINGS)
        self.topic_by_id = {t.pk: t for t in net["topics"].values()}
        self.agencies = net["agencies"]
        self.city_depts = [
            a["id"]
            for a in self.agencies.values()
            if a["parent_id"] == net["city"] and a["kind"] in ("department", "hospital", "regional_enterprise")
        ]
        self.recent: deque = deque(maxlen=200)  # (id, tracking id) for duplicates
        self.subject = _weighted(rng, {**TOPIC_WEIGHTS, KELURAHAN_SUBJECT: KELURAHAN_WEIGHT})
        self._handlers_read()
        self._rules, self._staff = {}, {}

    def _handlers_read(self) -> None:
        """Who handles what in the demo city (CITY_HANDLERS), the kelurahan office of each village, the
        health centres of each district, the national bodies, West Sumatra's other regencies."""
        net, agencies = self.net, self.agencies
        by_short = net["by_short"]
        units = {(a["parent_id"], a["name"]): a["id"] for a in agencies.values() if a["kind"] == "unit"}
        city_codes = {code for code, _n, _p in net["city_villages"]}
        self.village_office = {
            a["region_id"]: a["id"]
            for a in agencies.values()
            if a["kind"] == "village" and a["region_id"] in city_codes
        }
        centres: dict[str, list[tuple[str, int]]] = {}
        for a in agencies.values():
            if a["kind"] == "health_centre" and (a["region_id"] or "").startswith(DEMO_CITY_CODE + "."):
                centres.setdefault(a["region_id"], []).append((a["name"], a["id"]))
        self.centres = {d: [i for _n, i in sorted(v)] for d, v in centres.items()}
        self.city_handlers = {}
        for slug, (short, unit) in CITY_HANDLERS.items():
            dept = by_short.get(short)
            if dept is not None:
                self.city_handlers[slug] = (dept, unit if unit == PUSKESMAS else units.get((dept, unit)))
        self.national = {slug: by_short.get(short) for slug, short in NATIONAL_HANDLERS.items()}
        province = DEMO_CITY_CODE.split(".")[0] + "."
        self.province_regencies = [c for c in net["other_regencies"] if c.startswith(province)]

    def centre_for(self, village: str) -> int | None:
        """The health centre of a village: one of its district's, fixed per village."""
        district = village.rsplit(".", 1)[0]
        ids = self.centres.get(district) or [i for v in self.centres.values() for i in v]
        return ids[zlib.crc32(village.encode()) % len(ids)] if ids else None

    # --- helpers ---------------------------------------------------------------------------
    def fmt(self, ts: int | None) -> str | None:
        """UTC timestamp text: '+00' for PostgreSQL, naive UTC as Django stores it on SQLite."""
        if ts is None:
            return None
        day = ts // DAY
        date = self._dates.get(day)
        if date is None:
            date = self._dates[day] = time.strftime("%Y-%m-%d", time.gmtime(day * DAY))
        return date + self._clock[ts - day * DAY]

    def esc(self, text: str) -> str:
        """Free text for COPY's text format (backslash, newline, tab); unchanged for SQLite."""
        if self.pg and ("\\" in text or "\n" in text or "\t" in text or "\r" in text):
            return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
        return text

    def next_id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def submission_time(self, t0: int, t1: int) -> int:
        rng = self.rng
        ts = t0 + int((t1 - t0) * rng.random() ** 0.8)  # more reports lately: the platform grows
        day_start = ts - (ts + self.cal.off) % DAY
        ts = day_start + self.hour() * HOUR + rng.randint(0, HOUR - 1)
        return min(ts, t1 - 60)

    def rule_agency(self, topic, region: str) -> int | None:
        """routing_rule_match, on rules read once: most specific region, then deepest topic."""
        key = (topic.pk, region)
        if key not in self._rules:
            parts = region.split(".")
            codes = [".".join(parts[: i + 1]) for i in range(len(parts))] + [None]
            best = None
            for tid in topic.ancestor_ids:
                for code in codes:
                    rule = self.net["rules"].get((tid, code))
                    if rule is not None:
                        rank = (len(code or ""), self.topic_by_id[tid].depth)
                        if best is None or rank > best[0]:
                            best = (rank, rule.agency_id)
            self._rules[key] = best[1] if best else None
        return self._rules[key]

    def staff(self, agency: int | None, role: str) -> int | None:
        """A demo account holding ``role`` on the agency or an ancestor (most agencies have none)."""
        if agency is None:
            return None
        key = (agency, role)
        if key not in self._staff:
            ids = [int(s) for s in self.agencies[agency]["path"].split(".") if s]
            self._staff[key] = next(
                (self.net["staff"][(a, role)] for a in reversed(ids) if (a, role) in self.net["staff"]), None
            )
        return self._staff[key]

    def slowness(self, agency: int) -> float:
        return agency_slowness(self.net["agencies"][agency])

    # --- one batch ----------------------------------------------------------------------------
    def batch_start(self, seed: str, first_report: int, recent: list[tuple[int, str]]) -> None:
        """Prepare batch number k on its own: a seed derived from --seed and k (the same output whichever
        process simulates it), report ids from ``first_report``, and event/assignment/message ids counted
        from 0 within the batch (``demo_generate`` adds each table's base once the earlier batches are
        counted), the reports just before it as duplicate candidates."""
        self.rng.seed(seed)
        self.ids = {"reports": first_report, "events": 0, "assignments": 0, "messages": 0}
        self.recent.clear()
        self.recent.extend(recent)

    def batch(self, stamps: list[int], tracking_ids: list[str]) -> dict[str, list[tuple]]:
        self.rows = {"reports": [], "events": [], "assignments": [], "messages": []}
        for ts, tid in zip(stamps, tracking_ids):
            _Report(self, ts, tid).run()
        return self.rows


class _Report:
    """One report's life, from submission until now."""

    def __init__(self, sim: Simulation, submitted: int, tracking_id: str):
        self.sim, self.rng, self.cal = sim, sim.rng, sim.cal
        self.id, self.tracking_id, self.submitted = sim.next_id("reports"), tracking_id, submitted
        self.t = submitted
        self.state, self.agency, self.due = State.SUBMITTED, None, None
        self.overdue, self.overdue_since, self.level, self.escalated_at = False, None, 0, None
        self.assignments: list[list] = []  # [id, agency, path, previous id, assigned_at, ended_at, moved_out]
        self.current = None
        self.verified_at = self.first_follow_up_at = self.completed_at = None
        self.bounce_count = self.reopen_count = 0
        self.paused_state, self.paused_days = "", None
        self.archive_reason, self.duplicate_of, self.rating, self.rating_comment = "", None, None, ""
        self.auto_routed = False
        self.last = submitted

    # --- rows ------------------------------------------------------------------------------
    def event(
        self,
        kind,
        t,
        *,
        action="",
        actor=None,
        role="",
        from_state="",
        to_state="",
        agency=None,
        reason="",
        data=None,
        public=True,
        mdata=None,
    ):
        """``mdata``: (JSON with one %d for the message id, message id within the batch) instead of ``data``."""
        sim = self.sim
        sim.rows["events"].append(
            (
                sim.next_id("events"),
                self.id,
                kind,
                action,
                actor,
                role,
                from_state,
                to_state,
                agency,
                sim.esc(reason),
                mdata or sim.esc(_json(data)),
                public,
                sim.fmt(t),
            )
        )
        self.last = max(self.last, t)

    def transition(self, action, t, actor, role, from_state, reason="", data=None, mdata=None):
        """Record a transition the step has made. lifecycle.py's table decides, as for the services:
        the role must be allowed from ``from_state`` (with a reason where one is required), and the
        new state is the table's target where it names one; a rule change the demo breaks stops it."""
        target = _table_target(from_state, action, role, bool(reason))
        if target is not None:
            self.state = target
        self.event(
            EV.TRANSITION,
            t,
            action=action,
            actor=actor,
            role=role,
            from_state=from_state,
            to_state=self.state,
            agency=self.agency,
            reason=reason,
            data=data,
            mdata=mdata,
        )

    def message(self, kind, t, author, role, body) -> int:
        sim = self.sim
        mid = sim.next_id("messages")
        sim.rows["messages"].append(
            (mid, self.id, kind, author, self.agency if kind != MSG.REPLY else None, sim.esc(body), sim.fmt(t))
        )
        self.event(EV.MESSAGE, t, actor=author, role=role, agency=self.agency, mdata=(_MESSAGE_DATA[str(kind)], mid))
        return mid

    def assign(self, agency: int, t: int, previous: int | None) -> None:
        path = self.sim.agencies[agency]["path"]
        if self.current is not None and self.current[5] is None:
            self.current[5], self.current[6] = t, not path.startswith(self.current[2])
        self.current = [self.sim.next_id("assignments"), agency, path, previous, t, None, False]
        self.assignments.append(self.current)

    def clear_clock(self) -> None:
        self.overdue, self.overdue_since, self.level, self.escalated_at = False, None, 0, None

    def clock(self, until: int) -> None:
        """What the sweep would have done before ``until``: mark overdue, escalate, then tell the platform."""
        if self.state not in ACTIVE_STATES:
            return
        parent = self.sim.agencies[self.agency]["parent_id"] if self.agency else None
        if not self.overdue and self.due < until:
            at = self.due + self.rng.randint(60, SWEEP)
            if at >= until:
                return
            self.overdue, self.overdue_since, self.escalated_at = True, at, at
            self.level = 2 if parent is None else 1
            self.event(
                EV.OVERDUE,
                at,
                role=SYSTEM,
                agency=self.agency,
                public=False,
                data={"due_at": dt.datetime.fromtimestamp(self.due, dt.timezone.utc).isoformat()},
            )
            name = self.sim.agencies[parent]["name"] if self.level == 1 else "platform"
            self.event(
                EV.ESCALATED,
                at,
                role=SYSTEM,
                agency=parent if self.level == 1 else None,
                public=False,
                data={"level": self.level, "to": name},
            )
        if self.overdue and self.level == 1:
            at = self.cal.deadline(self.escalated_at, PLATFORM_AFTER) + self.rng.randint(60, SWEEP)
            if at < until:
                self.level, self.escalated_at = 2, at
                self.event(EV.ESCALATED, at, role=SYSTEM, public=False, data={"level": 2, "to": "platform"})

    def at(self, t: int) -> bool:
        """Move the clock to t if it is still in the past; the sweep runs up to then."""
        if t >= self.sim.now:
            return False
        self.clock(t)
        self.t = t
        return True

    # --- actions (each mirrors the service of the same name) --------------------------------
    def route(self, agency, actor, role, *, action=Action.ROUTE, previous=None, reason="", data=None):
        from_state = self.state
        self.assign(agency, self.t, previous)
        self.agency, self.state = agency, State.ROUTED
        self.verified_at = self.verified_at or self.t
        self.due = self.cal.deadline(self.t, self.sim.days["follow_up"])
        self.clear_clock()
        self.transition(
            action,
            self.t,
            actor,
            role,
            from_state,
            reason=reason,
            data={"agency_id": agency, "agency_name": self.sim.agencies[agency]["name"], **(data or {})},
        )

    def dispose(self, unit):
        from_state = self.state
        self.assign(unit, self.t, self.current[0])
        self.agency, self.state = unit, State.IN_PROGRESS
        self.transition(
            Action.DISPOSE,
            self.t,
            self.sim.staff(self.agency, AGENCY_ADMIN),
            AGENCY_ADMIN,
            from_state,
            data={"agency_id": unit, "agency_name": self.sim.agencies[unit]["name"]},
        )

    def not_authority(self, role):
        from_state, from_agency = self.state, self.agency
        back = next((a for a in self.assignments if a[0] == self.current[3]), None)
        self.bounce_count += 1
        self.clear_clock()
        if back is None:  # back to the platform's verification queue
            self.current[5], self.current[6] = self.t, True  # moved out: back to the platform's queue
            self.agency, self.state = None, State.SUBMITTED
            self.due = self.cal.deadline(self.t, self.sim.days["verify"])
        else:
            self.assign(back[1], self.t, back[3])
            self.agency, self.state = back[1], State.ROUTED
            self.due = self.cal.deadline(self.t, self.sim.days["follow_up"])
        self.transition(
            Action.NOT_AUTHORITY,
            self.t,
            self.sim.staff(from_agency, role),
            role,
            from_state,
            reason=self.rng.choice(tx.NOT_AUTHORITY),
            data={
                "from_agency_id": from_agency,
                "from_agency_name": self.sim.agencies[from_agency]["name"],
                "was_auto_routed": self.auto_routed,
            },
        )

    def follow_up(self):
        role = (
            UNIT_STAFF
            if self.sim.agencies[self.agency]["kind"] == "unit"
            else (LIAISON if self.rng.random() < 0.8 else AGENCY_ADMIN)
        )
        author, from_state = self.sim.staff(self.agency, role), self.state
        body = self.rng.choice(tx.FOLLOW_UP).format(action=self.rng.choice(self.texts[4]))
        mid = self.message(MSG.FOLLOW_UP, self.t, author, role, body)
        self.state = State.FOLLOWED_UP
        self.first_follow_up_at = self.first_follow_up_at or self.t
        self.due = self.cal.deadline(self.t, self.sim.days["reply"])
        self.clear_clock()
        self.transition(Action.FOLLOW_UP, self.t, author, role, from_state, mdata=(_MESSAGE_ID, mid))

    def reply(self):
        mid = self.message(MSG.REPLY, self.t, self.reporter, REPORTER, self.rng.choice(tx.REPLIES))
        self.state = State.IN_PROGRESS
        self.due = self.cal.deadline(self.t, self.sim.days["follow_up"])
        self.clear_clock()
        self.transition(Action.REPLY, self.t, self.reporter, REPORTER, State.FOLLOWED_UP, mdata=(_MESSAGE_ID, mid))

    def complete(self, action, actor, role, reason=""):
        from_state = self.state
        self.state, self.completed_at, self.due = State.DONE, self.t, None
        self.clear_clock()
        self.transition(action, self.t, actor, role, from_state, reason=reason)

    def postpone(self):
        from_state = self.state
        self.paused_state, self.paused_days = self.state, self.cal.between(self.cal.day(self.t), self.cal.day(self.due))
        self.state, self.due = State.POSTPONED, None
        self.transition(
            Action.POSTPONE,
            self.t,
            self.sim.staff(self.agency, AGENCY_ADMIN),
            AGENCY_ADMIN,
            from_state,
            reason=self.rng.choice(tx.POSTPONE),
            data={"remaining_working_days": self.paused_days},
        )

    def resume(self):
        self.state = self.paused_state or State.ROUTED
        self.due = self.cal.deadline(self.t, max(self.paused_days or 0, 1))
        self.paused_state, self.paused_days = "", None
        self.clear_clock()
        self.transition(
            Action.RESUME,
            self.t,
            self.sim.staff(self.agency, AGENCY_ADMIN),
            AGENCY_ADMIN,
            State.POSTPONED,
            reason=self.rng.choice(tx.RESUME),
        )

    def archive(self, actor, role):
        reason, from_state = self.sim.archive_reason(), self.state
        duplicate = None
        if reason == ArchiveReason.DUPLICATE:
            if not self.sim.recent:
                reason = ArchiveReason.TOO_GENERAL
            else:
                self.duplicate_of, duplicate = self.rng.choice(self.sim.recent)
        self.state, self.archive_reason, self.due = State.ARCHIVED, reason, None
        self.clear_clock()
        self.transition(
            Action.ARCHIVE,
            self.t,
            actor,
            role,
            from_state,
            reason=str(ArchiveReason(reason).label),
            data={"archive_reason": str(reason), "duplicate_of": duplicate},
        )

    # --- the story ------------------------------------------------------------------------------
    def setup(self):
        """Who reports what, where, and which agency handles it. The subject (with its words) and the
        place decide the handling agency, as in a real deployment's history: a road to Dinas PUPR's
        Bidang Bina Marga, a health centre's queue to the health centre of the report's district, a
        neighbourhood matter to the kelurahan of its village; outside the demo city the regency's
        government (sometimes the province or the topic's ministry), national bodies' matters to them."""
        sim, rng, net = self.sim, self.rng, self.sim.net
        subject = sim.subject()
        self.type, self.channel = sim.type(), sim.channel()
        self.lat = self.lon = None
        self.street = rng.choice(tx.STREETS)
        in_city = rng.random() < CITY_SHARE
        kelurahan = subject == KELURAHAN_SUBJECT or (
            in_city and subject in tx.KELURAHAN_TEXTS and rng.random() < KELURAHAN_SHARE
        )
        self.texts = (tx.KELURAHAN_TEXTS if kelurahan else tx.TOPIC_TEXTS).get(subject, tx.GENERIC)
        slug = subject if subject != KELURAHAN_SUBJECT else ("kependudukan" if rng.random() < 0.5 else None)
        if rng.random() < NO_TOPIC.get(str(self.channel), NO_TOPIC_OTHER):
            slug = None  # the citizen wrote, nobody picked a topic: a person (or the model) routes it
        self.topic = net["topics"].get(slug) if slug else None
        if in_city:
            code, name, district = rng.choice(net["city_villages"])
            self.region, self.short_place = code, name or "Padang Panjang"
            self.place = ", ".join(p for p in (name, net["region_names"].get(district, ""), "Kota Padang Panjang") if p)
            if rng.random() < 0.6:
                self.lat, self.lon = f"{rng.uniform(-0.485, -0.445):.6f}", f"{rng.uniform(100.385, 100.425):.6f}"
            others = sim.city_depts
            handler, correct = self.city_handler(subject, kelurahan)
        else:
            pool = sim.province_regencies if sim.province_regencies and rng.random() < PROVINCE_SHARE else None
            regency = rng.choice(pool or net["other_regencies"])
            name = net["region_names"][regency]
            districts = net["districts"].get(regency)
            self.region, self.short_place, self.place = regency, name, name
            if districts and rng.random() < 0.6:
                self.region, dname = rng.choice(districts)
                self.place = f"Kecamatan {dname}, {name}"
            gov = net["gov_by_region"][regency]
            others = [net["gov_by_region"].get(regency.split(".")[0], gov)]
            handler = sim.national.get(subject) or gov
            if handler == gov and subject in TOPIC_WEIGHTS:
                u = rng.random()
                parent = net["topics"][subject].parent_id
                parent_slug = sim.topic_by_id[parent].slug if parent else subject
                ministry = net["ministries"].get(
                    MINISTRY_BY_TOPIC.get(parent_slug) or MINISTRY_BY_TOPIC.get(subject, "")
                )
                if u < 0.05:
                    handler = others[0]
                elif u < 0.1 and ministry:
                    handler = ministry
            correct = handler
        self.handler, self.correct = handler, correct
        rule = sim.rule_agency(self.topic, self.region) if self.topic else None
        self.target = correct if rng.random() < 0.07 else None
        self.auto = rule is not None and self.target in (None, rule)
        if self.auto:
            self.first = rule  # a rule that sends it elsewhere: Bukan Wewenang or a forward follows
        elif rng.random() < MISROUTE:  # the platform's own pick was wrong
            self.first = rng.choice([a for a in others if a != correct] or [net["city"]])
        else:
            self.first = correct
        self.anonymous, self.confidential = rng.random() < 0.15, rng.random() < 0.05
        self.reporter = self.sim.pool[int(len(self.sim.pool) * rng.random() ** 1.6)] if rng.random() < 0.65 else None

    def city_handler(self, subject: str, kelurahan: bool) -> tuple[int, int]:
        """(the agency that finally handles it, the one the platform routes it to) in the demo city."""
        sim = self.sim
        if kelurahan:
            office = sim.village_office.get(self.region)
            if office is not None:
                return office, office
        national = sim.national.get(subject)
        if national is not None:
            return national, national
        found = sim.city_handlers.get(subject)
        if found is None:
            return sim.net["city"], sim.net["city"]
        dept, unit = found
        if unit == PUSKESMAS:
            unit = sim.centre_for(self.region)
        if unit is None or self.rng.random() < SELF_HANDLED:
            return dept, dept
        return unit, dept

    def run(self):
        self.setup()
        rng, sim, cal, now = self.rng, self.sim, self.cal, self.sim.now
        self.event(
            EV.SUBMITTED,
            self.t,
            actor=self.reporter,
            role=REPORTER,
            to_state=State.SUBMITTED,
            data={"channel": str(self.channel), "type": str(self.type)},
        )
        self.due = cal.deadline(self.t, sim.days["verify"])
        self.completion_due = cal.deadline(self.t, sim.days["complete"])
        if self.auto:
            self.route(self.first, None, SYSTEM, data={"automatic": True})
            self.auto_routed = True
        self.pending_wrong = self.first != self.correct
        never_resume = rng.random() < 0.4
        for _step in range(40):
            state = self.state
            if state == State.SUBMITTED:
                if not self.at(cal.staff_time(rng, self.t, sim.verify_wd())):
                    break
                if rng.random() < 0.06 and not self.assignments:
                    self.archive(sim.net["platform_admin"], PLATFORM_ADMIN)
                    break
                target = self.first if not self.assignments else self.correct
                self.route(target, sim.net["platform_admin"], PLATFORM_ADMIN)
            elif state in (State.ROUTED, State.IN_PROGRESS):
                if not self.agency_step():
                    break
            elif state == State.FOLLOWED_UP:
                if not self.reporter_step():
                    break
            elif state == State.POSTPONED:
                if never_resume or not self.at(cal.staff_time(rng, self.t, rng.randint(5, 40))):
                    break
                self.resume()
            elif state == State.DONE:
                self.rate_step()
                if self.state == State.DONE:
                    break
            else:
                break
        self.clock(now)
        self.rows_add()

    def agency_step(self) -> bool:
        rng, sim, cal = self.rng, self.sim, self.cal
        if self.pending_wrong and self.agency == self.first:
            if not self.at(cal.staff_time(rng, self.t, rng.randint(0, 3))):
                return False
            self.pending_wrong = False
            if rng.random() < 0.7:
                self.not_authority(rng.choice([AGENCY_ADMIN, LIAISON]))
            else:
                self.route(
                    self.correct,
                    sim.staff(self.agency, AGENCY_ADMIN),
                    AGENCY_ADMIN,
                    action=Action.FORWARD,
                    previous=self.current[0],
                    reason=rng.choice(tx.FORWARD),
                )
            return True
        u = rng.random()
        if u < 0.04 and self.reopen_count == 0:
            t = cal.staff_time(rng, self.t, rng.randint(0, 2))
            if t < self.due and self.at(t):
                self.postpone()
                return True
        if u < 0.07 and self.reopen_count == 0:
            if not self.at(cal.staff_time(rng, self.t, rng.randint(0, 4))):
                return False
            self.archive(sim.staff(self.agency, AGENCY_ADMIN), AGENCY_ADMIN)
            return True
        if (
            self.state == State.ROUTED
            and self.handler != self.agency
            and sim.agencies[self.handler]["parent_id"] == self.agency
        ):
            if not self.at(cal.staff_time(rng, self.t, rng.randint(0, 1))):
                return False
            self.dispose(self.handler)  # to the unit (health centre) whose work it is
            return True
        if self.state == State.IN_PROGRESS and u > 0.97 and self.current[3] is not None:
            if not self.at(cal.staff_time(rng, self.t, rng.randint(0, 2))):
                return False
            self.not_authority(UNIT_STAFF if sim.agencies[self.agency]["kind"] == "unit" else LIAISON)
            self.handler = self.agency  # back with the department, which answers itself
            return True
        wd = round(sim.follow_up_wd() * sim.slowness(self.agency))
        if not self.at(cal.staff_time(rng, self.t, wd)):
            return False
        self.follow_up()
        return True

    def reporter_step(self) -> bool:
        rng, sim, cal = self.rng, self.sim, self.cal
        u, window = rng.random(), self.due - self.t
        if u < 0.15:
            if not self.at(self.t + int(window * rng.random() * 0.6) + 600):
                return False
            self.reply()
        elif u < 0.45:
            if not self.at(self.t + int(min(window, 5 * DAY) * rng.random()) + 600):
                return False
            self.complete(Action.COMPLETE, self.reporter, REPORTER)
        elif u < 0.5 and (staff_at := cal.staff_time(rng, self.t, 2)) < self.due:
            if not self.at(staff_at):
                return False
            self.complete(Action.COMPLETE, sim.net["platform_admin"], PLATFORM_ADMIN)
        else:  # silence: the sweep closes it after the reply window
            if not self.at(self.due + rng.randint(60, SWEEP)):
                return False
            self.complete(Action.AUTO_COMPLETE, None, SYSTEM, reason="Selesai otomatis: tidak ada tanggapan pelapor")
        return True

    def rate_step(self) -> None:
        rng = self.rng
        if self.rating is not None or rng.random() >= 0.45:
            return
        if not self.at(self.t + rng.randint(HOUR, 7 * DAY)):
            return
        rating = self.sim.rating()
        if rating <= 2 and self.reopen_count == 0 and rng.random() < 0.3:
            comment = rng.choice(tx.REOPEN)
            self.rating, self.rating_comment = rating, comment
            self.state, self.completed_at = State.IN_PROGRESS, None
            self.reopen_count += 1
            self.due = self.cal.deadline(self.t, self.sim.days["follow_up"])
            self.transition(
                Action.REOPEN, self.t, self.reporter, REPORTER, State.DONE, reason=comment, data={"rating": rating}
            )
            return
        self.rating = rating
        self.rating_comment = tx.RATING_COMMENTS[rating] if rng.random() < 0.4 else ""
        self.transition(
            Action.RATE,
            self.t,
            self.reporter,
            REPORTER,
            State.DONE,
            reason=self.rating_comment,
            data={"rating": rating},
        )

    # --- output ----------------------------------------------------------------------------
    def text(self) -> tuple[str, str]:
        rng = self.rng
        issues, suggestions, questions, details, _actions = self.texts
        fill = {"street": self.street, "days": rng.randint(2, 9), "weeks": rng.randint(2, 8), "place": self.place}
        detail = rng.choice(details).format(**fill)
        if self.type == ReportType.SUGGESTION:
            what = rng.choice(suggestions)
            return f"Usulan {what} di {self.short_place}", tx.SUGGEST_BODY.format(
                what=what, place=self.place, detail=detail
            )
        if self.type == ReportType.INFORMATION:
            what = rng.choice(questions)
            return f"Permintaan informasi {what}", tx.INFO_BODY.format(what=what, place=self.place)
        issue = rng.choice(issues)
        opener = rng.choice(tx.OPENERS)
        body = f"{opener}\n\n{issue} di {self.street}, {self.place}. {detail}\n\n{rng.choice(tx.CLOSERS)}".lstrip()
        return f"{issue} di {self.short_place}", body

    def search_text(self, title: str, body: str, guest_name: str) -> str:
        """What search matches (reports/searchtext.py): the masked text, the reporter's name too when anonymous."""
        name = guest_name or self.sim.names.get(self.reporter, "")
        # names only: the simulation runs in worker processes that must not query the database (the
        # place rule can only keep more words; `lapor reports_search_text --all` recomputes exactly)
        return search_text_compose(title, body, names=(name,) if self.anonymous else ())

    def rows_add(self) -> None:
        sim, rng, fmt = self.sim, self.rng, self.sim.fmt
        title, body = self.text()
        guest_name = guest_email = guest_phone = secret = ""
        if self.reporter is None:
            first, last = rng.choice(tx.FIRST_NAMES), rng.choice(tx.LAST_NAMES)
            guest_name = f"{first} {last}"
            if rng.random() < 0.6 and self.channel != Channel.SMS:
                guest_email = f"{first}.{last}{rng.randint(1, 999)}@contoh.id".lower()
            else:
                block = rng.randint(11, 59)
                block += 10 if 40 <= block <= 49 else 0  # 084x is allocated to no operator (accounts.phones)
                guest_phone = f"+628{block}{rng.randint(10**6, 10**8 - 1)}"
            secret = f"{rng.getrandbits(256):064x}"  # nobody holds the secret of a generated guest report
        incident = (
            dt.date(1970, 1, 1) + dt.timedelta(days=self.cal.day(self.submitted) - rng.randint(0, 14))
        ).isoformat()
        address = f"{self.street} No. {rng.randint(1, 150)}, {self.place}" if self.lat else ""
        sim.rows["reports"].append(
            (
                self.id,
                self.tracking_id,
                secret,
                str(self.type),
                sim.esc(title),
                sim.esc(body),
                self.topic.pk if self.topic else None,
                self.region,
                self.lat,
                self.lon,
                address,
                incident,
                self.target,
                str(self.channel),
                self.anonymous,
                self.confidential,
                self.reporter,
                guest_name,
                guest_email,
                guest_phone,
                str(self.state),
                self.agency,
                fmt(self.due),
                fmt(self.completion_due),
                str(self.paused_state),
                self.paused_days,
                self.overdue,
                fmt(self.overdue_since),
                self.level,
                fmt(self.escalated_at),
                self.bounce_count,
                self.reopen_count,
                str(self.archive_reason),
                self.duplicate_of,
                self.rating,
                self.rating_comment,
                self.auto_routed,
                fmt(self.submitted),
                fmt(self.verified_at),
                fmt(self.first_follow_up_at),
                fmt(self.completed_at),
                fmt(self.last),
                sim.esc(self.search_text(title, body, guest_name)),
            )
        )
        submitted = fmt(self.submitted)
        for aid, agency, path, previous, assigned, ended, moved_out in self.assignments:
            sim.rows["assignments"].append(
                (aid, self.id, agency, path, previous, fmt(assigned), fmt(ended), submitted, moved_out)
            )
        sim.recent.append((self.id, self.tracking_id))
