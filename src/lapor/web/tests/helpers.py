"""Small helpers for the page tests."""

from __future__ import annotations

import io
import re

from PIL import Image

from lapor.reports import services
from lapor.reports.models import Report


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def guest_submit(client, **fields):
    data = {
        "type": "complaint",
        "title": "Jalan berlubang di depan pasar",
        "body": "Lubang besar membahayakan pengendara motor.",
        "guest_email": "warga@example.com",
    }
    data.update(fields)
    return client.post("/lapor/", data)


def report_make(net, *, user=None, **overrides) -> tuple[Report, str]:
    sub = services.Submission(
        title=overrides.pop("title", "Lampu jalan mati"),
        body=overrides.pop("body", "Sudah dua minggu lampu jalan mati."),
        guest_email="" if user else "tamu@example.com",
        **overrides,
    )
    return services.report_submit(submission=sub, reporter=user)


def routed_to_dept(net, **overrides) -> tuple[Report, str]:
    report, secret = report_make(net, **overrides)
    services.report_route(report=report, actor=services.Actor(user=net.user("platform")), agency=net.dept)
    report.refresh_from_db()
    return report, secret


def private_path(html: str) -> str:
    match = re.search(r'href="https?://[^/"]+(/lacak/[^"]+/k/[^"]+/)"', html)
    assert match, "no private link on the page"
    return match.group(1)
