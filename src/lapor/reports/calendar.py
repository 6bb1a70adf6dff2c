"""The official calendar as the platform operators see and change it.

What a year's days off are made of (``calendar_year``), and the one write: a platform operator
makes a date a day off or a working day by decree (``calendar_day_set``). The change is a
CalendarDay row, an audit record, and open deadlines moved as the deadline rules say: the
working days a report still had before the change are the working days it has after it, counted
on the new calendar. A day that has already begun moves no deadline (its clock already ran).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db import models
from django.db.models import Case, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lapor.accounts.audit import audit_record
from lapor.accounts.selectors import user_is_platform_admin
from lapor.core.errors import PermissionDenied, ValidationFailed

from . import lifecycle as lc
from .deadlines import WorkingCalendar, calendar_get, calendar_reset, end_of_day, tz
from .models import CalendarDay, Report

NAME_MAX = 120
# The clocks a calendar change moves: each open report's current stage and its overall limit.
_CLOCKS = (("due_at", lc.OPEN_STATES), ("completion_due_at", lc.OPEN_STATES))


@dataclass(frozen=True)
class CalendarEntry:
    date: dt.date
    name: str
    source: str  # official | decree | setting | workday
    working: bool
    entry_id: int | None = None  # the CalendarDay row, when there is one


SOURCE_LABELS = {
    "official": _("Kalender resmi"),
    "decree": _("Keputusan (SKB)"),
    "setting": _("Pengaturan"),
    "workday": _("Hari kerja pengganti"),
}


def calendar_year(year: int) -> list[CalendarEntry]:
    """Every day off (and substitute working day) of a year in the calendar in use, by date."""
    cal = calendar_get()
    rows = {row.date: row for row in CalendarDay.objects.filter(date__year=year)}
    entries: dict[dt.date, CalendarEntry] = {}
    for day, name in cal.official_days(year).items():
        entries[day] = CalendarEntry(day, name, "official", working=False)
    for raw in settings.LAPOR_LEAVE_DAYS:
        day = dt.date.fromisoformat(raw)
        if day.year == year:
            entries[day] = CalendarEntry(day, str(_("Cuti bersama (pengaturan)")), "setting", working=False)
    for day, row in rows.items():
        if row.kind == CalendarDay.Kind.WORKDAY:
            entries[day] = CalendarEntry(day, row.name, "workday", working=True, entry_id=row.pk)
        else:
            entries[day] = CalendarEntry(day, row.name, "decree", working=False, entry_id=row.pk)
    return [entries[day] for day in sorted(entries)]


def _base_working(day: dt.date) -> bool:
    """Whether a date is a working day without its own CalendarDay row."""
    leave = {dt.date.fromisoformat(d) for d in settings.LAPOR_LEAVE_DAYS}
    return WorkingCalendar(leave_days=leave).is_working_day(day)


def _require_platform_admin(actor) -> None:
    if actor is None or not user_is_platform_admin(actor):
        raise PermissionDenied(_("Hanya admin nasional yang dapat mengubah kalender kerja."))


@transaction.atomic
def calendar_day_set(*, day: dt.date, working: bool, name: str, actor, now: dt.datetime | None = None) -> dict:
    """Make ``day`` a working day or a day off by decree. Returns what changed, for the page.

    A date that the official calendar already treats the asked way loses its own row instead.
    """
    _require_platform_admin(actor)
    now = now or timezone.now()
    name = " ".join((name or "").split())[:NAME_MAX]
    if not name:
        raise ValidationFailed(
            _("Tulis dasar perubahan, misalnya nomor SKB."), code="reason_required", detail={"field": "name"}
        )
    calendar_reset()  # another process may have changed it within the cache minute
    before = calendar_get()
    if before.is_working_day(day) == working:
        raise ValidationFailed(
            _("Tanggal itu sudah %(state)s.") % {"state": _("hari kerja") if working else _("hari libur")},
            code="no_change",
            detail={"field": "date"},
        )
    CalendarDay.objects.select_for_update().filter(date=day).delete()
    if _base_working(day) != working:
        kind = CalendarDay.Kind.WORKDAY if working else CalendarDay.Kind.LEAVE
        CalendarDay.objects.create(date=day, kind=kind, name=name)
    calendar_reset()
    after = calendar_get()
    moved = _deadlines_move(day, before, after, now=now)
    audit_record(
        action="calendar_day_set",
        actor=actor,
        target_type="calendar_day",
        target_id=day.isoformat(),
        detail={"date": day.isoformat(), "working": working, "name": name, "deadlines_moved": moved},
    )
    return {"date": day, "working": working, "deadlines_moved": moved}


def _deadlines_move(day: dt.date, before: WorkingCalendar, after: WorkingCalendar, *, now: dt.datetime) -> dict:
    """Open deadlines on or after ``day`` keep their remaining working days on the new calendar.

    One UPDATE per clock with a CASE over the (few) distinct deadlines, so a deadline moved onto
    another deadline's old date is never moved twice."""
    today = now.astimezone(tz()).date()
    moved = {field: 0 for field, _states in _CLOCKS}
    if day <= today:
        return moved
    day_start = dt.datetime.combine(day, dt.time.min, tzinfo=tz())
    for field, states in _CLOCKS:
        scope = Report.objects.filter(state__in=states, **{f"{field}__gte": day_start})
        olds = set(scope.values_list(field, flat=True).distinct())
        mapping = {}
        for old in olds:
            old_day = old.astimezone(tz()).date()
            if old_day < day:
                continue
            new = end_of_day(after.add_working_days(today, before.working_days_between(today, old_day)))
            if new != old:
                mapping[old] = new
        if mapping:
            moved[field] = scope.filter(**{f"{field}__in": list(mapping)}).update(
                **{
                    field: Case(
                        *[When(**{field: old}, then=new) for old, new in mapping.items()],
                        output_field=models.DateTimeField(),
                    )
                }
            )
    return moved


def calendar_years(now: dt.datetime | None = None) -> list[tuple[int, list[CalendarEntry]]]:
    """The current and the next year, as the operators' page shows them."""
    year = (now or timezone.now()).astimezone(tz()).year
    return [(y, calendar_year(y)) for y in (year, year + 1)]
