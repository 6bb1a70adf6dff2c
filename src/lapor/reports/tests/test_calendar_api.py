"""The working calendar over the API: anyone reads a year with each day's source; only platform
operators decree a day (or remove a decree), through the page's own service, audited, with open
deadlines moved; a retried decree changes nothing; bad dates are refused by the schema."""

import datetime as dt

from django.utils import timezone

from lapor.accounts.models import AuditLog
from lapor.reports import services as s
from lapor.reports.deadlines import calendar_get, tz
from lapor.reports.models import CalendarDay, ReportEvent


def submit(net):
    sub = s.Submission(title="Antrean KTP", body="Antrean perekaman KTP elektronik tidak dilayani.")
    report, _ = s.report_submit(submission=sub, reporter=net.user("reporter"))
    return report


def utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat()


def next_working_day() -> dt.date:
    """The first working day after today: a decree on it moves every deadline of a report filed now."""
    return calendar_get().add_working_days(timezone.now().astimezone(tz()).date(), 1)


def delete(client, path, user):
    from lapor.accounts.testing import token_make

    return client.delete(path, HTTP_AUTHORIZATION=f"Bearer {token_make(user)}")


def test_anyone_reads_a_years_calendar_with_the_source_of_each_day(db, api, settings):
    settings.LAPOR_LEAVE_DAYS = ["2026-12-31"]
    CalendarDay.objects.create(date=dt.date(2026, 3, 25), name="SKB tambahan")
    CalendarDay.objects.create(date=dt.date(2026, 3, 23), kind=CalendarDay.Kind.WORKDAY, name="Dibatalkan")
    res = api.get("/api/calendar", {"year": 2026})
    assert res.status_code == 200
    days = {d["date"]: d for d in res.json()["days"]}
    assert res.json()["year"] == 2026
    assert days["2026-08-17"]["source"] == "official" and not days["2026-08-17"]["working"]
    assert days["2026-03-25"] == {
        "date": "2026-03-25",
        "name": "SKB tambahan",
        "source": "decree",
        "source_label": "Keputusan (SKB)",
        "working": False,
    }
    assert days["2026-03-23"]["source"] == "workday" and days["2026-03-23"]["working"]
    assert days["2026-12-31"]["source"] == "setting"
    assert api.get("/api/calendar", {"year": 2026}, lang="en").json()["days"][0]["source_label"] == "Official calendar"
    assert api.get("/api/calendar").json()["year"] == timezone.now().astimezone(tz()).year
    assert api.get("/api/calendar", {"year": 1999}).status_code == 422


def test_an_operator_decrees_a_day_off_and_each_moved_report_gets_an_event(net, api):
    reports = [submit(net), submit(net)]
    before = {r.pk: (r.due_at, r.completion_due_at) for r in reports}
    day = next_working_day()
    res = api.post(
        "/api/calendar/days", {"date": day.isoformat(), "name": "SKB cuti bersama 7/2026"}, user=net.user("platform")
    )
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["reports_moved"] == 2 and body["deadlines_moved"] == {"due_at": 2, "completion_due_at": 2}
    assert CalendarDay.objects.get(date=day).name == "SKB cuti bersama 7/2026"
    assert AuditLog.objects.get(action="calendar_day_set").actor == net.user("platform")
    for report in reports:
        report.refresh_from_db()
        old_due, old_completion = before[report.pk]
        assert report.due_at > old_due and report.completion_due_at > old_completion
        event = ReportEvent.objects.get(report=report, kind="deadline_moved")
        assert event.actor == net.user("platform") and event.reason == "SKB cuti bersama 7/2026" and event.is_public
        assert event.data["due_at"] == {"old": utc(old_due), "new": utc(report.due_at)}
        assert event.data["completion_due_at"]["new"] == utc(report.completion_due_at)
        assert event.data["calendar_date"] == day.isoformat() and event.data["working"] is False
    listed = {d["date"]: d for d in api.get("/api/calendar", {"year": day.year}).json()["days"]}
    assert listed[day.isoformat()]["source"] == "decree"


