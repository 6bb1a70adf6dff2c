"""Staff pages on the wire (issue 20): every staff page at most 25 KB of compressed HTML, the agency
report card at most 60 KB even over the whole network (~700 graded agencies). Figures printed for
docs/web.md ("Page weight")."""

from __future__ import annotations

import datetime as dt
import gzip
import random

import pytest
from django.test import Client
from django.utils import timezone

from lapor.agencies.models import Agency
from lapor.analytics.models import RollupRun, StatCell
from lapor.accounts.testing import agency_make
from lapor.reports import services

STAFF_BUDGET = 25 * 1024
REPORT_CARD_BUDGET = 60 * 1024
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
AGENCIES = 700  # 38 provinces, 514 regencies and cities, ministries, agencies: the network's size


def _wire(client: Client, url: str) -> tuple[int, int]:
    res = client.get(url, **GZIP)
    assert res.status_code == 200, url
    body = b"".join(res.streaming_content) if res.streaming else res.content
    assert res.get("Content-Encoding") == "gzip", url
    return len(body), len(gzip.decompress(body))


def _network_graded(net) -> None:
    """Roll-up cells for a whole network of agencies, as a refresh would leave them."""
    rng = random.Random(3)
    agencies = [agency_make(f"Pemerintah Kabupaten Contoh Nomor {i}", Agency.Kind.REGENCY) for i in range(AGENCIES)]
    month = dt.date(2025, 6, 1)
    cells = []
    for a in agencies:
        received = rng.randint(5, 400)
        done = rng.randint(0, received)
        in_time = rng.randint(0, done)
        scope = f"a:{a.pk}"
        cells += [
            StatCell(scope=scope, month=month, dim="received", key="", n=received),
            StatCell(scope=scope, month=month, dim="state", key="done", n=done),
            StatCell(scope=scope, month=month, dim="in_time", key="1", n=in_time),
            StatCell(scope=scope, month=month, dim="in_time", key="0", n=done - in_time),
            StatCell(scope=scope, month=month, dim="rating", key=str(rng.randint(1, 5)), n=rng.randint(1, 30)),
            StatCell(scope=scope, month=month, dim="overdue", key="", n=rng.randint(0, 40)),
        ]
    StatCell.objects.bulk_create(cells)
    now = timezone.now()
    RollupRun.objects.create(started_at=now, finished_at=now, full=True, months=1, reports=0)


@pytest.fixture
def busy(net):
    platform = services.Actor(user=net.user("platform"))
    for i in range(60):  # a full inbox page and a report with its history
        sub = services.Submission(
            title=f"Jalan berlubang di depan pasar nomor {i}",
            body="Lubang besar di jalan. " * 20,
            guest_name="Rina Wulandari",
            guest_email=f"rina{i}@warga.example",
            region_code="13.74.02.1001",
            topic_id=net.roads.pk,
        )
        report, _secret = services.report_submit(submission=sub)
        if report.state == "submitted" and i % 2:
            services.report_route(report=report, actor=platform, agency=net.dept)
    return report


def test_staff_pages_within_25_kb_and_the_report_card_within_60_kb(net, busy, settings):
    settings.LAPOR_ANALYTICS_GRADES = {"min_reports": 1}
    _network_graded(net)
    client = Client()
    client.force_login(net.user("platform"))
    pages = {
        "inbox (all)": "/petugas/?tab=all",
        "inbox (verify)": "/petugas/?tab=verify",
        "staff report page": f"/petugas/laporan/{busy.tracking_id}/",
        "counter entry": "/petugas/loket/",
        "dashboard": "/analytics/?from=2025-01&to=2025-12",
        "action plans": "/analytics/rencana-aksi",
        "drill-down": "/analytics/laporan?scope=n&from=2025-01&to=2026-12&dim=received",
    }
    lines = []
    for name, url in pages.items():
        wire, plain = _wire(client, url)
        lines.append(f"{name}: {wire} B gzip ({plain} B)")
        assert wire <= STAFF_BUDGET, (name, wire)
    for name, url in {
        "report card": "/analytics/peringkat?from=2025-01&to=2025-12",
        "report card, worst first": "/analytics/peringkat?from=2025-01&to=2025-12&sort=-grade",
    }.items():
        wire, plain = _wire(client, url)
        lines.append(f"{name}: {wire} B gzip ({plain} B) of {AGENCIES} agencies")
        assert wire <= REPORT_CARD_BUDGET, (name, wire)
    print("\n" + "\n".join(lines))
