"""An internal note is answered with the report as it stands, read once, under the note's lock."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from lapor.accounts.testing import submission_data
from lapor.reports.models import Message, ReportEvent


def test_a_note_answers_with_the_current_report_without_reading_it_again(net, api):
    tid = api.post(
        "/api/reports",
        submission_data(
            topic_id=net.roads.pk, region_code="13.74.02.1001", guest_email="warga@example.com", is_anonymous=True
        ),
    ).json()["tracking_id"]
    detail = api.get(f"/api/reports/{tid}", user=net.user("liaison")).json()
    with CaptureQueriesContext(connection) as ctx:
        res = api.post(f"/api/reports/{tid}/notes", {"body": "Sudah dicek ke lapangan"}, user=net.user("liaison"))
    assert res.status_code == 201
    assert res.json() == detail  # the same answer the detail endpoint gives, reporter masked
    assert res.json()["reporter"] == {"name": "Anonim", "contact": None, "is_anonymous": True}
    report_reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "reports_report"')]
    assert len(report_reads) == 2  # finding it in the caller's scope, and locking it
    assert Message.objects.get(report__tracking_id=tid).kind == "note"
    assert ReportEvent.objects.filter(report__tracking_id=tid, kind="message", is_public=False).count() == 1


def test_a_note_outside_the_callers_scope_is_not_found_and_not_written(net, api):
    tid = api.post(
        "/api/reports",
        submission_data(topic_id=net.roads.pk, region_code="13.74.02.1001", guest_email="warga@example.com"),
    ).json()["tracking_id"]
    res = api.post(f"/api/reports/{tid}/notes", {"body": "x"}, user=net.user("reporter"))
    assert res.status_code in (403, 404)
    assert not Message.objects.filter(report__tracking_id=tid).exists()
