"""A calendar change leaves an event on each open report whose deadline it moved: staff read each
clock old → new and the decree; the reporter reads it in plain words on their page; thousands of
open reports cost a handful of queries."""

import datetime as dt

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lapor.accounts.testing import signin_staff
from lapor.reports import services as s
from lapor.reports.calendar import calendar_day_set
from lapor.reports.deadlines import calendar_get, end_of_day, tz
from lapor.reports.lifecycle import State
from lapor.reports.models import Report, ReportEvent


def next_working_day() -> dt.date:
    return calendar_get().add_working_days(timezone.now().astimezone(tz()).date(), 1)


def moved_report(net):
    sub = s.Submission(title="Antrean KTP", body="Antrean perekaman KTP elektronik tidak dilayani.")
    report, _ = s.report_submit(submission=sub, reporter=net.user("reporter"))
    calendar_day_set(day=next_working_day(), working=False, name="SKB 3 Menteri No. 9/2026", actor=net.user("platform"))
    report.refresh_from_db()
    return report


def test_staff_read_each_clock_and_the_decree_in_the_timeline(net, api):
    report = moved_report(net)
    events = api.get(f"/api/reports/{report.tracking_id}/timeline", user=net.user("platform")).json()["events"]
    [event] = [e for e in events if e["kind"] == "deadline_moved"]
    assert event["actor"] == "Admin Nasional" and event["actor_role"] == "platform_admin"
    assert "batas tahap" in event["reason"] and "batas penyelesaian" in event["reason"]
    assert "SKB 3 Menteri No. 9/2026" in event["reason"] and "dijadikan hari libur" in event["reason"]
    assert set(event["data"]) >= {"due_at", "completion_due_at", "calendar_date"}


def test_the_reporter_reads_the_move_in_plain_words_without_the_details(net, api, client):
    report = moved_report(net)
    events = api.get(f"/api/reports/{report.tracking_id}/timeline", user=net.user("reporter")).json()["events"]
    [event] = [e for e in events if e["kind"] == "deadline_moved"]
    new_day = report.due_at.astimezone(tz()).date()
    assert event["data"] == {} and event["actor"] == "Admin Nasional LAPOR!"
    assert event["reason"].startswith("Kalender kerja resmi berubah")
    assert f"menjadi {new_day.day} " in event["reason"] and "SKB 3 Menteri No. 9/2026" in event["reason"]
    english = api.get(f"/api/reports/{report.tracking_id}/timeline", user=net.user("reporter"), lang="en").json()
    [event_en] = [e for e in english["events"] if e["kind"] == "deadline_moved"]
    assert event_en["reason"].startswith("The official working calendar changed")
    client.force_login(net.user("reporter"))
    page = client.get(f"/lacak/{report.tracking_id}/").content.decode()
    assert "Batas waktu disesuaikan" in page and "Batas waktu laporan ini disesuaikan dari" in page


def test_the_staff_page_shows_the_move_with_both_clocks(net, client):
    report = moved_report(net)
    signin_staff(client, net.user("platform"))
    page = client.get(f"/petugas/laporan/{report.tracking_id}/").content.decode()
    assert "Batas waktu disesuaikan" in page and "batas tahap" in page and "SKB 3 Menteri No. 9/2026" in page


# Committed and truncated afterwards (not rolled back): 2,500 dead rows left in the reports table
# would change PostgreSQL's plans in the index tests that follow (test_open_due_index.py).
@pytest.mark.django_db(transaction=True)
def test_thousands_of_open_reports_move_with_a_few_queries_and_one_event_each(net):
    day = next_working_day()
    due = end_of_day(calendar_get().add_working_days(day, 2))
    now = timezone.now()
    Report.objects.bulk_create(
        [
            Report(title="Lampu mati", body="Lampu jalan mati.", state=State.ROUTED, submitted_at=now, due_at=due)
            for _ in range(2500)
        ],
        batch_size=1000,
    )
    closed = Report.objects.create(title="Selesai", body="Sudah.", state=State.DONE, submitted_at=now, due_at=due)
    with CaptureQueriesContext(connection) as queries:
        result = calendar_day_set(day=day, working=False, name="SKB massal", actor=net.user("platform"))
    assert result["reports_moved"] == 2500 and result["deadlines_moved"]["due_at"] == 2500
    inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "reports_reportevent"')]
    # 12, and one read by partners/deadline_moves.py: which moved reports a partner or a peer follows
    assert len(queries) - len(inserts) <= 13, "\n".join(q["sql"][:150] for q in queries.captured_queries)
    assert len(inserts) <= 2500 // 50  # many events per statement (SQLite's parameter limit makes its batches small)
    assert ReportEvent.objects.filter(kind="deadline_moved").count() == 2500
    assert not ReportEvent.objects.filter(report=closed).exists()
    # three working days left before (the decree day and two more): three on the new calendar, from today
    today = timezone.now().astimezone(tz()).date()
    assert set(Report.objects.filter(state=State.ROUTED).values_list("due_at", flat=True)) == {
        end_of_day(calendar_get().add_working_days(today, 3))
    }
