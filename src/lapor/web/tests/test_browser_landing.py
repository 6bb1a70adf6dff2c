"""A form that comes back unsent opens where the reason is, and says at the top that nothing
happened (a 360 px walk-through found both answers and reopen requests "lost" 2000 px below the fold)."""

from __future__ import annotations

import pytest

from lapor.reports import services
from lapor.reports.models import Report

from .browser import PHONE, browser, open_action, sign_in  # noqa: F401  (browser is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def tnet(transactional_db):
    from lapor.accounts import testing

    return testing.network_make()


def _routed(tnet) -> tuple[Report, str]:
    sub = services.Submission(
        title="Lampu jalan mati di Jalan Sudirman",
        body="Sudah dua minggu lampu jalan mati di depan sekolah.",
        guest_name="Rina Wulandari",
        guest_email="rina@warga.example",
    )
    report, secret = services.report_submit(submission=sub)
    services.report_route(report=report, actor=services.Actor(user=tnet.user("platform")), agency=tnet.dept)
    report.refresh_from_db()
    return report, secret


def _in_view(page, selector: str) -> bool:
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                     return r.top >= 0 && r.top < window.innerHeight; }""",
        selector,
    )


def test_a_flagged_answer_opens_on_the_warning_and_says_it_was_not_sent(browser, live_server, tnet):
    report, _ = _routed(tnet)
    page = browser.new_context(viewport=PHONE).new_page()
    sign_in(page, live_server.url, tnet.user("liaison").email)
    page.goto(f"{live_server.url}/petugas/laporan/{report.tracking_id}/")
    open_action(page, "follow_up")
    page.fill("#id_follow_up-body", "Sudah ditangani.")
    page.click("form[data-action=follow_up] button[type=submit]")
    page.wait_for_load_state()
    assert page.evaluate("window.scrollY") > 0  # not the top of the page
    assert _in_view(page, "#answer-review")
    assert page.evaluate("document.activeElement.id") == "answer-review"
    notice = page.locator("[data-testid=not-done]")
    assert "Jawaban belum dikirim." in notice.inner_text()
    assert notice.locator("a[href='#answer-review']").count() == 1
    page.context.close()


def test_an_empty_reopen_comment_opens_on_the_form_and_says_it_was_not_reopened(browser, live_server, tnet):
    report, secret = _routed(tnet)
    services.report_follow_up(
        report=report, actor=services.Actor(user=tnet.user("liaison")), body="Lampu sudah diganti pagi ini."
    )
    services.report_complete(report=report, actor=services.Actor(is_reporter=True))
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(f"{live_server.url}/lacak/{report.tracking_id}/k/{secret}/")
    page.check("#id_satisfied_1")  # "Tidak puas — buka kembali laporan"
    page.check("#id_rating_0")
    page.click("#rate button[type=submit]")
    page.wait_for_load_state()
    assert page.evaluate("window.scrollY") > 0
    assert page.evaluate("document.activeElement.id") == "rate"
    assert _in_view(page, "#rate .has-error")  # "Komentar wajib diisi" is on screen
    notice = page.locator("[data-testid=not-done]")
    assert "Laporan BELUM dibuka kembali." in notice.inner_text()
    assert notice.locator("a[href='#id_comment']").count() == 1
    report.refresh_from_db()
    assert report.state == "done" and report.reopen_count == 0
    page.context.close()
