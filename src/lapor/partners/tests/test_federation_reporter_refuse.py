"""/federation/reporter refuses what it cannot apply with a 4xx and a reason, and the refusal
changes nothing: no message, no event, no delivery remembered (a corrected retry still applies)."""

import json
import uuid

import pytest
from django.test import override_settings

from lapor.partners.models import InboundDelivery
from lapor.partners.relay_files import body_max
from lapor.partners.signing import signed_headers
from lapor.reports import services
from lapor.reports.models import Message, ReportEvent
from lapor.reports.services import Actor

from .helpers import report_make
from .test_federation_answer import remote_of
from .test_federation_roundtrip import SECRET, forward, two_deployments  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("two_deployments")


def step(report, **overrides) -> dict:
    body = {
        "type": "report.reporter",
        "origin": "padangpanjang",
        "tracking_id": report.tracking_id,
        "relay_id": "77",
        "action": "reply",
        "body": "Belum diperbaiki.",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def send(client, payload, *, secret=SECRET, raw: bytes | None = None, headers: dict | None = None):
    body = raw if raw is not None else json.dumps(payload).encode()
    sent = signed_headers(secret, body, str(uuid.uuid4()), 1_700_000_000) if secret else {}
    sent.update(headers or {})
    with override_settings(LAPOR_FEDERATION_ID="sumbar"):
        return client.post("/federation/reporter", data=body, content_type="application/json", headers=sent)


def counts(remote):
    return (
        Message.objects.filter(report=remote).count(),
        ReportEvent.objects.filter(report=remote).count(),
        InboundDelivery.objects.filter(kind="reporter").count(),
    )


@pytest.fixture
def forwarded(net, client, transport, django_capture_on_commit_callbacks):
    origin = report_make(net)
    with django_capture_on_commit_callbacks(execute=True):
        assert forward(client, net, origin).status_code == 201
    return origin, remote_of(origin)


def test_bad_relays_are_refused_with_reasons_and_change_nothing(net, client, forwarded):
    origin, remote = forwarded
    before = counts(remote)
    cases = [
        (dict(payload=step(origin), secret=None), 401, "bad_signature"),
        (dict(payload=step(origin), secret="salah"), 401, "bad_signature"),
        (dict(payload=step(origin, origin="asing")), 403, "unknown_peer"),
        (dict(payload=step(origin, origin="sumbar")), 403, "direction_not_allowed"),  # we only forward there
        (dict(payload=None, raw=b"{rusak"), 400, "invalid_json"),
        (dict(payload=None, raw=b'"teks"'), 400, "invalid_payload"),
        (dict(payload=None, raw=b"x" * (body_max(256 * 1024) + 1)), 413, "too_large"),  # room for the files
        (dict(payload=step(origin, type="report.status")), 400, "wrong_type"),
        (dict(payload=step(origin), headers={"X-Lapor-Delivery": ""}), 400, "delivery_required"),
        (dict(payload=step(origin, tracking_id="ZZZZ-9999")), 404, "unknown_report"),
        (dict(payload=step(origin, tracking_id=["x"])), 404, "unknown_report"),
        (dict(payload=step(origin, action="hapus")), 400, "invalid_action"),
        (dict(payload=step(origin, relay_id=None)), 400, "invalid_payload"),
        (dict(payload=step(origin, relay_id={"a": 1})), 400, "invalid_payload"),
        (dict(payload=step(origin, body=None)), 400, "invalid_payload"),
        (dict(payload=step(origin, body=["a"])), 400, "invalid_payload"),
        (dict(payload=step(origin, body="  ")), 400, "required"),
        (dict(payload=step(origin, body="x" * 10_001)), 400, "too_long"),
        (dict(payload=step(origin, action="rate", rating="lima")), 400, "invalid_rating"),
        (dict(payload=step(origin, action="rate", rating=9)), 400, "invalid_rating"),
        (dict(payload=step(origin, action="rate", rating=True)), 400, "invalid_rating"),
        (dict(payload=step(origin, action="rate", rating=4, comment=5)), 400, "invalid_payload"),
        (dict(payload=step(origin, action="reopen", rating=2, comment="")), 400, "required"),
        # Not answered there yet: nothing to accept, rate or reopen.
        (dict(payload=step(origin, action="rate", rating=4)), 409, "wrong_state"),
        (dict(payload=step(origin, action="complete")), 409, "wrong_state"),
    ]
    for kwargs, status, code in cases:
        res = send(client, **kwargs)
        assert res.status_code == status, (kwargs.get("payload"), res.content)
        assert res.json()["code"] == code and res.json()["message"], res.content
    with override_settings(LAPOR_FEDERATION_ID="sumbar"):
        assert client.get("/federation/reporter").status_code == 405
    assert counts(remote) == before

    # A refused relay left no trace: the same relay id, now well-formed, is applied.
    assert send(client, step(origin)).status_code == 202
    assert Message.objects.get(report=remote, kind="reply").body == "Belum diperbaiki."


def test_a_reply_to_a_report_closed_at_the_peer_is_refused_as_closed(net, client, forwarded):
    origin, remote = forwarded
    with override_settings(LAPOR_FEDERATION_ID="sumbar"):
        services.report_archive(report=remote, actor=Actor(user=net.user("platform")), reason="too_general")
    before = counts(remote)
    res = send(client, step(origin))
    assert res.status_code == 409 and res.json()["code"] == "closed"
    assert counts(remote) == before
