"""Issue 16 on the machine doors: every error /api/, /federation/ and /intake/ answer is JSON
``{code, message}`` (``detail`` where it helps), in the request's language: a wrong method (405, was
``Method not allowed`` or an empty body as text/html), a body over the cap (413, was the site's
HTML page under /federation/ and /intake/), anything unexpected (500) and a lost database (503),
and a JSON body nested 100,000 levels deep or holding a lone surrogate (400, was a 500 with an HTML
page on every federation endpoint).
"""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError
from django.test import Client

from lapor.core.text import JSON_DEPTH_MAX, json_loads_strict
from lapor.intake.tests import fake_cloud_api as wa
from lapor.intake.tests.helpers import signed_post

DEEP = b"[" * 100_000 + b"]" * 100_000
SURROGATE = b'{"origin": "kota-a\\ud800", "text": "LAPOR jalan \\udfff rusak"}'
SECRET = "door-secret"


def _error(res, status: int, code: str | None = None) -> dict:
    assert res.status_code == status, (res.status_code, res.content[:300])
    assert res["Content-Type"].startswith("application/json"), res["Content-Type"]
    body = json.loads(res.content)
    assert isinstance(body["code"], str) and isinstance(body["message"], str) and body["message"], body
    if code is not None:
        assert body["code"] == code, body
    return body


@pytest.mark.parametrize(
    "method, path, allow",
    [
        ("put", "/api/reports", {"GET", "HEAD", "POST"}),  # every GET takes HEAD under /api/ (issue 16)
        ("patch", "/api/calendar/days", {"POST"}),
        ("post", "/api/calendar/days/2027-06-10", {"DELETE"}),
        ("get", "/federation/inbound", {"POST"}),
        ("get", "/federation/status", {"POST"}),
        ("get", "/federation/reporter", {"POST"}),
        ("put", "/intake/sms", {"POST"}),
        ("get", "/intake/email", {"POST"}),
        ("delete", "/intake/whatsapp", {"GET", "POST"}),
        ("get", "/intake/social/x", {"POST"}),
    ],
)
def test_a_wrong_method_is_405_json_with_allow_in_the_readers_language(db, client, method, path, allow):
    res = getattr(client, method)(path, HTTP_ACCEPT_LANGUAGE="en")
    body = _error(res, 405, "method_not_allowed")
    assert body["message"] == f"Method {method.upper()} is not supported here."
    assert {m.strip() for m in res["Allow"].split(",")} == allow
    id_ = _error(getattr(client, method)(path), 405)
    assert id_["message"] == f"Metode {method.upper()} tidak didukung di sini."


@pytest.mark.parametrize("path", ["/api/reports", "/federation/inbound", "/federation/reporter", "/intake/whatsapp"])
def test_a_body_over_the_cap_is_413_json(db, client, path):
    res = client.generic(
        "POST", path, b"{}", content_type="application/json", CONTENT_LENGTH=str(10**12), HTTP_ACCEPT_LANGUAGE="en"
    )
    body = _error(res, 413, "request_too_large")
    assert body["detail"]["max_bytes"] > 0 and "too large" in body["message"].lower()


@pytest.mark.parametrize("path", ["/federation/inbound", "/federation/status", "/federation/reporter"])
def test_federation_refuses_a_deep_or_surrogate_body_with_400(db, client, path):
    for raw in (DEEP, b'{"a":' * 20_000 + b"1" + b"}" * 20_000, SURROGATE, b'{"\\ud800": 1}'):
        _error(client.post(path, raw, content_type="application/json"), 400, "invalid_json")


def test_an_unexpected_error_and_a_lost_database_are_json_at_the_federation_door(db, monkeypatch):
    client = Client(raise_request_exception=False)

    def boom(raw):
        raise RuntimeError("a bug")

    monkeypatch.setattr("lapor.partners.views.json_loads_strict", boom)
    _error(client.post("/federation/inbound", b"{}", content_type="application/json"), 500, "server_error")

    def gone(raw):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("lapor.partners.views.json_loads_strict", gone)
    res = client.post("/federation/status", b"{}", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    _error(res, 503, "service_unavailable")
    assert res["Retry-After"]


@pytest.fixture
def gateways(settings):
    settings.LAPOR_SMS_SECRET = settings.LAPOR_EMAIL_SECRET = settings.LAPOR_SOCIAL_SECRET = SECRET
    settings.LAPOR_RATES = {name: "1000000/60" for name in ("submit", "login", "track", "webhook", "federation")}
    with wa.cloud_api() as fake:
        wa.configure(settings, fake)
        yield fake


def _tweet(extra: str) -> bytes:
    """One post as X's relay sends it, with a field nested ``extra``."""
    return (
        '{"for_user_id": "1708", "tweet_create_events": [{"id_str": "1899000000000000500", '
        '"created_at": "Mon Jun 03 02:10:00 +0000 2024", "text": "@LAPOR1708 jalan rusak", '
        f'"user": {{"id_str": "99", "screen_name": "warga_99"}}, "extra": {extra}}}]}}'
    ).encode()


def test_signed_gateway_bodies_too_deep_or_with_a_lone_surrogate_are_400(net, client, gateways):
    """A gateway's signature proves who sent it, not that it is sane: still a 400, never a 500. A
    post with a field 500 levels deep got past the parser and was a RecursionError (500) when its
    raw payload was cleaned for storage."""
    for raw in (DEEP, SURROGATE, _tweet("[" * 500 + "]" * 500)):
        for path in ("/intake/sms", "/intake/social/x"):
            _error(signed_post(client, path, raw, secret=SECRET), 400, "invalid_json")
        _error(
            signed_post(client, "/intake/whatsapp", raw, secret=wa.APP_SECRET, header="HTTP_X_HUB_SIGNATURE_256"),
            400,
            "invalid_json",
        )


def test_a_signed_form_with_too_many_fields_or_another_charset_is_400_json(net, client, gateways):
    many = "&".join(f"f{i}=1" for i in range(2_000)).encode()
    body = _error(
        signed_post(client, "/intake/sms", many, secret=SECRET, content_type="application/x-www-form-urlencoded"), 400
    )
    assert body["code"] == "bad_request"
    latin = b"sender=6281234567890&message_id=cs-1&text=LAPOR caf\xe9 rusak"
    res = signed_post(
        client, "/intake/sms", latin, secret=SECRET, content_type="application/x-www-form-urlencoded; charset=latin-1"
    )
    _error(res, 400, "bad_request")


def test_the_strict_reader_takes_what_gateways_send_and_refuses_the_rest(net, client, gateways):
    res = signed_post(client, "/intake/social/x", _tweet("[" * 60 + "]" * 60), secret=SECRET)
    assert res.status_code == 200 and len(res.json()["drafts"]) == 1
    assert json_loads_strict(b"[" * JSON_DEPTH_MAX + b"]" * JSON_DEPTH_MAX)
    for raw in (
        b"[" * (JSON_DEPTH_MAX + 1) + b"]" * (JSON_DEPTH_MAX + 1),
        b'{"a": {"\\udfff": 1}}',
        b'["ok", ["\\ud83d"]]',
        b"\xff",
    ):
        with pytest.raises(ValueError):
            json_loads_strict(raw)
    assert json_loads_strict('["\\ud83d\\ude00"]'.encode()) == ["\U0001f600"]  # a pair is one emoji
