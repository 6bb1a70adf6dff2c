"""The peer's deadline at the origin: the peer tells it with every signed status (``status.due_at``)
and with a calendar decree's move; the origin keeps it on its copy, shows it to the reporter and the
staff, lists the report as late when it passes, and never lets its own sweep act on it. A peer that
does not send it leaves the origin as it was."""

import datetime as dt
import json

from django.test import override_settings
from django.utils import timezone

from lapor.partners.models import FederationLink
from lapor.reports import services
from lapor.reports.models import Report, ReportEvent
from lapor.reports.sweep import reports_sweep

from .helpers import report_make
from .test_deadline_moves_notify import decree
from .test_federation_answer import remote_of
from .test_federation_inbound_refuse import peers, send  # noqa: F401 (fixture)
from .test_federation_roundtrip import CITY, forward, two_deployments  # noqa: F401 (fixture)


def status(origin, sequence: int, **fields) -> dict:
    """What a peer ("prov") sends: a ``report.status`` with the given status fields."""
    return {
        "type": "report.status",
        "origin": "prov",
        "tracking_id": origin.tracking_id,
        "remote_tracking_id": "PROV-0001",
        "sequence": sequence,
        "status": {"state": "in_progress", "agency": "Dinas PU Provinsi", **fields},
    }


def held(net, peers):  # noqa: F811 (fixture)
    """Our report handed to the peer "prov": our clock held, the outbound link as the forward leaves it."""
    origin = report_make(net)
    services.report_clock_hold(report=origin, actor=services.Actor.system(), reason="Ditangani Provinsi")
    FederationLink.objects.create(report=origin, peer=peers[1], direction="outbound")
    origin.refresh_from_db()
    assert origin.due_at is None
    return origin


def test_a_peer_that_misses_its_deadline_is_listed_late_but_our_sweep_does_nothing(net, client, peers):  # noqa: F811
    origin = held(net, peers)
    past = (timezone.now() - dt.timedelta(days=3)).replace(microsecond=0)
    assert send(client, "/federation/status", status(origin, 5, due_at=past.isoformat())).status_code == 202
    origin.refresh_from_db()
    assert (origin.peer_due_at, origin.peer_due_name) == (past, "Provinsi")

    # Late where the origin lists late reports: the inbox's "Terlambat" tab and the overdue filter.
    client.force_login(net.user("city_admin"))
    inbox = client.get("/petugas/?tab=overdue").content.decode()
    assert origin.tracking_id in inbox
    assert origin.tracking_id in client.get("/petugas/?overdue=1").content.decode()
    page = client.get(f"/petugas/laporan/{origin.tracking_id}/").content.decode()
    assert 'data-testid="peer-due" class="late"' in page and "ditangani Provinsi, terlambat sejak" in page

    # The reporter reads it too; the sweep, a month on, neither marks it overdue nor escalates it.
    client.force_login(net.user("reporter"))
    track = client.get(f"/lacak/{origin.tracking_id}/").content.decode()
    assert "Ditangani Provinsi, terlambat sejak" in track
    events = ReportEvent.objects.filter(report=origin).count()
    reports_sweep(now=timezone.now() + dt.timedelta(days=30))
    origin.refresh_from_db()
    assert (origin.is_overdue, origin.escalation_level, origin.due_at) == (False, 0, None)
    assert ReportEvent.objects.filter(report=origin).count() == events


def test_an_old_peer_without_due_at_keeps_todays_behaviour(net, client, peers):  # noqa: F811
    origin = held(net, peers)
    assert send(client, "/federation/status", status(origin, 5)).status_code == 202
    origin.refresh_from_db()
    assert (origin.peer_due_at, origin.peer_due_name) == (None, "")
    link = FederationLink.objects.get(report=origin)
    assert link.remote_state == "in_progress"
    client.force_login(net.user("reporter"))
    track = client.get(f"/lacak/{origin.tracking_id}/").content.decode()
    assert 'data-testid="deadline"' not in track and "Ditangani Provinsi" not in track
    assert client.get(f"/api/reports/{origin.tracking_id}").json()["peer_due"] is None
    # A deadline told once stays when a later status of the old kind says nothing about it.
    due = (timezone.now() + dt.timedelta(days=9)).replace(microsecond=0)
    send(client, "/federation/status", status(origin, 6, due_at=due.isoformat()))
    send(client, "/federation/status", status(origin, 7))
    origin.refresh_from_db()
    assert origin.peer_due_at == due


def test_told_again_or_replayed_changes_nothing_and_an_answer_clears_it(net, client, peers):  # noqa: F811
    origin = held(net, peers)
    due = (timezone.now() + dt.timedelta(days=10)).replace(microsecond=0)
    body = status(origin, 5, due_at=due.isoformat())
    assert send(client, "/federation/status", body).status_code == 202
    updated = Report.objects.get(pk=origin.pk).updated_at
    assert send(client, "/federation/status", body).status_code == 202  # the same, under a new delivery id
    assert send(client, "/federation/status", {**body, "sequence": 4}).status_code == 202  # older: ignored
    origin.refresh_from_db()
    assert origin.peer_due_at == due and origin.updated_at == updated
    assert not services.report_peer_due_set(report=origin, due_at=due, peer_name="Provinsi")  # no change
    # Not a moment: what we had stands.
    assert send(client, "/federation/status", status(origin, 6, due_at="2027-13-45T99:00:00")).status_code == 202
    origin.refresh_from_db()
    assert origin.peer_due_at == due
    # Postponed there (no clock there), then answered (the reply window is the reporter's): none shown.
    send(client, "/federation/status", status(origin, 7, state="postponed", due_at=None))
    origin.refresh_from_db()
    assert origin.peer_due_at is None and origin.peer_due_name == ""
    send(client, "/federation/status", status(origin, 8, due_at=due.isoformat()))
    answered = status(origin, 9, state="followed_up", status_notes="Sudah diperbaiki.", due_at=due.isoformat())
    send(client, "/federation/status", answered)
    origin.refresh_from_db()
    assert origin.peer_due_at is None and origin.state == "followed_up" and origin.due_at is not None


def test_a_decree_at_the_peer_moves_the_deadline_the_origin_shows(
    net, client, transport, two_deployments, django_capture_on_commit_callbacks
):
    origin = report_make(net, title="Jalan provinsi amblas", topic_id=net.roads.pk, region_code="13.74.02")
    with django_capture_on_commit_callbacks(execute=True):
        assert forward(client, net, origin).status_code == 201
    remote = remote_of(origin)
    origin.refresh_from_db()
    assert origin.peer_due_at == remote.due_at is not None
    before = remote.due_at
    decree(net, django_capture_on_commit_callbacks, at="sumbar")  # a day off at the province
    remote.refresh_from_db()
    assert remote.due_at > before
    moved = [json.loads(s["body"]) for s in transport.to(CITY) if s["path"] == "/federation/status"][-1]
    assert "deadline_moved" in moved and moved["status"]["due_at"] == remote.due_at.isoformat()
    origin.refresh_from_db()
    assert origin.peer_due_at == remote.due_at and origin.due_at is None  # our clock still held
    with override_settings(LAPOR_FEDERATION_ID="padangpanjang"):
        client.force_login(net.user("reporter"))
        assert (
            "Ditangani LAPOR Sumatera Barat, paling lambat"
            in client.get(f"/lacak/{origin.tracking_id}/").content.decode()
        )
