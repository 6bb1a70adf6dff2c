"""What a user review found on the pages, each kept fixed in a real browser: personal data on the
public track page, feedback after an action, the guest's e-mail, the reporter's privacy switches,
the statistics pages on a 360 px phone and the staff's way to the dashboard."""

from __future__ import annotations

import pytest

from lapor.reports import services
from lapor.reports.models import Report

from .browser import DESKTOP, PHONE, browser, open_action, sign_in  # noqa: F401  (browser is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE_NO, NIK, EMAIL = "081298765432", "1374021203900001", "rina.pribadi@warga.example"


@pytest.fixture
def tnet(transactional_db):
    from lapor.accounts import testing

    return testing.network_make()


def _routed(tnet, **fields) -> tuple[Report, str]:
    fields = {"title": "Lampu jalan mati di Jalan Sudirman", "body": "Sudah dua minggu lampu jalan mati.", **fields}
    sub = services.Submission(guest_name="Rina Wulandari", guest_email="rina@warga.example", **fields)
    report, secret = services.report_submit(submission=sub)
    services.report_route(report=report, actor=services.Actor(user=tnet.user("platform")), agency=tnet.dept)
    report.refresh_from_db()
    return report, secret


def test_public_track_page_masks_personal_data_in_the_conversation(browser, live_server, tnet):
    """The report's own text is masked for the public; the answers and replies under it were not."""
    base = live_server.url
    report, secret = _routed(tnet)
    services.report_reply(
        report=report,
        actor=services.Actor(is_reporter=True),
        body=f"Hubungi saya di {PHONE_NO} atau {EMAIL}, NIK {NIK}.",
    )
    services.report_follow_up(
        report=report,
        actor=services.Actor(user=tnet.user("liaison")),
        body=f"Kami sudah menelepon Ibu di {PHONE_NO}; lampu diganti besok.",
    )
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{base}/lacak/{report.tracking_id}/")  # anyone: the report is verified and not confidential
    html = page.content()
    assert "lampu diganti besok" in html
    assert PHONE_NO not in html and NIK not in html and EMAIL not in html
    assert "[telepon disamarkan]" in html and "[NIK disamarkan]" in html and "[email disamarkan]" in html
    context.close()
    # The reporter still reads the conversation as written.
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{base}/lacak/{report.tracking_id}/k/{secret}/")
    html = page.content()
    assert PHONE_NO in html and NIK in html and EMAIL in html
    context.close()


def _status_text(page) -> str:
    return " ".join(page.locator("main [role=status]").all_inner_texts())


def test_every_action_says_what_it_did(browser, live_server, tnet):
    base = live_server.url
    report, secret = _routed(tnet)
    tid = report.tracking_id

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, base, tnet.user("liaison").email)
    page.goto(f"{base}/petugas/laporan/{tid}/")
    open_action(page, "note")
    page.fill("#id_note-body", "Cek ke lapangan besok pagi.")
    page.click("form[data-action=note] button[type=submit]")
    page.wait_for_load_state()
    assert "Catatan internal tersimpan." in _status_text(page)
    open_action(page, "follow_up")
    page.fill("#id_follow_up-body", "Lampu sudah kami ganti pagi ini.")
    page.click("form[data-action=follow_up] button[type=submit]")
    page.wait_for_load_state()
    # a short answer comes back with the checker's reasons; the liaison may still send it
    assert page.locator("#answer-review [data-flag=short]").is_visible()
    assert page.input_value("#id_follow_up-body") == "Lampu sudah kami ganti pagi ini."
    page.click("form[data-action=follow_up] button[name=send_anyway]")
    page.wait_for_load_state()
    assert "Tindak lanjut terkirim kepada pelapor." in _status_text(page)
    # A report sent back says where it went.
    other, _ = _routed(tnet, title="Drainase tersumbat")
    page.goto(f"{base}/petugas/laporan/{other.tracking_id}/")
    open_action(page, "not_authority")
    page.fill("#id_not_authority-reason", "Drainase wewenang Dinas Lingkungan Hidup.")
    page.click("form[data-action=not_authority] button[type=submit]")
    page.wait_for_load_state()
    assert f"Laporan {other.tracking_id} dikembalikan ke Admin Nasional" in _status_text(page)
    context.close()

    phone = browser.new_context(viewport=PHONE)
    guest = phone.new_page()
    guest.goto(f"{base}/lacak/{tid}/k/{secret}/")
    guest.fill("#reply textarea", "Terima kasih, sudah menyala.")
    guest.click("#reply button[type=submit]")
    guest.wait_for_load_state()
    assert "Tanggapan Anda terkirim." in _status_text(guest)
    phone.close()


def test_guest_email_is_checked_and_the_form_keeps_what_was_typed(browser, live_server, tnet):
    base = live_server.url
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{base}/lapor/")
    page.fill("#id_title", "Jalan berlubang di depan pasar")
    page.fill("#id_body", "Lubang besar membahayakan pengendara motor.")
    page.check("#id_is_anonymous")
    page.fill("#id_guest_email", "bukan-email")
    page.click("form#report-form button.primary")
    page.wait_for_load_state()
    assert Report.objects.count() == 0
    error = page.locator("#id_guest_email").locator("xpath=ancestor::*[contains(@class,'field')][1]")
    assert "e-mail tidak valid" in error.inner_text()
    assert page.input_value("#id_title") == "Jalan berlubang di depan pasar"
    assert page.is_checked("#id_is_anonymous") and page.input_value("#id_guest_email") == "bukan-email"
    context.close()


def test_reporter_sees_both_privacy_switches_of_the_report(browser, live_server, tnet):
    base = live_server.url
    sub = services.Submission(
        title="Pungutan liar di kantor kelurahan",
        body="Diminta uang untuk surat pengantar.",
        guest_email="warga@example.com",
        is_confidential=True,
    )
    report, secret = services.report_submit(submission=sub)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{base}/lacak/{report.tracking_id}/k/{secret}/")
    assert "Rahasia" in page.inner_text("dl.facts")
    context.close()


def test_statistics_fit_a_phone_and_staff_reach_the_dashboard(browser, live_server, tnet):
    base = live_server.url
    _routed(tnet)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    missing = []
    page.on("response", lambda r: r.status == 404 and missing.append(r.url))
    page.goto(f"{base}/analytics/publik")
    page.wait_for_load_state("networkidle")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the public statistics page is {width} px wide on a 360 px phone"
    assert missing == []  # e.g. /favicon.ico when the page names no icon
    sign_in(page, base, tnet.user("overseer").email)
    page.goto(f"{base}/petugas/")
    page.click("header nav a[href='/analytics/']")
    page.wait_for_load_state()
    assert page.url.endswith("/analytics/")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the dashboard is {width} px wide on a 360 px phone"
    context.close()


def test_page_content_does_not_touch_the_header(browser, live_server, tnet):
    """``.wrap``'s padding shorthand cancelled main's top padding: a page that starts with a line of
    text (the track page, a confirmation message) sat flush against the red header."""
    base = live_server.url
    report, secret = _routed(tnet)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{base}/lacak/{report.tracking_id}/k/{secret}/")
    gap = page.evaluate(
        "() => document.querySelector('main').firstElementChild.getBoundingClientRect().top"
        " - document.querySelector('header.top').getBoundingClientRect().bottom"
    )
    assert gap >= 12, f"the first line of the page is {gap} px below the header"
    context.close()
