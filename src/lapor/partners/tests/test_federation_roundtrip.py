"""Two lapor deployments in one test run: the city (padangpanjang) forwards a report to the
province (sumbar); the province files it and sends its status back. Both sides' real views,
signatures, services and the outbox are exercised; only the HTTP hop is a test transport."""

import json

import pytest
from django.test import override_settings

from lapor.accounts.testing import token_make
from lapor.notifications.models import OutboxMessage
from lapor.notifications.services import outbox_retry
from lapor.partners.models import FederationLink, Peer
from lapor.partners.signing import signature_valid
from lapor.reports import services
from lapor.reports.models import Report, ReportEvent
from lapor.reports.services import Actor

from .helpers import report_make

SECRET = "rahasia-bersama-kota-provinsi"
CITY, PROVINCE = "padangpanjang.test", "sumbar.test"


@pytest.fixture
def two_deployments(net, settings, transport):
    """Peer rows of both deployments share one database; each side finds the other by slug."""
    settings.LAPOR_FEDERATION_ID = "padangpanjang"  # the test itself acts as the city
    transport.routes = {PROVINCE: {"LAPOR_FEDERATION_ID": "sumbar"}, CITY: {"LAPOR_FEDERATION_ID": "padangpanjang"}}
    at_city = Peer.objects.create(
        name="LAPOR Sumatera Barat",
        slug="sumbar",
        base_url=f"http://{PROVINCE}",
        secret=SECRET,
        direction=Peer.Direction.OUTBOUND,
    )
    at_province = Peer.objects.create(
        name="LAPOR Padang Panjang",
        slug="padangpanjang",
        base_url=f"http://{CITY}/",
        secret=SECRET,
        direction=Peer.Direction.INBOUND,
    )
    return at_city, at_province


def forward(client, net, report, peer="sumbar", reason="Kewenangan provinsi"):
    return client.post(
        f"/api/federation/reports/{report.tracking_id}/forward",
        json.dumps({"peer": peer, "reason": reason}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_make(net.user('city_admin'))}"},
    )


def test_forwarded_report_travels_and_its_status_comes_back(
    net, client, transport, two_deployments, django_capture_on_commit_callbacks
):
    origin = report_make(
        net,
        is_anonymous=True,
        title="Jalan provinsi amblas",
        topic_id=net.roads.pk,
        region_code="13.74.02",
        latitude=-0.46,
        longitude=100.40,
    )
    handling_agency = origin.agency
    with django_capture_on_commit_callbacks(execute=True):
        res = forward(client, net, origin)
    assert res.status_code == 201, res.content
    assert res.json()["peer"] == "sumbar" and res.json()["direction"] == "outbound"

    # What crossed the wire: signed with the shared secret, no identity of the anonymous reporter.
    sent = transport.to(PROVINCE)[0]
    assert sent["path"] == "/federation/inbound" and signature_valid(
        SECRET, sent["body"], sent["headers"]["X-Lapor-Signature"]
    )
    assert b"Budi" not in sent["body"] and b"budi@" not in sent["body"]

    # The province filed it as its own, once, remembering the origin.
    inbound = FederationLink.objects.get(direction="inbound")
    remote = inbound.report
    assert remote.pk != origin.pk and remote.channel == "federation" and remote.is_anonymous
    assert (
        remote.title == origin.title and remote.topic == net.roads and inbound.remote_tracking_id == origin.tracking_id
    )
    assert inbound.peer.slug == "padangpanjang" and inbound.reporter_name == ""
    assert remote.reporter.full_name.startswith("LAPOR Padang Panjang")

    # Its first status already came back: the city knows the remote tracking id.
    outbound = FederationLink.objects.get(direction="outbound")
    assert outbound.remote_tracking_id == remote.tracking_id and outbound.remote_status == "open"

    # The province works on it; every public change goes back, signed.
    with override_settings(LAPOR_FEDERATION_ID="sumbar"):
        if remote.state == "submitted":
            with django_capture_on_commit_callbacks(execute=True):
                services.report_route(report=remote, actor=Actor(user=net.user("platform")), agency=net.other_city)
        with django_capture_on_commit_callbacks(execute=True):
            services.report_note(report=remote, actor=Actor(user=net.user("platform")), body="internal only")
        with django_capture_on_commit_callbacks(execute=True):
            services.report_follow_up(
                report=remote,
                actor=Actor(user=net.user("other_admin"))
                if remote.agency == net.other_city
                else Actor(user=net.user("dept_admin")),
                body="Sudah ditimbun dan diaspal.",
            )
    statuses = transport.to(CITY)
    assert all(s["path"] == "/federation/status" for s in statuses)
    assert all(signature_valid(SECRET, s["body"], s["headers"]["X-Lapor-Signature"]) for s in statuses)
    assert b"internal only" not in b"".join(s["body"] for s in statuses)

    outbound.refresh_from_db()
    assert outbound.remote_state == "followed_up" and outbound.remote_status == "open"
    assert outbound.remote_notes == "Sudah ditimbun dan diaspal." and outbound.remote_agency == remote.agency.name

    # Staff at the city see where it went and its status there; the timeline has it too.
    res = client.get(
        f"/api/federation/reports/{origin.tracking_id}/links",
        headers={"Authorization": f"Bearer {token_make(net.user('city_admin'))}"},
    )
    assert res.status_code == 200
    link = res.json()[0]
    assert (link["peer"], link["remote_tracking_id"], link["remote_state"]) == (
        "sumbar",
        remote.tracking_id,
        "followed_up",
    )
    actions = list(ReportEvent.objects.filter(report=origin).values_list("action", flat=True))
    assert "federate" in actions and actions.count("remote_status") >= 2
    origin.refresh_from_db()
    # No local agency for the peer: the report stays with its agency here; the peer's answer is its answer.
    assert origin.state == "followed_up" and origin.agency == handling_agency


