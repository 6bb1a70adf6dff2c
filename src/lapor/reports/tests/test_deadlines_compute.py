"""Working-day deadlines on the Indonesian calendar."""

import datetime as dt

import pytest

from lapor.reports import deadlines
from lapor.reports.deadlines import WorkingCalendar
from lapor.reports.models import CalendarDay


@pytest.fixture(autouse=True)
def _fresh_calendar():
    deadlines.calendar_reset()
    yield
    deadlines.calendar_reset()


def test_weekends_are_not_working_days():
    cal = WorkingCalendar()
    friday = dt.date(2026, 11, 20)
    assert cal.add_working_days(friday, 1) == dt.date(2026, 11, 23)  # Monday


def test_national_holidays_are_skipped():
    cal = WorkingCalendar(categories=("public",))  # without cuti bersama (24 Dec 2026 is one)
    # 2026-12-24 (Thu) is a working day; 2026-12-25 (Fri) is Christmas: 3 working days after Wed 23 Dec
    # are Thu 24, Mon 28, Tue 29.
    assert cal.add_working_days(dt.date(2026, 12, 23), 3) == dt.date(2026, 12, 29)
    assert not cal.is_working_day(dt.date(2026, 8, 17))  # Independence Day


def test_collective_leave_days_from_settings_and_database(db, settings):
    settings.LAPOR_LEAVE_DAYS = ["2026-12-24"]
    CalendarDay.objects.create(date=dt.date(2026, 12, 28), name="Cuti bersama (contoh)")
    cal = deadlines.calendar_get()
    assert not cal.is_working_day(dt.date(2026, 12, 24))
    assert not cal.is_working_day(dt.date(2026, 12, 28))
    assert cal.add_working_days(dt.date(2026, 12, 23), 3) == dt.date(2026, 12, 31)


def test_a_substitute_working_day_counts(db):
    CalendarDay.objects.create(date=dt.date(2026, 11, 21), kind=CalendarDay.Kind.WORKDAY, name="Hari kerja pengganti")
    assert deadlines.calendar_get().add_working_days(dt.date(2026, 11, 20), 1) == dt.date(2026, 11, 21)


def test_deadline_falls_at_end_of_day_in_wib(db):
    # Submitted Friday 20 Nov 2026 at 23:30 WIB (16:30 UTC): 3 working days -> Wed 25 Nov, 23:59:59 WIB.
    start = dt.datetime(2026, 11, 20, 16, 30, tzinfo=dt.timezone.utc)
    due = deadlines.deadline_for("verify", start)
    assert due.isoformat() == "2026-11-25T23:59:59+07:00"


def test_late_night_utc_counts_as_next_local_day(db):
    # 18:00 UTC Friday is 01:00 WIB Saturday: the clock starts from Saturday.
    start = dt.datetime(2026, 11, 20, 18, 0, tzinfo=dt.timezone.utc)
    assert deadlines.deadline_for("verify", start).date() == dt.date(2026, 11, 25)


def test_deployment_and_agency_overrides(db, settings, net):
    settings.LAPOR_DEADLINES = {**settings.LAPOR_DEADLINES, "follow_up": 7}
    assert deadlines.stage_days("follow_up") == 7
    net.dept.deadline_overrides = {"follow_up": 2}
    assert deadlines.stage_days("follow_up", net.dept) == 2
    assert deadlines.stage_days("verify", net.dept) == settings.LAPOR_DEADLINES["verify"]


def test_working_days_between_counts_only_working_days():
    cal = WorkingCalendar()
    assert cal.working_days_between(dt.date(2026, 11, 20), dt.date(2026, 11, 27)) == 5
    assert cal.working_days_between(dt.date(2026, 11, 27), dt.date(2026, 11, 20)) == 0


@pytest.mark.django_db
def test_a_calendar_change_in_one_process_reaches_the_others_within_a_second(monkeypatch):
    """Two gunicorn workers: each keeps its own copy. A decree day saved through one worker drops
    the other's copy at its next check (the shared version token), not after the 60-second age."""
    clock = [1000.0]
    monkeypatch.setattr(deadlines.time, "monotonic", lambda: clock[0])
    worker_a, worker_b = deadlines.CalendarCache(), deadlines.CalendarCache()
    day = dt.date(2026, 11, 25)  # a Wednesday
    assert worker_a.get().is_working_day(day) and worker_b.get().is_working_day(day)

    monkeypatch.setattr(deadlines, "_process", worker_a)  # the change is made in worker A
    CalendarDay.objects.create(date=day, kind=CalendarDay.Kind.LEAVE, name="SKB uji")
    deadlines.calendar_changed()
    assert not worker_a.get().is_working_day(day)

    clock[0] += deadlines.CHECK_SECONDS
    assert not worker_b.get().is_working_day(day)  # well inside the old 60-second cache
    assert worker_b.get().add_working_days(dt.date(2026, 11, 24), 1) == dt.date(2026, 11, 26)
