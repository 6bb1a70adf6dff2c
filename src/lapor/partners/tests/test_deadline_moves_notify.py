"""A calendar decree that moves open deadlines tells the outsiders following those reports: each
partner's moved report gets its signed ``report.updated`` webhook with the new ``due_at``, the
origin of a report we hold gets its ``report.status``; all queued in the decree's transaction
with a handful of statements, however many reports moved."""

import json

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lapor.notifications.models import OutboxMessage
from lapor.partners.deadline_moves import deadline_moves_notify
from lapor.partners.models import PartnerReport
from lapor.partners.signing import signature_valid
from lapor.reports.calendar import calendar_day_set
from lapor.reports.models import Report, ReportEvent
from lapor.reports.tests.test_calendar_deadline_events import next_working_day

from .helpers import report_make
from .test_federation_answer import remote_of
from .test_federation_roundtrip import CITY, PROVINCE, forward, two_deployments  # noqa: F401 (fixture)
from .test_partner_reports_submit import ROAD, partner_make, post

DECREE = "SKB 3 Menteri No. 9/2026"


def partner_reports(client, token, n: int) -> list[Report]:
    tids = [post(client, token, {**ROAD, "external_ref": f"SAMBAT-{i}"}).json()["tracking_id"] for i in range(n)]
    return list(Report.objects.filter(tracking_id__in=tids))


def decree(net, django_capture_on_commit_callbacks, *, at: str = "padangpanjang"):
    with override_settings(LAPOR_FEDERATION_ID=at), django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(day=next_working_day(), working=False, name=DECREE, actor=net.user("platform"))


def test_each_moved_partner_report_gets_a_signed_webhook_with_its_new_deadline(
    net, client, transport, django_capture_on_commit_callbacks
):
    partner, token = partner_make()
    reports = partner_reports(client, token, 3)
    own = report_make(net, routed=False)  # not a partner's: no webhook
    before = len(transport.to("partner.test"))
    decree(net, django_capture_on_commit_callbacks)

    sent = transport.to("partner.test")[before:]
    assert len(sent) == 3
    for record in sent:
        assert signature_valid(partner.webhook_secret, record["body"], record["headers"]["X-Lapor-Signature"])
    by_ref = {p["external_ref"]: p for p in (json.loads(r["body"]) for r in sent)}
    for report in reports:
        report.refresh_from_db()
        ref = PartnerReport.objects.get(report=report).external_ref
        hook = by_ref[ref]
        assert (hook["event"], hook["kind"]) == ("report.updated", "deadline_moved")
        assert hook["report"]["due_at"] == report.due_at.isoformat()
        assert hook["deadline_moved"]["decree"] == DECREE and hook["deadline_moved"]["due_at"]["new"]
        assert hook["event_id"] == ReportEvent.objects.get(report=report, kind="deadline_moved").pk
    assert not OutboxMessage.objects.filter(report=own, recipient__startswith="http://partner.test").exists()


@pytest.mark.usefixtures("two_deployments")
def test_the_origin_of_a_report_we_hold_hears_the_new_deadline(
    net, client, transport, django_capture_on_commit_callbacks
):
    origin = report_make(net)
    with django_capture_on_commit_callbacks(execute=True):
        assert forward(client, net, origin).status_code == 201
    remote = remote_of(origin)
    before, sent_out = len(transport.to(CITY)), len(transport.to(PROVINCE))
    decree(net, django_capture_on_commit_callbacks, at="sumbar")  # one database: the province's decree

    remote.refresh_from_db()
    moved = ReportEvent.objects.get(report=remote, kind="deadline_moved")
    statuses = [json.loads(r["body"]) for r in transport.to(CITY)[before:]]
    assert [(s["type"], s["sequence"]) for s in statuses] == [("report.status", moved.pk)]
    assert statuses[0]["status"]["due_at"] == remote.due_at.isoformat()
    assert statuses[0]["tracking_id"] == origin.tracking_id
    assert all(json.loads(r["response"])["ok"] for r in transport.to(CITY)[before:])  # the origin took it
    # the origin's copy (its stage clock held for the peer) tells the peer nothing of its own calendar
    assert transport.to(PROVINCE)[sent_out:] == []


@pytest.mark.parametrize("n", [2, 12])
def test_the_webhooks_of_a_decree_cost_the_same_few_statements_for_many_reports(
    net, client, transport, django_capture_on_commit_callbacks, n
):
    _partner, token = partner_make()
    reports = partner_reports(client, token, n)
    events = [
        ReportEvent(
            report=report,
            kind="deadline_moved",
            actor=net.user("platform"),
            reason=DECREE,
            data={},
            is_public=True,
            created_at=timezone.now(),
        )
        for report in reports
    ]
    ReportEvent.objects.bulk_create(events)
    with CaptureQueriesContext(connection) as queries:
        assert deadline_moves_notify(events) == n
    assert len(queries) == 2, [q["sql"][:60] for q in queries]  # one read, one INSERT
    assert (
        OutboxMessage.objects.filter(dedupe_key__in=[f"partner:{_partner.pk}:event:{e.pk}" for e in events]).count()
        == n
    )