def test_the_same_decree_again_is_answered_with_what_is_in_force_and_changes_nothing(net, api):
    report = submit(net)
    day = next_working_day()
    payload = {"date": day.isoformat(), "name": "SKB 1"}
    assert api.post("/api/calendar/days", payload, user=net.user("platform")).status_code == 201
    report.refresh_from_db()
    due = report.due_at
    again = api.post("/api/calendar/days", {**payload, "name": "SKB 1 (ulang)"}, user=net.user("platform"))
    assert again.status_code == 200
    assert again.json()["name"] == "SKB 1" and again.json()["reports_moved"] == 0
    report.refresh_from_db()
    assert report.due_at == due and ReportEvent.objects.filter(kind="deadline_moved").count() == 1
    assert AuditLog.objects.filter(action="calendar_day_set").count() == 1


def test_a_date_the_official_calendar_already_gives_off_is_a_conflict(net, api):
    res = api.post("/api/calendar/days", {"date": "2026-08-17", "name": "SKB"}, user=net.user("platform"))
    assert res.status_code == 409 and res.json()["code"] == "no_change"
    saturday = api.post("/api/calendar/days", {"date": "2026-08-22", "name": "SKB"}, user=net.user("platform"))
    assert saturday.status_code == 409
    assert not CalendarDay.objects.exists()


def test_only_platform_operators_change_the_calendar(net, api, client):
    day = next_working_day().isoformat()
    for key in ("reporter", "dept_admin", "overseer"):
        res = api.post("/api/calendar/days", {"date": day, "name": "SKB"}, user=net.user(key))
        assert res.status_code == 403, key
    assert api.post("/api/calendar/days", {"date": day, "name": "SKB"}).status_code == 401
    CalendarDay.objects.create(date=dt.date.fromisoformat(day), name="SKB")
    assert delete(client, f"/api/calendar/days/{day}?reason=dicabut", net.user("dept_admin")).status_code == 403
    assert client.delete(f"/api/calendar/days/{day}?reason=dicabut").status_code == 401
    assert CalendarDay.objects.count() == 1 and not AuditLog.objects.filter(action="calendar_day_set").exists()


def test_bad_dates_and_empty_reasons_are_refused_by_the_schema(net, api, client):
    platform = net.user("platform")
    for date in ("2027-02-30", "07-01-2027", "1999-01-04", "2100-01-04", 20270104, ""):
        res = api.post("/api/calendar/days", {"date": date, "name": "SKB"}, user=platform)
        assert res.status_code == 422 and res.json()["code"] == "validation_failed", date
    for payload in (
        {"date": "2027-01-04"},
        {"date": "2027-01-04", "name": " . "},
        {"date": "2027-01-04", "name": "x", "working": 0},
    ):
        assert api.post("/api/calendar/days", payload, user=platform).status_code == 422, payload
    assert delete(client, "/api/calendar/days/2027-13-01?reason=x", platform).status_code == 422
    assert delete(client, "/api/calendar/days/2027-01-04", platform).status_code == 422  # the reason is required
    assert not CalendarDay.objects.exists()


def test_removing_a_decree_brings_deadlines_back_with_a_second_event_and_again_is_404(net, api, client):
    report = submit(net)
    original = report.due_at
    day = next_working_day()
    api.post("/api/calendar/days", {"date": day.isoformat(), "name": "SKB 2"}, user=net.user("platform"))
    res = delete(client, f"/api/calendar/days/{day.isoformat()}?reason=SKB+2+dicabut", net.user("platform"))
    assert res.status_code == 200, res.content
    assert res.json()["working"] is True and res.json()["reports_moved"] == 1
    report.refresh_from_db()
    assert report.due_at == original and not CalendarDay.objects.exists()
    back = ReportEvent.objects.filter(report=report, kind="deadline_moved").order_by("id").last()
    assert back.reason == "SKB 2 dicabut" and back.data["due_at"]["new"] == utc(original)
    again = delete(client, f"/api/calendar/days/{day.isoformat()}?reason=lagi", net.user("platform"))
    assert again.status_code == 404 and again.json()["code"] == "no_decree"
