"""Building the roll-ups (``StatCell``) from the raw report table.

A refresh recounts whole cohort months (reports by the month they were submitted, in the
deployment's time zone): the full history on ``--full``, otherwise only the months holding a
report that has an audit event since the previous run (every change of a report writes one),
plus the current month. Recounting a month is delete + insert in one transaction, so readers
never see half a month.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

from django.db import transaction
from django.db.models.functions import TruncMonth
from django.utils import timezone

from lapor.agencies.models import Agency
from lapor.reports import lifecycle as lc
from lapor.reports.deadlines import calendar_get, tz
from lapor.reports.models import Report, ReportEvent

from .models import RollupRun, StatCell

log = logging.getLogger("lapor.analytics")

NATIONAL, PUBLIC = "n", "p"
DURATIONS = (("verify_days", "verified_at"), ("follow_up_days", "first_follow_up_at"), ("complete_days", "completed_at"))
PUBLIC_HIDDEN_STATES = {lc.State.SUBMITTED, lc.State.ARCHIVED}  # as report_public_qs
FIELDS = ("submitted_at", "verified_at", "first_follow_up_at", "completed_at", "completion_due_at", "state", "type",
          "channel", "topic_id", "region_id", "agency_id", "is_confidential", "is_overdue", "bounce_count",
          "reopen_count", "rating")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_next(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = tz()
    return (dt.datetime.combine(month, dt.time(), tzinfo=zone), dt.datetime.combine(month_next(month), dt.time(), tzinfo=zone))


class WorkdayIndex:
    """Working days between two dates in O(1): a running count of working days per date."""

    def __init__(self, start: dt.date, end: dt.date):
        cal = calendar_get()
        self.start, self.cum, count = start, [], 0
        day = start
        while day <= end:
            if cal.is_working_day(day):
                count += 1
            self.cum.append(count)
            day += dt.timedelta(days=1)
        self._cal = cal

    def between(self, a: dt.date, b: dt.date) -> int:
        """Same as WorkingCalendar.working_days_between(a, b)."""
        if b <= a:
            return 0
        i, j = (a - self.start).days, (b - self.start).days
        if 0 <= i < len(self.cum) and 0 <= j < len(self.cum):
            return self.cum[j] - self.cum[i]
        return self._cal.working_days_between(a, b)


def _agency_scopes() -> dict[int, list[str]]:
    return {pk: [f"a:{int(seg)}" for seg in path.split(".") if seg] for pk, path in Agency.objects.values_list("pk", "path")}


def _region_scopes(code: str | None) -> list[str]:
    if not code:
        return []
    parts = code.split(".")
    return [f"r:{parts[0]}"] + ([f"r:{parts[0]}.{parts[1]}"] if len(parts) > 1 else [])


def report_dims(row: dict, days: WorkdayIndex, zone) -> list[tuple[str, str]]:
    """The (dim, key) cells one report counts in."""
    submitted = row["submitted_at"].astimezone(zone).date()
    region = row["region_id"] or ""
    province = region.split(".")[0] if region else ""
    regency = ".".join(region.split(".")[:2]) if region.count(".") >= 1 else ""
    week = week_start(submitted).isoformat()
    dims = [("received", ""), ("state", row["state"]), ("type", row["type"]), ("channel", row["channel"]),
            ("topic", str(row["topic_id"] or 0)), ("province", province), ("regency", regency), ("week", week),
            ("topic_week", f"{row['topic_id'] or 0}|{week}")]
    if regency:
        dims.append(("regency_week", f"{regency}|{week}"))
    if row["state"] == lc.State.DONE and row["completed_at"] and row["completion_due_at"]:
        dims.append(("in_time", "1" if row["completed_at"] <= row["completion_due_at"] else "0"))
    for dim, field in DURATIONS:
        if row[field]:
            dims.append((dim, str(days.between(submitted, row[field].astimezone(zone).date()))))
    if row["is_overdue"]:
        dims.append(("overdue", ""))
    if row["bounce_count"]:
        dims.append(("bounced", ""))
    if row["reopen_count"]:
        dims.append(("reopened", ""))
    if row["rating"]:
        dims.append(("rating", str(row["rating"])))
    return dims


NATIONAL_ONLY_DIMS = {"topic_week", "regency_week"}  # alert series: national scope only, keeps the table small


def month_count(month: dt.date, *, agency_scopes: dict[int, list[str]], days: WorkdayIndex) -> tuple[Counter, int]:
    zone = tz()
    start, end = month_bounds(month)
    cells: Counter = Counter()
    seen = 0
    rows = Report.objects.filter(submitted_at__gte=start, submitted_at__lt=end).values(*FIELDS)
    for row in rows.iterator(chunk_size=5000):
        seen += 1
        dims = report_dims(row, days, zone)
        scopes = [*agency_scopes.get(row["agency_id"], ()), *_region_scopes(row["region_id"])]
        if not row["is_confidential"] and row["state"] not in PUBLIC_HIDDEN_STATES:
            scopes.append(PUBLIC)
        for dim_key in dims:
            cells[(NATIONAL, *dim_key)] += 1
            if dim_key[0] in NATIONAL_ONLY_DIMS:
                continue
            for scope in scopes:
                cells[(scope, *dim_key)] += 1
    return cells, seen


def month_store(month: dt.date, cells: Counter) -> None:
    with transaction.atomic():
        StatCell.objects.filter(month=month).delete()
        StatCell.objects.bulk_create(
            (StatCell(scope=s, month=month, dim=d, key=k, n=n) for (s, d, k), n in cells.items()), batch_size=5000)


def months_touched(since: dt.datetime) -> set[dt.date]:
    months = (ReportEvent.objects.filter(created_at__gte=since)
              .annotate(m=TruncMonth("report__submitted_at", tzinfo=tz())).values_list("m", flat=True).distinct())
    return {m.date() if isinstance(m, dt.datetime) else m for m in months}


def months_all() -> set[dt.date]:
    months = Report.objects.annotate(m=TruncMonth("submitted_at", tzinfo=tz())).values_list("m", flat=True).distinct()
    return {m.date() if isinstance(m, dt.datetime) else m for m in months}


def rollup_refresh(*, full: bool = False, now: dt.datetime | None = None) -> RollupRun:
    now = now or timezone.now()
    last = RollupRun.objects.filter(finished_at__isnull=False).first()
    run = RollupRun.objects.create(started_at=now, full=full or last is None)
    if run.full:
        months = months_all()
        StatCell.objects.exclude(month__in=months).delete()
    else:
        months = months_touched(last.started_at - dt.timedelta(minutes=5))
        months.add(month_start(now.astimezone(tz()).date()))
    today = now.astimezone(tz()).date()
    days = WorkdayIndex(min(months, default=today) - dt.timedelta(days=1), today + dt.timedelta(days=400))
    scopes = _agency_scopes()
    total = 0
    for month in sorted(months):
        cells, seen = month_count(month, agency_scopes=scopes, days=days)
        month_store(month, cells)
        total += seen
    run.finished_at, run.months, run.reports = timezone.now(), len(months), total
    run.save(update_fields=["finished_at", "months", "reports"])
    log.info("analytics roll-up: %s months, %s reports, full=%s", len(months), total, run.full)
    return run
