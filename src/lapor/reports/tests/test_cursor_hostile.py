"""A page cursor is opaque, but a guest can hand-make one. These were 500s: 2,000 nested ``[`` on
the public list API and page (RecursionError in the JSON parser); on the page (``/laporan/``) a row
id of ``1e400`` (``int(inf)``: OverflowError, the API's handler made it a 400) and a moment before
year 1 in UTC. Others were taken as if valid: a row id that is ``true``, ``"5"`` or beyond 64 bits,
a relevance rank of NaN or infinity. Each is now 400 ``invalid_cursor`` (the page: the site's 400)."""

from __future__ import annotations

import base64
import json

import pytest

from lapor.reports import services as s


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


HOSTILE = [
    "[" * 2_000,
    "[" * 2_000 + "]" * 2_000,
    '["2026-01-01T00:00:00+00:00", 1e400]',
    '["2026-01-01T00:00:00+00:00", 99999999999999999999999]',
    '["2026-01-01T00:00:00+00:00", true]',
    '["2026-01-01T00:00:00+00:00", "5"]',
    '["0001-01-01T00:00:00+14:00", 1]',
    '["2026-01-01T00:00:00+00:00", "\\ud800"]',
    '["r", NaN, "2026-01-01T00:00:00+00:00", 1]',
    '["r", Infinity, "2026-01-01T00:00:00+00:00", 1]',
    '["r", 1e400, "2026-01-01T00:00:00+00:00", 1]',
    '["r", 0.5, "2026-01-01T00:00:00+00:00", 1e400]',
]


@pytest.fixture
def public(net):
    platform = s.Actor(user=net.user("platform"))
    for i in range(3):
        report, _secret = s.report_submit(
            submission=s.Submission(
                title=f"Jalan berlubang nomor {i}", body="Mohon diperbaiki segera.", guest_email=f"w{i}@contoh.example"
            )
        )
        s.report_route(report=report, actor=platform, agency=net.dept)


@pytest.mark.parametrize("raw", HOSTILE)
def test_a_hand_made_cursor_is_400_never_500(net, api, client, public, raw):
    cursor = _cursor(raw)
    for order in ("newest", "relevance"):
        for query in ({"cursor": cursor}, {"q": "jalan", "order": order, "cursor": cursor}):
            for response in (
                api.get("/api/public/reports", query),
                api.get("/api/reports", query, user=net.user("dept_admin")),
            ):
                assert response.status_code == 400, (raw, query, response.content[:200])
                assert response.json()["code"] == "invalid_cursor"
            page = client.get("/laporan/", query)
            assert page.status_code == 400, (raw, query, page.status_code)


def test_the_cursor_the_server_hands_out_still_pages(net, api, public):
    for query in ({"limit": 1}, {"q": "jalan", "limit": 1, "order": "relevance"}):
        first = api.get("/api/public/reports", query).json()
        second = api.get("/api/public/reports", {**query, "cursor": first["next_cursor"]})
        assert second.status_code == 200
        assert {r["tracking_id"] for r in second.json()["items"]}.isdisjoint(
            {r["tracking_id"] for r in first["items"]}
        ), json.dumps(query)
