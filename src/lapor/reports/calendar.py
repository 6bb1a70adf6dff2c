"""The official calendar as the platform operators see and change it.

What a year's days off are made of (``calendar_year``), and the one write: a platform operator
makes a date a day off or a working day by decree (``calendar_day_set``). The change is a
CalendarDay row, an audit record, and open deadlines moved as the deadline rules say: the
working days a report still had before the change are the working days it has after it, counted
on the new calendar. A day that has already begun moves no deadline (its clock already ran).
Every report whose deadline moved gets one event saying who, when, the old and the new deadline
and why (the decree), written with one INSERT per thousand reports.

The API's two doors (``calendar_decree_add``, ``calendar_decree_remove``) go through the same
``calendar_day_set``: a retried decree is answered with what is in force, a decree removed goes back
to the official calendar.
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
from lapor.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from lapor.core.text import text_clean

from . import lifecycle as lc
from .deadlines import WorkingCalendar, calendar_changed, calendar_get, calendar_reset, end_of_day, tz
from .models import CalendarDay, Report, ReportEvent
from .signals import events_recorded

NAME_MAX = 120
# The clocks a calendar change moves: each open report's current stage and its overall limit.
_CLOCKS = (("due_at", lc.OPEN_STATES), ("completion_due_at", lc.OPEN_STATES))
EVENT_BATCH = 1000


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
    name = " ".join(text_clean(name or "").split())[:NAME_MAX]
    if not name:
        raise ValidationFailed(
            _("Tulis dasar perubahan, misalnya nomor SKB."), code="reason_required", detail={"field": "name"}
        )
    calendar_reset()  # another process may have changed it within the cache minute
    before = calendar_get()
    if before.is_working_day(day) == working:
        raise Conflict(  # depends on the calendar in force, not on the request: a 409
            _("Tanggal itu sudah %(state)s.") % {"state": _("hari kerja") if working else _("hari libur")},
            code="no_change",
            detail={"field": "date"},
        )
    CalendarDay.objects.select_for_update().filter(date=day).delete()
    if _base_working(day) != working:
        kind = CalendarDay.Kind.WORKDAY if working else CalendarDay.Kind.LEAVE
        CalendarDay.objects.create(date=day, kind=kind, name=name)
    calendar_changed()  # every process, not only this one
    after = calendar_get()
    moved, changes = _deadlines_move(day, before, after, now=now)
    reports = _deadline_events_record(changes, day=day, working=working, name=name, actor=actor, now=now)
    audit_record(
        action="calendar_day_set",
        actor=actor,
        target_type="calendar_day",
        target_id=day.isoformat(),
        detail={"date": day.isoformat(), "working": working, "name": name, "deadlines_moved": moved},
    )
    return {"date": day, "working": working, "name": name, "deadlines_moved": moved, "reports_moved": reports}


def _deadlines_move(
    day: dt.date, before: WorkingCalendar, after: WorkingCalendar, *, now: dt.datetime
) -> tuple[dict, dict[int, dict]]:
    """Open deadlines on or after ``day`` keep their remaining working days on the new calendar.

    One UPDATE per clock with a CASE over the (few) distinct deadlines, so a deadline moved onto
    another deadline's old date is never moved twice. The rows it moves are read (and locked)
    first: ``{report id: {clock: (old, new)}}``, for their events."""
    today = now.astimezone(tz()).date()
    moved = {field: 0 for field, _states in _CLOCKS}
    changes: dict[int, dict] = {}
    if day <= today:
        return moved, changes
    day_start = dt.datetime.combine(day, dt.time.min, tzinfo=tz())
    for field, states in _CLOCKS:
        scope = Report.objects.filter(state__in=states, **{f"{field}__gte": day_start})
        olds = set(scope.order_by().values_list(field, flat=True).distinct())  # no ordering column in DISTINCT
        mapping = {}
        for old in olds:
            old_day = old.astimezone(tz()).date()
            if old_day < day:
                continue
            new = end_of_day(after.add_working_days(today, before.working_days_between(today, old_day)))
            if new != old:
                mapping[old] = new
        if mapping:
            rows = scope.filter(**{f"{field}__in": list(mapping)}).select_for_update().values_list("pk", field)
            for pk, old in rows:
                changes.setdefault(pk, {})[field] = (old, mapping[old])
            moved[field] = scope.filter(**{f"{field}__in": list(mapping)}).update(
                **{
                    field: Case(
                        *[When(**{field: old}, then=new) for old, new in mapping.items()],
                        output_field=models.DateTimeField(),
                    )
                }
            )
    return moved, changes


def _deadline_events_record(
    changes: dict[int, dict], *, day: dt.date, working: bool, name: str, actor, now: dt.datetime
) -> int:
    """One public event on each report whose deadline moved: who (the operator), when, each clock's
    old and new deadline, and why (the decree). Bulk-inserted: a decree can touch thousands of open
    reports. The per-event receivers (the public cache among them) are not called: no report
    changed its state or its public text; ``events_recorded`` is sent once with them all (no
    notification is sent for this kind; partners/deadline_moves.py queues the partner and
    federation status webhooks of the moved reports from it, in bulk)."""
    events = [
        ReportEvent(
            report_id=pk,
            kind=ReportEvent.Kind.DEADLINE_MOVED,
            actor=actor,
            actor_role=lc.PLATFORM_ADMIN,
            reason=name,
            data={
                "calendar_date": day.isoformat(),
                "working": working,
                **{field: {"old": _iso(old), "new": _iso(new)} for field, (old, new) in clocks.items()},
            },
            is_public=True,
            created_at=now,
        )
        for pk, clocks in sorted(changes.items())
    ]
    if events:
        ReportEvent.objects.bulk_create(events, batch_size=EVENT_BATCH)
        events_recorded.send(sender=ReportEvent, events=events)
    return len(events)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat()


def calendar_decree_add(*, day: dt.date, working: bool, name: str, actor, now: dt.datetime | None = None) -> dict:
    """The API's decree: ``calendar_day_set``, except that the same decree again (a retry: the date
    already holds a decree of this kind) changes nothing and answers what is in force
    (``created`` False)."""
    _require_platform_admin(actor)
    kind = CalendarDay.Kind.WORKDAY if working else CalendarDay.Kind.LEAVE
    row = CalendarDay.objects.filter(date=day, kind=kind).first()
    if row is not None:
        unmoved = {field: 0 for field, _states in _CLOCKS}
        return {
            "date": day,
            "working": working,
            "name": row.name,
            "deadlines_moved": unmoved,
            "reports_moved": 0,
            "created": False,
        }
    return {**calendar_day_set(day=day, working=working, name=name, actor=actor, now=now), "created": True}


def calendar_decree_remove(*, day: dt.date, reason: str, actor, now: dt.datetime | None = None) -> dict:
    """The API's removal of a decree: the date goes back to what the official calendar says (404
    ``no_decree`` when it holds none), with its deadlines moved and events written as above."""
    _require_platform_admin(actor)
    if not CalendarDay.objects.filter(date=day).exists():
        raise NotFound(_("Tidak ada keputusan kalender pada tanggal itu."), code="no_decree", detail={"field": "date"})
    return calendar_day_set(day=day, working=_base_working(day), name=reason, actor=actor, now=now)


def calendar_years(now: dt.datetime | None = None) -> list[tuple[int, list[CalendarEntry]]]:
    """The current and the next year, as the operators' page shows them."""
    year = (now or timezone.now()).astimezone(tz()).year
    return [(y, calendar_year(y)) for y in (year, year + 1)]
