"""A page cursor names a moment with its offset, as the server writes it: one without (hand-made)
is a 400, not a TypeError in the search windows (PostgreSQL compares it with the newest report)."""

from __future__ import annotations

import base64
import json

import pytest
from django.db import connection

from lapor.reports import services as s


def _cursor(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [_cursor(["2999-01-01T00:00:00", 5]), _cursor(["r", 0.5, "2999-01-01T00:00:00", 5])])
def test_a_cursor_without_an_offset_is_refused(net, api, cursor):
    platform = s.Actor(user=net.user("platform"))
    for i in range(30):  # enough matches that the newest-first search reads a window of time
        report, _secret = s.report_submit(
            submission=s.Submission(
                title=f"Jalan berlubang nomor {i}",
                body=f"Mohon diperbaiki jalan {i} segera.",
                guest_email=f"w{i}@contoh.example",
            )
        )
        s.report_route(report=report, actor=platform, agency=net.dept)
    if connection.vendor == "postgresql":
        with connection.cursor() as db:
            db.execute("ANALYZE reports_report")
    for order in ("newest", "relevance"):
        query = {"q": "jalan", "limit": 1, "order": order, "cursor": cursor}
        for response in (
            api.get("/api/public/reports", query),
            api.get("/api/reports", query, user=net.user("dept_admin")),
        ):
            assert response.status_code == 400 and response.json()["code"] == "invalid_cursor"
    served = api.get("/api/public/reports", {"q": "jalan", "limit": 1, "order": "newest"}).json()["next_cursor"]
    assert (
        api.get("/api/public/reports", {"q": "jalan", "limit": 1, "order": "newest", "cursor": served}).status_code
        == 200
    )
