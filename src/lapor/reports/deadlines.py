"""The working-day calendar and the deadline clock.

Working days are Monday–Friday minus Indonesia's official calendar from the ``holidays``
package: its PUBLIC category (national holidays) and its GOVERNMENT category (cuti bersama, the
collective leave days of the joint ministerial decree), as ``LAPOR_HOLIDAY_CATEGORIES`` says; minus
the leave days added by decree (``LAPOR_LEAVE_DAYS`` and the CalendarDay table); plus any
substitute working days (CalendarDay ``workday``, which also cancels an official day off). Deadlines fall at the end of the Nth working day, in the
deployment's time zone (WIB by default).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.db import DatabaseError, transaction

from lapor.core.cacheversion import VersionToken

from .models import CalendarDay

STAGES = ("verify", "follow_up", "reply", "complete")
_CACHE_SECONDS = 60  # the oldest copy a process keeps if the shared cache is down
CHECK_SECONDS = 1.0  # how often a process compares the shared version token
VERSION = VersionToken("lapor:calendar:version")


class WorkingCalendar:
    def __init__(
        self,
        *,
        leave_days: set[dt.date] | frozenset[dt.date] = frozenset(),
        extra_workdays: set[dt.date] | frozenset[dt.date] = frozenset(),
        categories: tuple[str, ...] | None = None,
    ):
        self.categories = tuple(categories if categories is not None else settings.LAPOR_HOLIDAY_CATEGORIES)
        self._national = holidays.country_holidays("ID", categories=self.categories, language="id")
        self.leave_days = set(leave_days)
        self.extra_workdays = set(extra_workdays)
        self._added: dict[tuple[dt.date, int], dt.date] = {}  # every submission asks the same few sums

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.extra_workdays:
            return True
        if day.weekday() >= 5 or day in self.leave_days:
            return False
        return day not in self._national

    def official_days(self, year: int) -> dict[dt.date, str]:
        """The package's days off for a year (national holidays and cuti bersama), Indonesian names."""
        _ = dt.date(year, 1, 1) in self._national  # the package fills a year on first lookup
        return {day: name for day, name in sorted(self._national.items()) if day.year == year}

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date ``days`` working days after ``start`` (start itself not counted)."""
        known = self._added.get((start, days))
        if known is not None:
            return known
        current, remaining = start, days
        while remaining > 0:
            current += dt.timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        if len(self._added) < 4096:  # the calendar is rebuilt when it changes, or every minute
            self._added[(start, days)] = current
        return current

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
        count, current = 0, start
        while current < end:
            current += dt.timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


class CalendarCache:
    """One process's copy of the deployment's calendar. A change anywhere replaces the version token
    in the shared cache (core/cacheversion.py; Redis in a multi-process deployment), and every process
    compares it at most every ``CHECK_SECONDS``, so a decree day saved in one worker reaches a report
    routed in another within a second. ``_CACHE_SECONDS`` still bounds a copy's age if the shared
    cache is unavailable."""

    def __init__(self):
        self._lock = threading.Lock()
        self._calendar: WorkingCalendar | None = None
        self._at = 0.0
        self._checked = 0.0
        self._version: str | None = None

    def _shared_version(self) -> str | None:
        try:
            return VERSION.current()
        except Exception:  # the shared cache down: the age limit still bounds staleness
            return self._version

    def get(self) -> WorkingCalendar:
        with self._lock:
            now = time.monotonic()
            if self._calendar is not None and now - self._at >= _CACHE_SECONDS:
                self._calendar = None
            if self._calendar is not None and now - self._checked >= CHECK_SECONDS:
                self._checked = now
                if self._shared_version() != self._version:
                    self._calendar = None
            if self._calendar is None:
                self._version = self._shared_version()  # read before the rows: a later change is seen
                self._calendar = _calendar_build()
                self._at = self._checked = now
            return self._calendar

    def reset(self) -> None:
        with self._lock:
            self._calendar = None


def _calendar_build() -> WorkingCalendar:
    leave = {dt.date.fromisoformat(d) for d in settings.LAPOR_LEAVE_DAYS}
    workdays: set[dt.date] = set()
    try:
        for day in CalendarDay.objects.all():
            (workdays if day.kind == CalendarDay.Kind.WORKDAY else leave).add(day.date)
    except DatabaseError:  # before migrations
        pass
    return WorkingCalendar(leave_days=leave, extra_workdays=workdays)


_process = CalendarCache()


def calendar_get() -> WorkingCalendar:
    """The deployment's calendar; this process's copy follows a change made anywhere within
    ``CHECK_SECONDS`` (the shared version token)."""
    return _process.get()


def calendar_reset() -> None:
    """Drop this process's copy (tests; before reading the calendar a change depends on)."""
    _process.reset()


def calendar_changed() -> None:
    """The calendar changed: every process drops its copy (now, and again at commit)."""
    _process.reset()
    VERSION.replace()
    transaction.on_commit(_process.reset)


def tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def stage_days(stage: str, agency=None) -> int:
    """Working days allowed for a stage: the agency's own override, else the deployment's."""
    if agency is not None:
        overrides = agency.deadline_overrides or {}
        if stage in overrides:
            return int(overrides[stage])
    return int(settings.LAPOR_DEADLINES[stage])


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz())


def deadline_after(start: dt.datetime, days: int) -> dt.datetime:
    local_date = start.astimezone(tz()).date()
    return end_of_day(calendar_get().add_working_days(local_date, days))


def deadline_for(stage: str, start: dt.datetime, agency=None) -> dt.datetime:
    return deadline_after(start, stage_days(stage, agency))


def working_days_left(now: dt.datetime, due: dt.datetime) -> int:
    return calendar_get().working_days_between(now.astimezone(tz()).date(), due.astimezone(tz()).date())
