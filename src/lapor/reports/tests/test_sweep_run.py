"""The deadline sweep: overdue marking, escalation up the tree, auto-completion; idempotent and
safe from several workers at once."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from lapor.reports import services as s
from lapor.reports.lifecycle import State
from lapor.reports.models import Report, ReportEvent
from lapor.reports.sweep import reports_sweep


def routed(net, agency):
    report, _ = s.report_submit(
        submission=s.Submission(title="Drainase tersumbat", body="Air meluap ke jalan."), reporter=net.user("reporter")
    )
    return s.report_route(report=report, actor=s.Actor(user=net.user("platform")), agency=agency)


def later(days: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def test_nothing_happens_before_the_deadline(net):
    routed(net, net.dept)
    assert reports_sweep(now=timezone.now()) == {"auto_completed": 0, "overdue": 0, "escalated_platform": 0}


def test_an_overdue_report_is_escalated_to_the_parent_agency_then_the_platform(net):
    report = routed(net, net.dept)
    counts = reports_sweep(now=later(10))
    assert counts["overdue"] == 1
    report.refresh_from_db()
    assert report.is_overdue and report.escalation_level == 1
    escalated = ReportEvent.objects.get(report=report, kind="escalated")
    assert escalated.agency == net.city and escalated.actor_role == "system"
    assert reports_sweep(now=later(11))["escalated_platform"] == 0  # grace period not over
    assert reports_sweep(now=later(20))["escalated_platform"] == 1
    report.refresh_from_db()
    assert report.escalation_level == 2


def test_unverified_overdue_reports_go_straight_to_the_platform(net):
    report, _ = s.report_submit(
        submission=s.Submission(title="Belum diverifikasi", body="Isi"), reporter=net.user("reporter")
    )
    reports_sweep(now=later(10))
    report.refresh_from_db()
    assert report.is_overdue and report.escalation_level == 2


def test_acting_on_the_report_clears_the_overdue_flag(net):
    report = routed(net, net.dept)
    reports_sweep(now=later(10))
    s.report_follow_up(report=report, actor=s.Actor(user=net.user("liaison")), body="Sudah dibersihkan.")
    report.refresh_from_db()
    assert not report.is_overdue and report.escalation_level == 0


def test_silent_reporters_reports_complete_after_the_reply_window(net):
    report = routed(net, net.dept)
    s.report_follow_up(report=report, actor=s.Actor(user=net.user("liaison")), body="Sudah dibersihkan.")
    assert reports_sweep(now=later(5))["auto_completed"] == 0  # 10 working days not yet over
    assert reports_sweep(now=later(20))["auto_completed"] == 1
    report.refresh_from_db()
    assert report.state == State.DONE and report.completed_at is not None
    event = ReportEvent.objects.get(report=report, action="auto_complete")
    assert (event.from_state, event.to_state, event.actor_role) == ("followed_up", "done", "system")


def test_sweep_is_idempotent(net):
    for _ in range(3):
        routed(net, net.dept)
    now = later(10)
    assert reports_sweep(now=now)["overdue"] == 3
    assert reports_sweep(now=now) == {"auto_completed": 0, "overdue": 0, "escalated_platform": 0}
    assert ReportEvent.objects.filter(kind="overdue").count() == 3


def test_postponed_reports_are_not_overdue(net):
    report = routed(net, net.dept)
    s.report_postpone(report=report, actor=s.Actor(user=net.user("dept_admin")), reason="Menunggu anggaran")
    assert reports_sweep(now=later(30))["overdue"] == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_record_each_change_once(net):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises writers; covered by the idempotency test)")
    for _ in range(20):
        routed(net, net.dept)
    now, results, errors = later(10), [], []

    def worker():
        try:
            results.append(reports_sweep(now=now))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(r["overdue"] for r in results) == 20
    assert ReportEvent.objects.filter(kind="overdue").count() == 20
    assert Report.objects.filter(is_overdue=True).count() == 20


def test_old_idempotency_records_are_purged(net, api):
    from lapor.accounts.testing import submission_data
    from lapor.reports.models import IdempotencyRecord

    api.post("/api/reports", submission_data(guest_email="a@b.example"), headers={"Idempotency-Key": "k"})
    assert IdempotencyRecord.objects.count() == 1
    reports_sweep(now=timezone.now())
    assert IdempotencyRecord.objects.count() == 1
    reports_sweep(now=later(3))
    assert IdempotencyRecord.objects.count() == 0
