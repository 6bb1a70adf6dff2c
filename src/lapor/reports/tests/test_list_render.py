"""The read endpoints render their bodies without ninja re-validating each item (lapor.api.render):
what they send must be exactly what the declared response schema would have produced."""

from __future__ import annotations

import json
import re

from lapor.api.api import api as ninja_api
from lapor.reports import services as s
from lapor.reports.schemas import PublicReportPageOut, ReportOut, ReportPageOut


def _validated(schema, body: dict) -> dict:
    """What ninja sends for ``body`` when it validates it against ``schema``. Compared as sent, but
    for one thing: the JSON encoder writes a time whose microseconds are 0 without a fraction and
    every other one with milliseconds, so a time sent as "…:34.000Z" (e.g. 34.000412 s) comes back
    from a round trip as "…:34Z"; both sides write ".000" the same way here."""
    dumped = schema.model_validate(body).model_dump()
    return _same_millis(json.loads(ninja_api.renderer.render(None, dumped, response_status=200)))


def _same_millis(body: dict) -> dict:
    return json.loads(re.sub(r'(T\d\d:\d\d:\d\d)\.000(Z|[+-]\d\d:\d\d)"', r'\1\2"', json.dumps(body)))


def _reports(net):
    platform = s.Actor(user=net.user("platform"))
    made = []
    for i, anonymous in enumerate((False, True, False)):
        report, secret = s.report_submit(
            submission=s.Submission(
                title=f"Jalan berlubang {i}",
                body="Hubungi 0812-3456-7890, NIK 3578012345670001. Saya Rahmat Hidayat.",
                is_anonymous=anonymous,
                guest_name="Rahmat Hidayat",
                guest_phone="081234567890",
                latitude=-0.46,
                longitude=100.4,
                region_code="13.74.02",
            )
        )
        if i < 2:
            s.report_route(report=report, actor=platform, agency=net.dept)
        made.append((report, secret))
    return made


def test_staff_list_is_what_the_schema_declares(net, api):
    _reports(net)
    response = api.get("/api/reports", {"limit": 20}, user=net.user("platform"))
    body = response.json()
    assert response.status_code == 200 and len(body["items"]) == 3
    assert _same_millis(body) == _validated(ReportPageOut, body)
    assert all(set(item) == set(ReportOut.model_fields) for item in body["items"])


def test_public_list_is_what_the_schema_declares(net, api):
    _reports(net)
    body = api.get("/api/public/reports", {"q": "jalan"}).json()
    assert len(body["items"]) == 2 and _same_millis(body) == _validated(PublicReportPageOut, body)
    assert "3456" not in json.dumps(body)


def test_tracking_is_what_the_schema_declares(net, api):
    (report, secret), *_ = _reports(net)
    response = api.get(f"/api/reports/{report.tracking_id}", secret=secret)
    body = response.json()
    assert response.status_code == 200 and body["tracking_id"] == report.tracking_id
    assert _same_millis(body) == _validated(ReportOut, body)
    assert body["latitude"] == -0.46 and body["reporter"]["contact"] == "+6281234567890"
