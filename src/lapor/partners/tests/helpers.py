"""Test helpers for partners, Open311 and federation."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from lapor.accounts.testing import submission_data, token_make
from lapor.reports import services
from lapor.reports.services import Actor


def report_make(net, *, routed: bool = True, **overrides):
    """A report filed by the test reporter (routed to the city unless told otherwise)."""
    data = submission_data(**overrides)
    report, _secret = services.report_submit(submission=services.Submission(**data), reporter=net.user("reporter"))
    if routed and report.state == "submitted":
        services.report_route(report=report, actor=Actor(user=net.user("platform")), agency=net.city)
    report.refresh_from_db()
    return report


def xml_items(content: bytes, item: str) -> list[dict]:
    root = ET.fromstring(content)
    return [{child.tag: (child.text or "") for child in element} for element in root.iter(item)]


__all__ = ["report_make", "xml_items", "token_make"]
