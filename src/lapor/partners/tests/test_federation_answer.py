"""When a peer answers a forwarded report, the origin's reporter hears it and reads it on their
tracking page; while the peer handles it, the origin copy's clock waits (no overdue, no escalation)."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from lapor.accounts.testing import agency_make
from lapor.notifications.models import OutboxMessage
from lapor.partners.models import FederationLink, Peer
from lapor.reports import services
from lapor.reports.models import Message, ReportEvent
from lapor.reports.services import Actor
from lapor.reports.sweep import reports_sweep

from .helpers import report_make
from .test_federation_roundtrip import forward, two_deployments  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("two_deployments")
ANSWER = "Jalan provinsi sudah ditimbun dan diaspal pada 3 Desember."


def remote_of(origin):
    return FederationLink.objects.get(direction="inbound", remote_tracking_id=origin.tracking_id).report


def peer_answers(net, remote, capture, body=ANSWER):
    with override_settings(LAPOR_FEDERATION_ID="sumbar"):
        if remote.state == "submitted":
            with capture(execute=True):
                services.report_route(report=remote, actor=Actor(user=net.user("platform")), agency=net.other_city)
        with capture(execute=True):
            staff = "other_admin" if remote.agency == net.other_city else "dept_admin"
            services.report_follow_up(report=remote, actor=Actor(user=net.user(staff)), body=body)


def test_the_peers_answer_reaches_the_reporter_and_their_tracking_page(
    net, client, transport, django_capture_on_commit_callbacks
):
    origin = report_make(net, title="Jalan provinsi amblas", topic_id=net.roads.pk, region_code="13.74.02")
    with django_capture_on_commit_callbacks(execute=True):
        assert forward(client, net, origin).status_code == 201
    remote = remote_of(origin)
    peer_answers(net, remote, django_capture_on_commit_callbacks)

    origin.refresh_from_db()
    assert origin.state == "followed_up" and origin.due_at is not None  # the reply window runs
    answer = Message.objects.get(report=origin, kind="follow_up")
    assert answer.body == ANSWER
    event = ReportEvent.objects.get(report=origin, action="remote_answer")
    assert event.is_public and event.data["peer"] == "sumbar" and event.data["remote_agency"] == remote.agency.name
    told = OutboxMessage.objects.filter(report=origin, recipient="budi@warga.example")
    assert any(
        ANSWER in (m.payload.get("body") or "") and remote.agency.name in (m.payload.get("body") or "") for m in told
    ), [m.payload for m in told]

    client.force_login(net.user("reporter"))
    page = client.get(f"/lacak/{origin.tracking_id}/").content.decode()
    assert ANSWER in page

    # The same status again (a replay, or a later event with the same notes) adds no second answer.
    with override_settings(LAPOR_FEDERATION_ID="sumbar"), django_capture_on_commit_callbacks(execute=True):
        services.report_complete(report=remote, actor=Actor(user=net.user("platform")))
    assert Message.objects.filter(report=origin, kind="follow_up").count() == 1


def test_the_origin_copy_does_not_go_overdue_while_the_peer_handles_it(
    net, client, transport, django_capture_on_commit_callbacks
):
    origin = report_make(net)
    assert origin.due_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        forward(client, net, origin)
    origin.refresh_from_db()
    assert origin.due_at is None and origin.paused_remaining_days is not None
    hold = ReportEvent.objects.get(report=origin, action="clock_hold")
    assert not hold.is_public

    later = timezone.now() + dt.timedelta(days=40)
    reports_sweep(now=later)
    reports_sweep(now=later + dt.timedelta(days=10))
    origin.refresh_from_db()
    assert (origin.is_overdue, origin.escalation_level) == (False, 0)
    assert not ReportEvent.objects.filter(report=origin, kind__in=("overdue", "escalated")).exists()


def test_a_local_stand_in_agency_does_not_escalate_either(net, client, transport, django_capture_on_commit_callbacks):
    province = agency_make("Pemerintah Provinsi Sumatera Barat", kind="province", parent=net.city)
    Peer.objects.filter(slug="sumbar").update(agency=province)
    origin = report_make(net)
    with django_capture_on_commit_callbacks(execute=True):
        assert forward(client, net, origin).status_code == 201
    origin.refresh_from_db()
    assert origin.agency == province and origin.state == "routed" and origin.due_at is None
    reports_sweep(now=timezone.now() + dt.timedelta(days=40))
    origin.refresh_from_db()
    assert (origin.is_overdue, origin.escalation_level) == (False, 0)


def test_a_peer_that_closes_without_an_answer_hands_the_clock_back(
    net, client, transport, django_capture_on_commit_callbacks
):
    origin = report_make(net)
    with django_capture_on_commit_callbacks(execute=True):
        forward(client, net, origin)
    remote = remote_of(origin)
    with override_settings(LAPOR_FEDERATION_ID="sumbar"), django_capture_on_commit_callbacks(execute=True):
        services.report_archive(report=remote, actor=Actor(user=net.user("platform")), reason="too_general")
    origin.refresh_from_db()
    assert origin.state == "routed" and origin.due_at is not None and origin.due_at > timezone.now()
    assert ReportEvent.objects.filter(report=origin, action="clock_release").exists()
    reports_sweep(now=timezone.now() + dt.timedelta(days=40))
    origin.refresh_from_db()
    assert origin.is_overdue  # the clock runs here again
