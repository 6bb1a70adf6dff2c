"""Issue 16, against a real ``lapor serve``: gunicorn answered an over-long request line (414), an
over-long header (431) and an unreadable head (400) with its own text/html page before Django saw
the request. Now under the application's caps Django refuses, over gunicorn's hard caps the worker
does, both in the door's documented shape; HEAD on a GET endpoint is the GET without a body."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from lapor.core.serve_worker import path_from_head

SRC = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the embedded default is SQLite")


def test_the_path_is_read_from_a_cut_request_line():
    assert path_from_head(b"GET /open311/v2/requests.json?service_request_id=aaaa") == "/open311/v2/requests.json"
    assert path_from_head(b"\r\nPOST /api/reports HTTP/1.1\r\nHost: x") == "/api/reports"
    assert path_from_head(b"GET") == "" and path_from_head(b"GET http://x/ HTTP/1.1") == ""


def _env(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LAPOR_BROKER_URL", "LAPOR_PUBLIC_URL")}
    env.update(
        LAPOR_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="lapor.settings",
        PYTHONPATH=os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]),
    )
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _raw(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(data)
        answer = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return answer
            answer += chunk


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("serve-head")
    cli = [sys.executable, "-m", "lapor.cli"]
    done = subprocess.run(
        [*cli, "migrate", "--noinput", "-v", "0"], env=_env(data_dir), capture_output=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    port = _free_port()
    log = open(data_dir / "serve.log", "w")
    server = subprocess.Popen(
        [*cli, "serve", f"127.0.0.1:{port}", "--workers", "1", "--no-access-log"],
        env=_env(data_dir),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                requests.get(base + "/healthz", timeout=5)
                break
            except requests.ConnectionError:
                assert server.poll() is None and time.monotonic() < deadline, (data_dir / "serve.log").read_text()
                time.sleep(0.3)
        yield base, port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


LONG_QUERY = "&".join(["service_request_id=" + "a" * 500] * 200)  # ~100 KB: over gunicorn's hard cap
MID = "x" * 8100  # under gunicorn's cap, over the application's (8000)


def _open311_json(res, status: int) -> str:
    assert res.status_code == status and res.headers["Content-Type"].startswith("application/json"), res.text[:300]
    [error] = res.json()
    assert error["code"] == status
    return error["description"]


def _open311_xml(res, status: int) -> None:
    assert res.status_code == status and res.headers["Content-Type"].startswith("text/xml"), res.text[:300]
    assert f"<errors><error><code>{status}</code><description>".encode() in res.content


def _api(res, status: int, code: str) -> dict:
    assert res.status_code == status and res.headers["Content-Type"].startswith("application/json"), res.text[:300]
    body = res.json()
    assert body["code"] == code and body["message"] and "max_bytes" in body["detail"]
    return body


@pytest.mark.slow
def test_an_over_long_request_line_is_414_in_the_doors_shape(served):
    base, _ = served
    for query in (LONG_QUERY, "q=" + MID):  # over gunicorn's hard cap (the worker), over the app's (Django)
        _open311_json(requests.get(f"{base}/open311/v2/requests.json?{query}", timeout=30), 414)
        _open311_xml(requests.get(f"{base}/open311/v2/requests.xml?{query}", timeout=30), 414)
        for path in ("/api/reports", "/federation/report", "/intake/sms/twilio"):
            _api(requests.get(f"{base}{path}?{query}", timeout=30), 414, "uri_too_long")
        page = requests.get(f"{base}/lapor/?{query}", timeout=30)
        assert page.status_code == 414 and page.headers["Content-Type"].startswith("text/html")
        assert 'name="viewport"' in page.text and "LAPOR!" in page.text  # the site's page, not gunicorn's


@pytest.mark.slow
def test_an_over_long_header_is_431_in_the_doors_shape(served):
    base, _ = served
    for size in (9_000, 40_000):  # over the app's cap (8190), over gunicorn's hard cap (32768)
        cookie = {"Cookie": "a=" + "b" * size}
        _open311_json(requests.get(f"{base}/open311/v2/services.json", headers=cookie, timeout=30), 431)
        _open311_xml(requests.get(f"{base}/open311/v2/services.xml", headers=cookie, timeout=30), 431)
        body = _api(requests.get(f"{base}/api/topics", headers=cookie, timeout=30), 431, "header_too_large")
        assert body["detail"]["max_bytes"] == 8190
        page = requests.get(f"{base}/", headers=cookie, timeout=30)
        assert page.status_code == 431 and 'name="viewport"' in page.text
    # what fits is served as before
    assert requests.get(f"{base}/api/topics", headers={"Cookie": "a=" + "b" * 7000}, timeout=30).status_code == 200


@pytest.mark.slow
def test_an_unreadable_head_is_400_in_the_doors_shape(served):
    _, port = served
    answer = _raw(port, b"GET /api/topics HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and b"application/json" in head, answer[:300]
    assert json.loads(body)["code"] == "bad_request"
    answer = _raw(port, b"GET /open311/v2/services.xml HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400") and b"<errors><error><code>400</code>" in answer, answer[:300]


@pytest.mark.slow
def test_head_is_the_get_without_a_body_over_http(served):
    base, port = served
    for path in ("/api/topics", "/open311/v2/services.xml", "/open311/v2/services.json"):
        get, head = requests.get(base + path, timeout=30), requests.head(base + path, timeout=30)
        assert head.status_code == get.status_code == 200 and head.content == b"", path
        assert head.headers["Content-Type"] == get.headers["Content-Type"]
    answer = _raw(port, b"HEAD /api/topics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"\r\n\r\n")  # headers only
    res = requests.head(base + "/api/accounts", timeout=30)  # POST only
    assert res.status_code == 405 and res.headers["Allow"] == "POST"
