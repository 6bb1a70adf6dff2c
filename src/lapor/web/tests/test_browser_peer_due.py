"""A report forwarded to a peer deployment shows, in a real browser, by when the peer must answer:
the reporter's tracking page and their own list say who handles it and by when (in Indonesian and
English), and the origin's staff see it on the report and, once it passes, in the "late" tab."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from lapor.partners.models import FederationLink, Peer
from lapor.partners.signing import signed_headers
from lapor.reports import services
from lapor.reports.models import Report

from .browser import DESKTOP, browser, sign_in  # noqa: F401  (browser is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SECRET = "rahasia-bersama-provinsi"


@pytest.fixture
def tnet(transactional_db):
    from lapor.accounts import testing

    return testing.network_make()


def _held_by_peer(tnet) -> Report:
    """The reporter's report, routed to the city and handed to the province's deployment."""
    sub = services.Submission(
        title="Jalan provinsi amblas", body="Jalan provinsi di km 12 amblas sejak hujan deras.", region_code="13.74.02"
    )
    report, _secret = services.report_submit(submission=sub, reporter=tnet.user("reporter"))
    services.report_route(report=report, actor=services.Actor(user=tnet.user("platform")), agency=tnet.city)
    services.report_clock_hold(report=report, actor=services.Actor.system(), reason="Ditangani LAPOR Sumatera Barat")
    peer = Peer.objects.create(
        name="LAPOR Sumatera Barat",
        slug="sumbar",
        base_url="http://sumbar.test",
        secret=SECRET,
        direction=Peer.Direction.OUTBOUND,
    )
    FederationLink.objects.create(report=report, peer=peer, direction="outbound")
    return report


def _peer_tells(report: Report, sequence: int, due: dt.datetime) -> None:
    """The province's signed status, as its outbox sends it, through the city's real door."""
    body = json.dumps(
        {
            "type": "report.status",
            "origin": "sumbar",
            "tracking_id": report.tracking_id,
            "remote_tracking_id": "SMBR-0001",
            "sequence": sequence,
            "status": {"state": "in_progress", "agency": "Dinas PUPR Provinsi", "due_at": due.isoformat()},
        }
    ).encode()
    headers = signed_headers(SECRET, body, str(uuid.uuid4()), 1_700_000_000)
    res = Client().post("/federation/status", data=body, content_type="application/json", headers=headers)
    assert res.status_code == 202, res.content


def test_the_peers_deadline_shows_to_the_reporter_and_the_staff(browser, live_server, tnet):
    base = live_server.url
    report = _held_by_peer(tnet)
    due = timezone.make_aware(dt.datetime(2030, 1, 15, 16, 59, 59))
    _peer_tells(report, 5, due)

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, base, tnet.user("reporter").email)
    page.goto(f"{base}/lacak/{report.tracking_id}/")
    deadline = page.get_by_test_id("deadline")
    assert deadline.inner_text() == "Ditangani LAPOR Sumatera Barat, paling lambat 15 Januari 2030."
    page.goto(f"{base}/saya/")
    assert (
        page.get_by_test_id("peer-due").inner_text() == "ditangani LAPOR Sumatera Barat, paling lambat 15 Januari 2030"
    )
    page.goto(f"{base}/lacak/{report.tracking_id}/")
    with page.expect_navigation():
        page.select_option("#lang-select", "en")  # the switcher submits itself
    assert page.get_by_test_id("deadline").inner_text() == "Handled by LAPOR Sumatera Barat, due 15 January 2030."
    context.close()

    # The province lets it pass: the city's staff see it late on the report and in the late tab.
    past = (timezone.now() - dt.timedelta(days=4)).replace(microsecond=0)
    _peer_tells(report, 6, past)
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, base, tnet.user("city_admin").email)
    page.goto(f"{base}/petugas/laporan/{report.tracking_id}/")
    shown = page.get_by_test_id("peer-due")
    assert shown.inner_text().startswith("ditangani LAPOR Sumatera Barat, terlambat sejak")
    assert "late" in (shown.get_attribute("class") or "")
    page.goto(f"{base}/petugas/?tab=overdue")
    assert report.tracking_id in page.content()
    report.refresh_from_db()
    assert not report.is_overdue and report.due_at is None  # listed late; our own clock untouched
    context.close()
