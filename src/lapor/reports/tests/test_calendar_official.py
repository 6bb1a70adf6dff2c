"""The official calendar: cuti bersama count as days off by default (Lebaran 2026), and platform
operators change a day by decree, audited, with open deadlines moved as the deadline rules say."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from lapor.accounts.models import AuditLog
from lapor.core.errors import Conflict, PermissionDenied, ValidationFailed
from lapor.reports import deadlines
from lapor.reports import services as s
from lapor.reports.calendar import calendar_day_set, calendar_year
from lapor.reports.deadlines import WorkingCalendar
from lapor.reports.lifecycle import State
from lapor.reports.models import CalendarDay

WIB = ZoneInfo("Asia/Jakarta")
D = dt.date


@pytest.fixture(autouse=True)
def _fresh_calendar():
    deadlines.calendar_reset()
    yield
    deadlines.calendar_reset()


def submit(net, when: dt.datetime):
    sub = s.Submission(title="Antrean KTP", body="Antrean perekaman KTP elektronik tidak dilayani.")
    report, _ = s.report_submit(submission=sub, reporter=net.user("reporter"), now=when)
    assert report.state == State.SUBMITTED
    return report


def test_lebaran_2026_collective_leave_days_are_not_working_days():
    cal = WorkingCalendar()
    for day in (D(2026, 3, 18), D(2026, 3, 20), D(2026, 3, 23), D(2026, 3, 24)):  # Nyepi and Idul Fitri cuti bersama
        assert not cal.is_working_day(day), day
    assert cal.is_working_day(D(2026, 3, 17)) and cal.is_working_day(D(2026, 3, 25))
    # Three working days after Tuesday 17 March: Wednesday 25, Thursday 26, Friday 27 March.
    assert cal.add_working_days(D(2026, 3, 17), 3) == D(2026, 3, 27)


def test_only_public_holidays_when_the_deployment_says_so(settings):
    settings.LAPOR_HOLIDAY_CATEGORIES = ("public",)
    cal = WorkingCalendar()
    assert cal.is_working_day(D(2026, 3, 20)) and cal.is_working_day(D(2026, 3, 23))
    assert cal.add_working_days(D(2026, 3, 17), 3) == D(2026, 3, 23)  # 18, 20, 23


def test_a_report_filed_before_lebaran_is_due_after_the_collective_leave(net):
    report = submit(net, dt.datetime(2026, 3, 17, 10, 0, tzinfo=WIB))
    assert report.due_at.astimezone(WIB).isoformat() == "2026-03-27T23:59:59+07:00"


def test_the_year_lists_official_days_with_indonesian_names_and_decrees(db, settings):
    settings.LAPOR_LEAVE_DAYS = ["2026-12-31"]
    CalendarDay.objects.create(date=D(2026, 3, 25), name="SKB tambahan")
    CalendarDay.objects.create(date=D(2026, 3, 23), kind=CalendarDay.Kind.WORKDAY, name="Dibatalkan")
    days = {e.date: e for e in calendar_year(2026)}
    assert days[D(2026, 3, 20)].name == "Cuti Bersama Hari Raya Idul Fitri"
    assert (days[D(2026, 3, 20)].source, days[D(2026, 3, 20)].working) == ("official", False)
    assert days[D(2026, 3, 25)].source == "decree" and days[D(2026, 12, 31)].source == "setting"
    assert (days[D(2026, 3, 23)].source, days[D(2026, 3, 23)].working) == ("workday", True)
    assert all(day.year == 2026 for day in days)


def test_cancelling_a_leave_day_brings_open_deadlines_in_and_restoring_it_moves_them_back(net):
    monday = dt.datetime(2026, 3, 16, 10, 0, tzinfo=WIB)
    report = submit(net, monday)
    # 17 March, then 25 and 26 March (18-24 are Nyepi, Lebaran and the weekend).
    assert report.due_at.astimezone(WIB).date() == D(2026, 3, 26)
    platform = net.user("platform")

    result = calendar_day_set(
        day=D(2026, 3, 24), working=True, name="SKB perubahan cuti bersama", actor=platform, now=monday
    )
    report.refresh_from_db()
    assert report.due_at.astimezone(WIB).isoformat() == "2026-03-25T23:59:59+07:00"  # 17, 24, 25
    assert result["deadlines_moved"]["due_at"] == 1
    assert CalendarDay.objects.get(date=D(2026, 3, 24)).kind == CalendarDay.Kind.WORKDAY
    audit = AuditLog.objects.get(action="calendar_day_set")
    assert audit.actor == platform and audit.detail["date"] == "2026-03-24" and audit.detail["working"] is True
    assert audit.detail["name"] == "SKB perubahan cuti bersama"

    calendar_day_set(day=D(2026, 3, 24), working=False, name="SKB dicabut", actor=platform, now=monday)
    report.refresh_from_db()
    assert report.due_at.astimezone(WIB).date() == D(2026, 3, 26)
    assert not CalendarDay.objects.filter(date=D(2026, 3, 24)).exists()  # the official calendar again


def test_a_new_leave_day_pushes_deadlines_and_overall_limits_forward(net):
    monday = dt.datetime(2026, 3, 16, 10, 0, tzinfo=WIB)
    report = submit(net, monday)
    other = submit(net, monday)
    completion = report.completion_due_at
    calendar_day_set(
        day=D(2026, 3, 17), working=False, name="Cuti bersama tambahan", actor=net.user("platform"), now=monday
    )
    for r in (report, other):
        r.refresh_from_db()
        assert r.due_at.astimezone(WIB).date() == D(2026, 3, 27)  # 25, 26, 27: moved once, not twice
    assert report.completion_due_at > completion
    assert (
        deadlines.calendar_get().add_working_days(completion.astimezone(WIB).date(), 1)
        == report.completion_due_at.astimezone(WIB).date()
    )


def test_a_day_already_past_moves_no_deadline(net):
    monday = dt.datetime(2026, 3, 16, 10, 0, tzinfo=WIB)
    report = submit(net, monday)
    before = report.due_at
    result = calendar_day_set(
        day=D(2026, 3, 16), working=False, name="Libur mendadak", actor=net.user("platform"), now=monday
    )
    report.refresh_from_db()
    assert report.due_at == before and result["deadlines_moved"] == {"due_at": 0, "completion_due_at": 0}
    assert not deadlines.calendar_get().is_working_day(D(2026, 3, 16))


def test_only_platform_operators_change_the_calendar_and_a_no_op_is_refused(net):
    with pytest.raises(PermissionDenied):
        calendar_day_set(day=D(2026, 3, 17), working=False, name="SKB", actor=net.user("city_admin"))
    with pytest.raises(Conflict) as conflict:
        calendar_day_set(day=D(2026, 3, 20), working=False, name="SKB", actor=net.user("platform"))
    assert conflict.value.code == "no_change" and conflict.value.status == 409
    with pytest.raises(ValidationFailed) as exc:
        calendar_day_set(day=D(2026, 3, 17), working=False, name="  ", actor=net.user("platform"))
    assert exc.value.code == "reason_required"
    assert not CalendarDay.objects.exists() and not AuditLog.objects.filter(action="calendar_day_set").exists()
