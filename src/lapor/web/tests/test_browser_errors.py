"""In a real browser on a 360 px phone, in Indonesian and English: error pages are pages of the site,
and a failed submission says it was not sent and keeps every field and the chosen photo, which is
attached when the citizen sends again."""

from __future__ import annotations

import pytest

from lapor.reports.models import Attachment, Report

from .browser import PHONE, axe_violations, browser  # noqa: F401  (browser is a fixture)
from .helpers import png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TEXT = {
    "id": {
        "404": "Halaman tidak ditemukan",
        "not_sent": "Laporan Anda BELUM terkirim",
        "menu": "Buat laporan",
        "kept": "Lampiran yang sudah Anda pilih",
    },
    "en": {
        "404": "Page not found",
        "not_sent": "Your report was NOT sent",
        "menu": "File a report",
        "kept": "Files you already chose",
    },
}


@pytest.fixture
def tnet(transactional_db):
    from lapor.accounts import testing

    return testing.network_make()


def _phone(browser, base: str, lang: str):
    context = browser.new_context(viewport=PHONE)
    context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    return context, context.new_page()


def _fits_the_phone(page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator("nav.nav").is_visible()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_404_page_on_a_phone(browser, live_server, tnet, lang):
    context, page = _phone(browser, live_server.url, lang)
    res = page.goto(f"{live_server.url}/tidak-ada-di-sini/")
    assert res.status == 404
    assert page.locator("h1").inner_text() == TEXT[lang]["404"]
    assert page.locator("html").get_attribute("lang") == lang
    assert TEXT[lang]["menu"] in page.locator("nav.nav").inner_text()
    _fits_the_phone(page)
    assert not axe_violations(page)
    context.close()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_failed_submission_keeps_fields_and_photo_on_a_phone(browser, live_server, tnet, lang, tmp_path):
    photo = tmp_path / "lubang.png"
    photo.write_bytes(png_bytes())
    context, page = _phone(browser, live_server.url, lang)
    page.goto(f"{live_server.url}/lapor/")
    page.fill("#id_body", "Lubang besar di depan pasar, sudah tiga motor jatuh.")
    page.fill("#id_address", "Depan Pasar Raya")
    page.fill("#id_guest_email", "warga@contoh.example")
    page.set_input_files("#id_attachments", str(photo))
    page.click("#report-form button.primary")  # no title: the form comes back
    page.wait_for_selector("#not-sent")  # with a file chosen the form is sent by XHR (upload progress)
    alert = page.locator("#not-sent")
    assert alert.is_visible() and TEXT[lang]["not_sent"] in alert.inner_text()
    assert page.input_value("#id_body") == "Lubang besar di depan pasar, sudah tiga motor jatuh."
    assert page.input_value("#id_address") == "Depan Pasar Raya"
    assert page.input_value("#id_guest_email") == "warga@contoh.example"
    kept = page.locator("[data-kept]")
    assert kept.is_visible() and TEXT[lang]["kept"] in kept.inner_text() and "lubang.png" in kept.inner_text()
    assert page.locator("[data-kept] input[type=checkbox]").is_checked()
    _fits_the_phone(page)
    assert Report.objects.count() == 0
    page.fill("#id_title", "Lubang di depan pasar")
    page.click("#report-form button.primary")
    page.wait_for_url("**/lapor/terkirim/**")
    report = Report.objects.get()
    assert list(Attachment.objects.filter(report=report).values_list("original_name", flat=True)) == ["lubang.png"]
    context.close()
