"""Issue 16: Open311 keeps the GeoReport v2 contract under hostile input.

Every report the tests can make hostile (control characters, U+FFFE/U+FFFF, markup, quotes, a huge
text, emoji, right-to-left text) is public at once; a third-party client (PyPI ``georeport``) then
reads the whole feed and each request in XML and JSON, and every Open311 answer (services, a
definition, requests, a request, a POST, a token, errors, discovery) has the spec's shape
(``open311_shapes.py``) in both formats.
"""

from __future__ import annotations

import json

import pytest

from .helpers import report_make, token_make
from .open311_shapes import shape_check

BASE = "/open311/v2"
CONTROLS = "".join(chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]) + "\ufffe\uffff\u202e"
HOSTILE = {
    "controls": f"Lampu{CONTROLS} jalan mati",
    "markup": 'Got <script>alert("x")</script> & <![CDATA[ ]]> &amp; &#0; </description></request> mampet',
    "quotes": "Kata \"petugas\" itu 'besok' `sudah` \u201cdiperbaiki\u201d",
    "emoji": "Jalan berlubang \U0001f6a7\U0001f573\ufe0f\U0001f477\u200d\u2640\ufe0f di pasar",
    "rtl": "\u0634\u0627\u0631\u0639 \u0645\u0643\u0633\u0648\u0631 \u05e8\u05d7\u05d5\u05d1 jalan rusak",
}
MARKERS = {
    "controls": "jalan mati",
    "markup": '<script>alert("x")</script>',
    "quotes": "\u201cdiperbaiki\u201d",
    "emoji": "\U0001f6a7",
    "rtl": "\u0634\u0627\u0631\u0639",
}


@pytest.fixture
def hostile(net):
    """One public report per hostile text (as title and body), and one with a huge body."""
    reports = {name: report_make(net, title=text[:200], body=f"{text} — {text}") for name, text in HOSTILE.items()}
    reports["huge"] = report_make(net, title="Teks sangat panjang", body=("Jalan rusak parah sekali. " * 800)[:20000])
    return reports


@pytest.fixture
def jurisdiction(settings):
    settings.LAPOR_OPEN311_JURISDICTION = "padangpanjang.go.id"
    return "padangpanjang.go.id"


@pytest.mark.slow  # a live server
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_georeport_client_reads_a_feed_of_every_hostile_report(hostile, live_server, jurisdiction, fmt):
    georeport = pytest.importorskip("georeport")
    client = georeport.GeoReport(f"{live_server.url}{BASE}", jurisdiction=jurisdiction, output_format=fmt)
    feed = client.get_service_requests()
    feed = [feed] if isinstance(feed, dict) else feed
    by_id = {r["service_request_id"]: r for r in feed}
    assert set(by_id) == {r.tracking_id for r in hostile.values()}
    for name, report in hostile.items():
        one = client.get_service_request(report.tracking_id)
        one = one[0] if isinstance(one, list) else one
        for item in (by_id[report.tracking_id], one):
            description = item["description"]
            assert not any(ch in description for ch in CONTROLS if ch not in "\t\n\r\x85"), name
            if name in MARKERS:
                assert MARKERS[name] in description, (name, description[:200])
        if name == "huge":  # the spec's 4,000 characters, the rest on the report's page
            assert len(one["description"]) <= 4000 and one["description"].endswith("…")


def _get(client, url, fmt, **params):
    return client.get(f"{BASE}/{url}.{fmt}", params, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_every_open311_answer_has_the_georeport_v2_shape(net, client, hostile, fmt):
    report = hostile["markup"]
    key = token_make(net.user("stranger"))
    post = {
        "api_key": key,
        "service_code": "jalan-jembatan",
        "lat": "-0.4631",
        "long": "100.4003",
        "description": HOSTILE["markup"],
        "email": "warga@example.com",
    }
    answers = [
        ("services", _get(client, "services", fmt), 200),
        ("definition", _get(client, "services/jalan-jembatan", fmt), 200),
        ("requests", _get(client, "requests", fmt), 200),
        ("requests", _get(client, f"requests/{report.tracking_id}", fmt), 200),
        ("requests", _get(client, "requests", fmt, status="open", service_code="infrastruktur"), 200),
        ("token", _get(client, f"tokens/{report.tracking_id}", fmt), 200),
        ("discovery", _get(client, "discovery", fmt), 200),
        ("created", client.post(f"{BASE}/requests.{fmt}", post), 201),
        ("created", client.post(f"{BASE}/requests.{fmt}", json.dumps(post), content_type="application/json"), 201),
        ("errors", _get(client, "requests", fmt, start_date="2024-02-30T00:00:00Z"), 400),
        ("errors", client.post(f"{BASE}/requests.{fmt}", {**post, "api_key": ""}), 403),
        ("errors", _get(client, "services/tidak-ada", fmt), 404),
        ("errors", _get(client, "requests/ZZZZ-ZZZZ", fmt), 404),
        ("errors", _get(client, "tokens/ZZZZ-ZZZZ", fmt), 404),
        ("errors", _get(client, "services", fmt, jurisdiction_id="jakarta.go.id"), 404),
        ("errors", client.delete(f"{BASE}/requests.{fmt}"), 405),
        ("errors", client.post(f"{BASE}/requests.{fmt}", "{" * 5, content_type="application/json"), 400),
        ("errors", client.post(f"{BASE}/requests.{fmt}", {**post, "description": "x" * 4001}), 400),
    ]
    for kind, res, status in answers:
        where = f"{res.request['REQUEST_METHOD']} {res.request['PATH_INFO']} {res.request.get('QUERY_STRING', '')}"
        assert res.status_code == status, (where, res.content[:300])
        expected_type = "application/json" if fmt == "json" else "text/xml"
        assert res["Content-Type"].startswith(expected_type), where
        problems = shape_check(kind, fmt, res.content)
        assert not problems, (where, problems[:10])
