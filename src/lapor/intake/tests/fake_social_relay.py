"""A local stand-in for the social networks' relay (the small service behind
LAPOR_SOCIAL_REPLY_URLS that posts replies and direct messages), on 127.0.0.1:8131-8139.

It refuses what the relay must refuse: a body not signed with the shared key (X-Lapor-Signature),
no delivery id or timestamp, an unknown mode, a public reply longer than the network allows or
a direct message on a network without them; ``fail_next`` makes it answer 5xx (a network down)."""

from __future__ import annotations

import hashlib
import hmac
import json
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

from .fake_cloud_api import serving

SECRET = "fake-relay-secret"
LIMITS = {"x": 280, "instagram": 2200, "facebook": 8000}
REQUIRED = {"network", "mode", "in_reply_to", "kind", "handle", "event", "text"}


class FakeRelay:
    def __init__(self):
        self.url = ""
        self.posted: list[dict] = []
        self.refused: list[str] = []
        self.fail_next: list[int] = []

    def check(self, headers, raw: bytes) -> tuple[int, str]:
        expected = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(headers.get("X-Lapor-Signature", ""), expected):
            return 401, "bad signature"
        if not headers.get("X-Lapor-Delivery") or not headers.get("X-Lapor-Timestamp", "").isdigit():
            return 400, "delivery id and timestamp required"
        body = json.loads(raw)
        if set(body) - REQUIRED - {"tracking_id"} or REQUIRED - set(body):
            return 400, f"fields {sorted(set(body) ^ REQUIRED)}"
        if body["mode"] not in ("reply", "dm", "notice"):
            return 400, "mode"
        if body["mode"] in ("reply", "notice") and len(body["text"]) > LIMITS[body["network"]]:
            return 400, "too long for a public reply"
        if self.fail_next:
            return self.fail_next.pop(0), "network down"
        self.posted.append({**body, "delivery": headers["X-Lapor-Delivery"]})
        return 200, "ok"


@contextmanager
def social_relay():
    relay = FakeRelay()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, why = relay.check(self.headers, raw)
            if status != 200:
                relay.refused.append(why)
            out = json.dumps({"status": why}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args):
            pass

    with serving(Handler) as base:
        relay.url = f"{base}/relay"
        yield relay
