"""Deferred fan-out: a change writes ONE "fanout" outbox row in its transaction; its delivery writes
the same messages the change would have written itself, once, however often it runs."""

import pytest
from django.db import transaction

from lapor.accounts.testing import submission_data
from lapor.notifications.models import OutboxMessage
from lapor.notifications.services import outbox_deliver
from lapor.reports.models import Report, ReportEvent
from lapor.reports.services import Actor, Submission, report_forward, report_note, report_submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def deferred(settings):
    settings.LAPOR_NOTIFY_FANOUT = "deferred"


def _submit_routed(net) -> Report:
    """A guest report the routing rule sends to Dinas PUPR on arrival (submitted + route events)."""
    report, _secret = report_submit(
        submission=Submission(
            **submission_data(topic_id=net.roads.pk, region_code="13.74.02.1001", guest_phone="081234567890")
        )
    )
    assert report.state == "routed" and report.agency_id == net.dept.pk
    return report


def _messages(report: Report) -> list[tuple[str, str, str]]:
    return sorted(
        (m.channel, m.recipient, m.dedupe_key.split(":")[1])
        for m in OutboxMessage.objects.filter(report=report).exclude(channel="fanout")
    )


def test_a_change_writes_one_fanout_row_and_its_delivery_writes_every_message(net):
    report = _submit_routed(net)
    fanout = OutboxMessage.objects.get(report=report)  # nothing else yet: no per-recipient work in the request
    events = list(ReportEvent.objects.filter(report=report).order_by("pk").values_list("pk", flat=True))
    assert fanout.channel == "fanout" and fanout.payload == {"event_ids": events} and fanout.status == "pending"

    assert outbox_deliver(message_id=fanout.pk) is None
    fanout.refresh_from_db()
    assert fanout.status == "sent"
    staff = {net.user("dept_admin"), net.user("liaison")}
    expected = [("sms", "+6281234567890", "routed"), ("sms", "+6281234567890", "submitted")]
    expected += [
        (channel, address, "staff_inbox")
        for user in staff
        for channel, address in (("email", user.email), ("web", str(user.pk)))
    ]
    assert _messages(report) == sorted(expected)
    staff_texts = OutboxMessage.objects.filter(report=report, dedupe_key__contains=":staff_inbox:")
    assert all("Dinas PUPR" in m.payload.get("title", m.payload.get("subject", "")) for m in staff_texts)


def test_running_the_fanout_again_writes_nothing_twice(net):
    report = _submit_routed(net)
    fanout = OutboxMessage.objects.get(report=report)
    outbox_deliver(message_id=fanout.pk)
    first = _messages(report)
    OutboxMessage.objects.filter(pk=fanout.pk).update(status="pending")  # as if the worker died before marking it
    outbox_deliver(message_id=fanout.pk)
    assert _messages(report) == first and len(first) == 6


def test_a_late_fanout_tells_what_each_event_did(net):
    """The report moved on (forwarded to Dinas Kesehatan) before the first fan-out ran: the first
    route's messages still name Dinas PUPR and go to its staff."""
    report = _submit_routed(net)
    first = OutboxMessage.objects.get(report=report)
    report_forward(report=report, actor=Actor(user=net.user("platform")), agency=net.health, reason="Salah instansi")
    outbox_deliver(message_id=first.pk)
    routed = OutboxMessage.objects.get(report=report, dedupe_key__contains=":routed:")
    assert "Dinas PUPR" in routed.payload["text"]
    assert {m.recipient for m in OutboxMessage.objects.filter(report=report, channel="email")} == {
        net.user("dept_admin").email,
        net.user("liaison").email,
    }


def test_a_change_that_tells_nobody_writes_no_outbox_row(net):
    report = _submit_routed(net)
    before = OutboxMessage.objects.count()
    report_note(report=report, actor=Actor(user=net.user("liaison")), body="Catatan internal untuk tim.")
    assert ReportEvent.objects.filter(report=report).count() == 3
    assert OutboxMessage.objects.count() == before


def test_the_fanout_row_rolls_back_with_its_change(net):
    with pytest.raises(RuntimeError), transaction.atomic():
        _submit_routed(net)
        assert OutboxMessage.objects.filter(channel="fanout").count() == 1
        raise RuntimeError("the request failed after the submission")
    assert not OutboxMessage.objects.exists() and not Report.objects.exists()


def _deliver_fanouts() -> None:
    for pk in (
        OutboxMessage.objects.filter(channel="fanout", status="pending").order_by("pk").values_list("pk", flat=True)
    ):
        outbox_deliver(message_id=pk)


def test_a_late_fanout_of_a_return_to_the_platform_tells_the_next_agency_nothing(net):
    """Bukan Wewenang sent the report back to the platform's queue (no agency), then it was routed
    to Dinas Kesehatan, both before their fan-outs ran: its staff hear once, from the route."""
    from lapor.reports.services import report_not_authority, report_route

    report = _submit_routed(net)
    _deliver_fanouts()
    report = report_not_authority(
        report=report, actor=Actor(user=net.user("dept_admin")), reason="Bukan kewenangan kami"
    )
    assert report.agency_id is None
    report_route(report=report, actor=Actor(user=net.user("platform")), agency=net.health)
    _deliver_fanouts()
    health_inbox = OutboxMessage.objects.filter(
        report=report, recipient=net.user("health_admin").email, dedupe_key__contains=":staff_inbox:"
    )
    assert health_inbox.count() == 1


def test_a_late_fanout_of_an_overdue_tells_the_agency_it_was_overdue_at(net):
    import datetime as dt

    from lapor.reports.sweep import reports_sweep

    report = _submit_routed(net)
    _deliver_fanouts()
    report.refresh_from_db()
    assert reports_sweep(now=report.due_at + dt.timedelta(days=1))["overdue"] == 1
    report_forward(report=report, actor=Actor(user=net.user("platform")), agency=net.health, reason="Salah instansi")
    _deliver_fanouts()
    overdue = OutboxMessage.objects.filter(report=report, dedupe_key__contains=":staff_overdue:", channel="email")
    assert {m.recipient for m in overdue} == {net.user("dept_admin").email, net.user("liaison").email}
    assert all("Dinas PUPR" in m.payload["body"] for m in overdue)
