"""A transport for the outbox: requests to a routed host go into this process's Django test
client under that host's settings (a second lapor deployment); others are recorded as a sink."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.test import Client, override_settings


@dataclass
class Transport:
    routes: dict[str, dict] = field(default_factory=dict)  # host -> settings of the deployment there
    down: set[str] = field(default_factory=set)  # hosts that refuse connections
    sent: list[dict] = field(default_factory=list)

    def __call__(self, url: str, body: bytes, headers: dict[str, str], *, guard: bool = False) -> int:
        parts = urlsplit(url)
        record = {
            "url": url,
            "host": parts.netloc,
            "path": parts.path,
            "body": body,
            "headers": dict(headers),
            "guard": guard,
        }
        self.sent.append(record)
        if parts.netloc in self.down:
            raise ConnectionRefusedError(f"{parts.netloc} is down")
        status = 200
        if parts.netloc in self.routes:
            with override_settings(**self.routes[parts.netloc]):
                res = Client().post(parts.path, data=body, content_type="application/json", headers=headers)
            status, record["response"] = res.status_code, res.content
        if status >= 400:  # what the real http_post does with an HTTP error
            raise RuntimeError(f"HTTP {status} from receiver")
        return status

    def to(self, host: str) -> list[dict]:
        return [r for r in self.sent if r["host"] == host]

    def payloads(self, host: str) -> list[dict]:
        return [json.loads(r["body"]) for r in self.to(host)]


@pytest.fixture
def transport(monkeypatch, settings):
    settings.CELERY_BROKER_URL = ""  # deliver in-process after commit
    t = Transport()
    monkeypatch.setattr("lapor.notifications.senders.http_post", t)
    return t