def test_replayed_deliveries_change_nothing(
    net, client, transport, two_deployments, django_capture_on_commit_callbacks
):
    origin = report_make(net)
    with django_capture_on_commit_callbacks(execute=True):
        forward(client, net, origin)
    reports, events = Report.objects.count(), ReportEvent.objects.count()
    for sent in transport.to(PROVINCE) + transport.to(CITY):
        host = sent["host"]
        with override_settings(**transport.routes[host]):
            res = client.post(sent["path"], data=sent["body"], content_type="application/json", headers=sent["headers"])
        assert res.status_code == 202, res.content
    assert (Report.objects.count(), ReportEvent.objects.count()) == (reports, events)


def test_confidential_report_stays_confidential_over_there(
    net, client, transport, two_deployments, django_capture_on_commit_callbacks
):
    origin = report_make(net, is_confidential=True, body="Pungutan liar di loket, nama petugas ada di sini.")
    with django_capture_on_commit_callbacks(execute=True):
        assert forward(client, net, origin).status_code == 201
    remote = FederationLink.objects.get(direction="inbound").report
    assert remote.is_confidential
    with override_settings(LAPOR_FEDERATION_ID="sumbar"):
        services.report_route(report=remote, actor=Actor(user=net.user("platform")), agency=net.other_city)
    assert remote.tracking_id not in client.get("/open311/v2/requests.json").content.decode()
    assert client.get(f"/api/public/reports/{remote.tracking_id}").status_code == 404


def test_forward_needs_staff_a_reason_and_a_peer_that_accepts(net, client, transport, two_deployments):
    origin = report_make(net)
    assert forward(client, net, origin, reason="").status_code in (400, 422)
    assert forward(client, net, origin, peer="tidak-ada").status_code == 404
    res = forward(client, net, origin, peer="padangpanjang")  # an inbound-only peer
    assert res.status_code == 400 and res.json()["code"] == "peer_not_outbound"
    res = client.post(
        f"/api/federation/reports/{origin.tracking_id}/forward",
        json.dumps({"peer": "sumbar", "reason": "x"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_make(net.user('liaison'))}"},
    )
    assert res.status_code in (403, 404)
    assert not FederationLink.objects.exists() and not OutboxMessage.objects.filter(channel="webhook").exists()


def test_peer_represented_by_a_local_province_agency_is_a_real_forward(
    net, client, transport, two_deployments, django_capture_on_commit_callbacks
):
    from lapor.accounts.testing import agency_make

    province = agency_make("Pemerintah Provinsi Sumatera Barat", kind="province")
    Peer.objects.filter(slug="sumbar").update(agency=province)
    origin = report_make(net)
    with django_capture_on_commit_callbacks(execute=True):
        assert forward(client, net, origin).status_code == 201
    origin.refresh_from_db()
    assert origin.agency == province and origin.state == "routed"
    assert ReportEvent.objects.filter(report=origin, action="forward", agency=province).exists()
    assert FederationLink.objects.filter(direction="inbound").count() == 1


def test_failed_deliveries_end_as_dead_letters_that_staff_can_retry(
    net, client, transport, two_deployments, settings, django_capture_on_commit_callbacks
):
    settings.LAPOR_OUTBOX_MAX_ATTEMPTS = 1
    transport.down.add(PROVINCE)
    origin = report_make(net)
    with django_capture_on_commit_callbacks(execute=True):
        assert forward(client, net, origin).status_code == 201
    dead = OutboxMessage.objects.get(recipient=f"http://{PROVINCE}/federation/inbound")
    assert dead.status == "dead" and not FederationLink.objects.filter(direction="inbound").exists()

    transport.down.clear()
    with django_capture_on_commit_callbacks(execute=True):
        outbox_retry(delivery_id=str(dead.delivery_id))
    dead.refresh_from_db()
    assert dead.status == "sent" and FederationLink.objects.filter(direction="inbound").count() == 1


def test_peers_and_links_are_for_staff_only(net, client, two_deployments):
    staff = {"Authorization": f"Bearer {token_make(net.user('city_admin'))}"}
    citizen = {"Authorization": f"Bearer {token_make(net.user('reporter'))}"}
    res = client.get("/api/federation/peers", headers=staff)
    assert res.status_code == 200 and {p["slug"] for p in res.json()} == {"sumbar", "padangpanjang"}
    assert "secret" not in res.content.decode()
    assert client.get("/api/federation/peers", headers=citizen).status_code == 403
    own = report_make(net)
    assert client.get(f"/api/federation/reports/{own.tracking_id}/links", headers=citizen).status_code == 403
