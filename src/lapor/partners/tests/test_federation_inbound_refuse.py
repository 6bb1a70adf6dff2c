"""Every federation endpoint refuses bad or unsigned payloads with a 4xx and a reason, and the
refusal changes nothing."""

import json
import uuid

import pytest

from lapor.partners.models import FederationLink, InboundDelivery, Peer
from lapor.partners.signing import signed_headers
from lapor.reports.models import Report, ReportEvent

from .helpers import report_make

SECRET = "s3cret-bersama"


@pytest.fixture
def peers(net):
    inbound = Peer.objects.create(
        name="Kota A", slug="kota-a", base_url="http://a.test", secret=SECRET, direction=Peer.Direction.INBOUND
    )
    outbound = Peer.objects.create(
        name="Provinsi", slug="prov", base_url="http://prov.test", secret=SECRET, direction=Peer.Direction.OUTBOUND
    )
    return inbound, outbound


def forward_body(**overrides) -> dict:
    body = {
        "type": "report.forward",
        "origin": "kota-a",
        "tracking_id": "ABCD-EFGH",
        "reason": "wewenang",
        "report": {
            "type": "complaint",
            "title": "Air PDAM mati",
            "body": "Sudah tiga hari air mati.",
            "is_anonymous": False,
            "is_confidential": False,
            "reporter_name": "Warga",
        },
    }
    body.update(overrides)
    return body


def send(client, path, payload, *, secret=SECRET, raw: bytes | None = None, headers: dict | None = None):
    body = raw if raw is not None else json.dumps(payload).encode()
    sent = signed_headers(secret, body, str(uuid.uuid4()), 1_700_000_000) if secret else {}
    sent.update(headers or {})
    return client.post(path, data=body, content_type="application/json", headers=sent)


def counts():
    return (
        Report.objects.count(),
        ReportEvent.objects.count(),
        FederationLink.objects.count(),
        InboundDelivery.objects.count(),
    )


def test_inbound_refuses_bad_requests_with_reasons(net, client, peers):
    before = counts()
    cases = [
        (dict(payload=forward_body(), secret=None), 401, "bad_signature"),
        (dict(payload=forward_body(), secret="salah"), 401, "bad_signature"),
        (dict(payload=forward_body(), headers={"X-Lapor-Signature": "sha256=00"}), 401, "bad_signature"),
        (dict(payload=forward_body(origin="asing")), 403, "unknown_peer"),
        (dict(payload=forward_body(origin="prov")), 403, "direction_not_allowed"),
        (dict(payload=None, raw=b"{bukan json"), 400, "invalid_json"),
        (dict(payload=None, raw=b"[1, 2]"), 400, "invalid_payload"),
        (dict(payload=forward_body(type="report.status")), 400, "wrong_type"),
        (dict(payload=forward_body(), headers={"X-Lapor-Delivery": ""}), 400, "delivery_required"),
        (dict(payload=forward_body(tracking_id="")), 400, "invalid_payload"),
        (dict(payload=forward_body(report="teks")), 400, "invalid_payload"),
        (dict(payload=forward_body(report={"title": "", "body": "x"})), 400, "required"),
        (
            dict(payload=forward_body(report={"title": "x", "body": "y", "latitude": "utara", "longitude": 1})),
            400,
            "invalid_location",
        ),
    ]
    for kwargs, status, code in cases:
        res = send(client, "/federation/inbound", **kwargs)
        assert res.status_code == status, (kwargs, res.content)
        assert res.json()["code"] == code and res.json()["message"]
    assert client.get("/federation/inbound").status_code == 405
    assert counts() == before


def test_a_valid_inbound_is_accepted_once(net, client, peers):
    res = send(client, "/federation/inbound", forward_body())
    assert res.status_code == 202, res.content
    assert send(client, "/federation/inbound", forward_body()).status_code == 202  # a new delivery id, same report
    assert FederationLink.objects.filter(direction="inbound").count() == 1
    report = Report.objects.get(channel="federation")
    assert FederationLink.objects.get().reporter_name == "Warga" and report.reporter.full_name.startswith("Kota A")


def test_status_refuses_bad_requests_and_unknown_reports(net, client, peers):
    _inbound, outbound = peers
    origin = report_make(net)
    FederationLink.objects.create(report=origin, peer=outbound, direction="outbound")
    good = {
        "type": "report.status",
        "origin": "prov",
        "tracking_id": origin.tracking_id,
        "remote_tracking_id": "WXYZ-1234",
        "sequence": 10,
        "status": {"state": "routed", "agency": "Dinas"},
    }
    before = counts()
    cases = [
        (dict(payload=good, secret=None), 401, "bad_signature"),
        (dict(payload={**good, "origin": "kota-a"}), 403, "direction_not_allowed"),
        (dict(payload={**good, "tracking_id": "0000-0000"}), 404, "unknown_report"),
        (dict(payload={**good, "sequence": "x"}), 400, "invalid_payload"),
        (dict(payload={**good, "status": {"state": "meledak"}}), 400, "invalid_payload"),
        (dict(payload={**good, "type": "report.forward"}), 400, "wrong_type"),
    ]
    for kwargs, status, code in cases:
        res = send(client, "/federation/status", **kwargs)
        assert res.status_code == status, (kwargs, res.content)
        assert res.json()["code"] == code
    assert counts() == before
    link = FederationLink.objects.get()
    assert link.remote_state == "" and link.remote_sequence == 0

    assert send(client, "/federation/status", good).status_code == 202
    older = {**good, "sequence": 5, "status": {"state": "submitted"}}
    assert send(client, "/federation/status", older).status_code == 202  # accepted, but stale: ignored
    link.refresh_from_db()
    assert (link.remote_state, link.remote_sequence, link.remote_tracking_id) == ("routed", 10, "WXYZ-1234")
