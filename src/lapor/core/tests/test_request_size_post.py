"""The server caps a request's size before reading the body: a Content-Length above the cap is a 413
in the caller's language (JSON for /api/, the Open311 error list, a page for the web), a chunked body
without a length is a 411, and neither is read (a real server answers before the body is sent)."""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import urlparse

import pytest
from django.conf import settings

HUGE = str(10 * 1024**3)  # 10 GB announced, never sent


def test_web_post_above_the_cap_is_a_413_page_in_indonesian(net, client):
    res = client.generic(
        "POST", "/lapor/", b"title=x", content_type="application/x-www-form-urlencoded", CONTENT_LENGTH=HUGE
    )
    assert res.status_code == 413
    html = res.content.decode()
    assert "Kiriman terlalu besar" in html and "Laporan belum terkirim" in html
    assert 'name="viewport"' in html and 'href="/lapor/"' in html  # a page of the site, with its menu


def test_web_post_above_the_cap_in_english(net, client):
    client.cookies["django_language"] = "en"
    res = client.generic(
        "POST", "/lapor/", b"title=x", content_type="application/x-www-form-urlencoded", CONTENT_LENGTH=HUGE
    )
    assert res.status_code == 413 and "Upload too large" in res.content.decode()


def test_api_above_the_cap_is_json(net, client):
    res = client.generic(
        "POST", "/api/reports", b"{}", content_type="application/json", CONTENT_LENGTH=HUGE, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert res.status_code == 413 and res["Content-Type"].startswith("application/json")
    body = res.json()
    assert body["code"] == "request_too_large" and body["detail"]["max_bytes"] == settings.LAPOR_MAX_REQUEST_BYTES
    assert body["message"].startswith("Upload too large")


def test_open311_above_the_cap_is_an_open311_error(net, client):
    res = client.generic(
        "POST", "/open311/v2/requests.json", b"x", content_type="application/x-www-form-urlencoded", CONTENT_LENGTH=HUGE
    )
    assert res.status_code == 413
    assert json.loads(res.content) == [{"code": 413, "description": json.loads(res.content)[0]["description"]}]
    res = client.generic(
        "POST", "/open311/v2/requests.xml", b"x", content_type="application/x-www-form-urlencoded", CONTENT_LENGTH=HUGE
    )
    assert res.status_code == 413 and b"<errors><error><code>413</code>" in res.content


def test_the_cap_follows_the_setting_and_allows_what_fits(net, client, settings):
    settings.LAPOR_MAX_REQUEST_BYTES = 2000
    assert (
        client.post("/api/reports", data=json.dumps({"title": "x" * 3000}), content_type="application/json").status_code
        == 413
    )
    small = client.post(
        "/lapor/",
        {"title": "Jalan rusak", "body": "Lubang besar.", "type": "complaint", "guest_email": "warga@example.com"},
    )
    assert small.status_code == 302  # a normal submission is under the cap


def test_chunked_body_without_length_is_refused_411(net, client):
    res = client.generic(
        "POST",
        "/api/reports",
        b"",
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
        CONTENT_LENGTH="",
    )
    assert res.status_code == 411 and res.json()["code"] == "length_required"


def _raw(live_server, head: bytes) -> bytes:
    url = urlparse(live_server.url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(head)  # headers only: the announced body never comes
        started, data = time.monotonic(), b""
        while b"\r\n\r\n" not in data and time.monotonic() - started < 10:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data


@pytest.mark.slow
def test_a_real_server_answers_before_the_body_arrives(live_server, transactional_db):
    started = time.monotonic()
    answer = _raw(
        live_server,
        b"POST /api/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + HUGE.encode() + b"\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - started < 10
    answer = _raw(
        live_server,
        b"POST /lapor/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; "
        b"boundary=x\r\nTransfer-Encoding: chunked\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 411"), answer[:200]


def test_fields_over_djangos_memory_limit_are_a_413_too(net, client):
    """Under the body cap but over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB of fields, files aside): Django
    refuses to read it (RequestDataTooBig); the answer is a 413, not a bare 400."""
    big = json.dumps({"title": "x", "body": "y" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    res = client.post("/api/reports", data=big, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert res.status_code == 413 and res.json()["code"] == "request_too_large"
    assert res.json()["message"].startswith("The fields sent are too large")
    res = client.post("/lapor/", {"title": "x", "body": "y" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    assert res.status_code == 413 and "Isian yang dikirim terlalu besar" in res.content.decode()
