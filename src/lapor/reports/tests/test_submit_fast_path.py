"""A report routed on arrival is written once, in its routed state, with the full audit trail,
in a small fixed number of statements."""

import pytest

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lapor.agencies.models import Topic
from lapor.accounts.testing import submission_data
from lapor.notifications.models import OutboxMessage
from lapor.reports.deadlines import deadline_for
from lapor.reports.models import Report, ReportAssignment, ReportEvent
from lapor.routing.models import ReportFlag

pytestmark = pytest.mark.django_db(transaction=True)


def test_routed_on_arrival_keeps_both_steps_in_the_audit_trail(net, api):
    res = api.post(
        "/api/reports",
        submission_data(topic_id=net.roads.pk, region_code="13.74.02.1001", guest_email="warga@example.com"),
    )
    assert res.status_code == 201, res.content
    report = Report.objects.get(tracking_id=res.json()["tracking_id"])
    assert report.state == "routed" and report.auto_routed and report.agency_id == net.dept.pk
    assert report.verified_at == report.submitted_at
    assert report.due_at == deadline_for("follow_up", report.submitted_at, report.agency)
    events = list(ReportEvent.objects.filter(report=report).order_by("id"))
    assert [(e.kind, e.action, e.from_state, e.to_state) for e in events] == [
        ("submitted", "", "", "submitted"),
        ("transition", "route", "submitted", "routed"),
    ]
    assert events[1].actor_role == "system" and events[1].data["automatic"] is True
    assert list(ReportAssignment.objects.filter(report=report).values_list("agency_id", "ended_at")) == [
        (net.dept.pk, None)
    ]
    # the acknowledgement names the verification deadline, the routing message the follow-up one
    ack = next(m for m in mail.outbox if m.to == ["warga@example.com"] and "diterima" in m.subject)
    verify_day = deadline_for("verify", report.submitted_at)
    assert str(verify_day.astimezone().day) in ack.body
    assert (
        OutboxMessage.objects.filter(report=report, status="sent").count()
        == OutboxMessage.objects.filter(report=report).count()
    )


def test_flagged_report_is_not_routed_and_its_flag_is_stored(net, api):
    res = api.post(
        "/api/reports",
        submission_data(
            topic_id=net.roads.pk,
            region_code="13.74.02.1001",
            body="dasar goblok semua pejabat jalan rusak tidak diurus",
            guest_email="a@example.com",
        ),
    )
    report = Report.objects.get(tracking_id=res.json()["tracking_id"])
    assert report.state == "submitted" and report.agency_id is None and not report.auto_routed
    assert list(ReportFlag.objects.filter(report=report).values_list("kind", flat=True)) == ["abusive"]
    assert not ReportAssignment.objects.filter(report=report).exists()


def test_submission_statement_count_stays_small(net, api):
    data = submission_data(topic_id=net.roads.pk, region_code="13.74.02.1001", guest_phone="081234567890")
    api.post("/api/reports", data)  # warms the reference cache
    data["title"], data["guest_phone"] = "Jembatan retak", "081234567891"
    with CaptureQueriesContext(connection) as ctx:
        res = api.post("/api/reports", data)
    assert res.status_code == 201 and res.json()["state"] == "routed"
    statements = [q["sql"] for q in ctx.captured_queries]
    statements = statements[: statements.index("COMMIT") + 1]  # the submission's transaction (deliveries follow it)
    # BEGIN/COMMIT, sender check, savepoint+insert, assignment, both events, staff lookup, the outbox rows
    assert len(statements) <= 10, "\n".join(s[:120] for s in statements)
    inserts = [s.split("(")[0] for s in statements if s.startswith("INSERT")]
    assert sum('"reports_reportevent"' in s for s in inserts) == 1
    assert sum('"notifications_outboxmessage"' in s for s in inserts) == 1
    # ...and that one outbox insert holds the reporter's two messages and the staff's inbox notices
    report = Report.objects.get(tracking_id=res.json()["tracking_id"])
    texts = [m.payload["text"] for m in OutboxMessage.objects.filter(report=report, recipient="+6281234567891")]
    assert len(texts) == 2 and any("diterima" in t for t in texts) and any("diteruskan" in t for t in texts)
    assert OutboxMessage.objects.filter(report=report, channel="web").exists()  # the agency's staff
    assert not any(s.startswith('UPDATE "reports_report"') for s in statements)


def test_a_deactivated_topic_is_refused_at_once_despite_the_cache(net, api):
    topic = Topic.objects.create(name="Sementara", slug="sementara")
    assert api.post("/api/reports", submission_data(topic_id=topic.pk, guest_email="a@example.com")).status_code == 201
    topic.is_active = False
    topic.save()
    res = api.post("/api/reports", submission_data(topic_id=topic.pk, guest_email="a@example.com"))
    assert res.status_code == 404 and res.json()["code"] == "unknown_topic"  # a well-formed id that names nothing
