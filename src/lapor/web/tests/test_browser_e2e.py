"""End to end in a real browser: a guest's report travels through the network and back.

Runs on pytest-django's live server (transactional database) and Debian's chromium; skipped
with a clear message when chromium is missing."""

from __future__ import annotations

import re

import pytest
from PIL import Image

from lapor.reports.models import Report

from .browser import DESKTOP, PHONE, browser, open_action, sign_in  # noqa: F401  (browser is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def tnet(transactional_db):
    from lapor.accounts import testing

    return testing.network_make()


def _photo(tmp_path):
    path = tmp_path / "jalan.jpg"
    Image.new("RGB", (64, 48), (120, 90, 60)).save(path, format="JPEG")
    return path


def _staff_page(browser, base, email):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, base, email)
    return context, page


def test_guest_report_is_routed_disposed_answered_replied_and_rated(browser, live_server, tnet, tmp_path):
    base = live_server.url
    phone = browser.new_context(viewport=PHONE, locale="id-ID")
    guest = phone.new_page()

    # 1. A guest on a 360 px phone files an anonymous report with a photo.
    guest.goto(f"{base}/lapor/")
    guest.check("#id_type_0")
    guest.fill("#id_title", "Jalan berlubang di depan pasar")
    guest.fill("#id_body", "Lubang besar di depan pasar membahayakan pengendara motor.")
    guest.select_option("#id_province", "13")
    guest.wait_for_selector("#id_regency option[value='13.74']", state="attached")
    guest.select_option("#id_regency", "13.74")
    guest.wait_for_selector("#id_district option[value='13.74.02']", state="attached")
    guest.select_option("#id_district", "13.74.02")
    guest.set_input_files("#id_attachments", str(_photo(tmp_path)))
    guest.check("#id_is_anonymous")
    guest.fill("#id_guest_name", "Siti Aminah")
    guest.fill("#id_guest_email", "siti@warga.example")
    guest.click("form#report-form button.primary")
    guest.wait_for_selector("[data-testid=tracking-id]")
    tid = guest.inner_text("[data-testid=tracking-id]").strip()
    private = guest.get_attribute("[data-testid=private-link]", "href")
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", tid) and "/k/" in private
    report = Report.objects.get(tracking_id=tid)
    assert report.is_anonymous and report.region_id == "13.74.02" and report.attachments.count() == 1
    phone.close()

    # 2. The platform admin routes it with the searchable agency picker.
    ctx, page = _staff_page(browser, base, tnet.user("platform").email)
    page.goto(f"{base}/petugas/laporan/{tid}/")
    open_action(page, "route")
    page.fill("#id_route-agency_q", "PUPR")
    page.wait_for_selector(f"#id_route-agency option[value='{tnet.dept.pk}']", state="attached")
    page.select_option("#id_route-agency", str(tnet.dept.pk))
    page.click("form[data-action=route] button[name=go]")
    page.wait_for_load_state()
    assert Report.objects.get(pk=report.pk).agency_id == tnet.dept.pk
    ctx.close()

    # 3. The agency admin disposes it to a unit.
    ctx, page = _staff_page(browser, base, tnet.user("dept_admin").email)
    page.goto(f"{base}/petugas/laporan/{tid}/")
    open_action(page, "dispose")
    page.select_option("#id_dispose-unit", str(tnet.unit.pk))
    page.click("form[data-action=dispose] button[type=submit]")
    page.wait_for_load_state()
    assert Report.objects.get(pk=report.pk).agency_id == tnet.unit.pk
    ctx.close()

    # 4. The liaison posts a follow-up and never sees the reporter's name.
    ctx, page = _staff_page(browser, base, tnet.user("liaison").email)
    page.goto(f"{base}/petugas/laporan/{tid}/")
    html = page.content()
    assert "Siti" not in html and "siti@warga.example" not in html and "Anonim" in html
    open_action(page, "follow_up")
    page.fill(
        "#id_follow_up-body",
        "Lubang di depan pasar sudah ditambal pagi ini dengan aspal panas, dan rambu peringatan dipasang sampai aspal kering besok.",
    )
    page.click("form[data-action=follow_up] button[type=submit]")
    page.wait_for_load_state()
    assert Report.objects.get(pk=report.pk).state == "followed_up"

    # 5. The guest opens the private link on the phone, reads the answer and replies.
    phone = browser.new_context(viewport=PHONE)
    guest = phone.new_page()
    guest.goto(private)
    assert (
        "Lubang di depan pasar sudah ditambal pagi ini dengan aspal panas, dan rambu peringatan dipasang sampai aspal kering besok."
        in guest.content()
    )
    assert "paling lambat" in guest.inner_text("[data-testid=deadline]")
    guest.fill("#reply textarea", "Terima kasih, tapi sisi kiri masih berlubang.")
    guest.click("#reply button[type=submit]")
    guest.wait_for_load_state()
    assert Report.objects.get(pk=report.pk).state == "in_progress"

    # The liaison answers again; the guest accepts and rates it.
    page.goto(f"{base}/petugas/laporan/{tid}/")
    open_action(page, "follow_up")
    page.fill(
        "#id_follow_up-body",
        "Lubang di sisi kiri jalan juga sudah ditambal siang ini, sehingga seluruh lubang di depan pasar kini tertutup rata.",
    )
    page.click("form[data-action=follow_up] button[type=submit]")
    page.wait_for_load_state()
    ctx.close()
    guest.reload()
    guest.click("form[action$='/selesai/'] button")
    guest.wait_for_selector("#rate")
    guest.check("#rate input[name=satisfied][value=yes]")
    guest.check("#rate input[name=rating][value='5']")
    guest.click("#rate button[type=submit]")
    guest.wait_for_load_state()
    done = Report.objects.get(pk=report.pk)
    assert done.state == "done" and done.rating == 5
    phone.close()

    # 6. Staff of another agency cannot open it.
    ctx, page = _staff_page(browser, base, tnet.user("other_admin").email)
    response = page.goto(f"{base}/petugas/laporan/{tid}/")
    assert response.status == 404 and "Siti" not in page.content()
    ctx.close()
