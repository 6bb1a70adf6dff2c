"""axe-core finds no serious or critical accessibility violation on the main pages; with
LAPOR_SCREENSHOTS=1 the pages are also saved as phone and desktop screenshots into docs/screenshots/."""

from __future__ import annotations

import pytest

from lapor.reports import services

from .browser import DESKTOP, PHONE, axe_violations, browser, screenshot, sign_in  # noqa: F401  (browser is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def tnet(transactional_db):
    from lapor.accounts import testing

    return testing.network_make()


def _report(tnet):
    sub = services.Submission(
        title="Lampu jalan mati di Jalan Sudirman",
        body="Sudah dua minggu lampu jalan mati, rawan kecelakaan malam hari.",
        topic_id=tnet.roads.pk,
        region_code="13.74.02.1001",
        guest_email="warga@example.com",
        is_anonymous=True,
    )
    report, secret = services.report_submit(submission=sub)  # the routing rule sends it to Dinas PUPR
    services.report_follow_up(
        report=report,
        actor=services.Actor(user=tnet.user("liaison")),
        body="Petugas kami memperbaiki lampu besok pagi.",
    )
    services.report_submit(
        submission=services.Submission(
            title="Antrean puskesmas terlalu lama", body="Menunggu tiga jam untuk berobat.", guest_phone="081234567890"
        )
    )
    return report, secret


def test_main_pages_have_no_serious_axe_violations(browser, live_server, tnet):
    base = live_server.url
    report, secret = _report(tnet)
    pages = {
        "home": "/",
        "submit": "/lapor/",
        "track": f"/lacak/{report.tracking_id}/k/{secret}/",
        "public-list": "/laporan/",
    }
    staff_pages = {"inbox": "/petugas/", "report-detail": f"/petugas/laporan/{report.tracking_id}/"}
    problems = {}
    for viewport_name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        for name, path in pages.items():
            page.goto(base + path)
            if viewport_name == "phone":
                problems[name] = axe_violations(page)
            screenshot(page, f"{name}-{viewport_name}")
        sign_in(page, base, tnet.user("dept_admin").email)
        for name, path in staff_pages.items():
            page.goto(base + path)
            if viewport_name == "phone":
                problems[name] = axe_violations(page)
            screenshot(page, f"{name}-{viewport_name}")
        context.close()
    assert {name: found for name, found in problems.items() if found} == {}
