"""The reporter's reply with a photo in a real browser: a 360 px phone, both languages, with and
without JavaScript (Debian's chromium through Playwright; skipped with a clear message when it is
missing). The photo is in the timeline afterwards, under the reply; a refused file says why and the
typed text is still there."""

from __future__ import annotations

import pytest
from PIL import Image

from lapor.reports import services
from lapor.reports.models import Attachment, Report

from .browser import PHONE, axe_violations, browser  # noqa: F401  (browser is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def tnet(transactional_db):
    from lapor.accounts import testing

    return testing.network_make()


def _answered(tnet) -> tuple[Report, str]:
    report, secret = services.report_submit(
        submission=services.Submission(
            title="Lampu jalan mati di Jalan Sudirman", body="Sudah dua minggu.", guest_email="warga@example.com"
        )
    )
    services.report_route(report=report, actor=services.Actor(user=tnet.user("platform")), agency=tnet.dept)
    services.report_follow_up(
        report=Report.objects.get(pk=report.pk), actor=services.Actor(user=tnet.user("liaison")), body="Sudah diganti."
    )
    return Report.objects.get(pk=report.pk), secret


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_reporter_attaches_a_photo_to_the_reply_and_sees_it_in_the_timeline(
    browser, live_server, tnet, tmp_path, lang, js
):
    base = live_server.url
    report, secret = _answered(tnet)
    photo = tmp_path / "lampu.jpg"
    Image.new("RGB", (64, 48), (120, 90, 60)).save(photo, format="JPEG")
    bad = tmp_path / "catatan.jpg"
    bad.write_bytes(b"MZ\x90\x00 not a photo at all")
    context = browser.new_context(viewport=PHONE, java_script_enabled=js)
    if lang != "id":
        context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    page = context.new_page()
    page.goto(f"{base}/lacak/{report.tracking_id}/k/{secret}/")
    form = page.locator("[data-testid=reply-form]")
    limits = form.locator("#reply-attach-limits").inner_text()
    assert ("5 berkas" in limits) if lang == "id" else ("5 files" in limits)
    typed = "Lampunya masih mati." if lang == "id" else "The lamp is still off."

    # A file the server refuses: said in the reader's language, the text still there.
    form.locator("textarea[name=body]").fill(typed)
    form.locator("input[name=attachments]").set_input_files(str(bad))
    form.locator("button[data-send]").click()
    page.wait_for_selector("[data-testid=reply-form] .error, [data-testid=reply-form] [data-file-error]:not([hidden])")
    text = page.locator("[data-testid=reply-form]").inner_text()
    refused = "Jenis berkas tidak diizinkan" if lang == "id" else "File type not allowed"
    assert refused in text, text
    assert page.locator("[data-testid=reply-form] textarea[name=body]").input_value() == typed
    assert not Attachment.objects.filter(report=report).exists()

    # The photo goes with the reply and shows in the timeline.
    form = page.locator("[data-testid=reply-form]")
    form.locator("input[name=attachments]").set_input_files(str(photo))
    form.locator("button[data-send]").click()
    page.wait_for_selector("ol.timeline a:has-text('lampu.jpg')")
    att = Attachment.objects.get(report=report, message__kind="reply")
    link = page.locator("ol.timeline a", has_text="lampu.jpg")
    assert link.get_attribute("href") == f"/lacak/{report.tracking_id}/lampiran/{att.pk}/"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scroll
    if js:
        assert axe_violations(page) == []
    context.close()
