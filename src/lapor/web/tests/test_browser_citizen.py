"""The citizens' part of issue #20 in a real browser: a 360 px phone, both languages, JavaScript on
and off (Debian's chromium through Playwright; skipped with a clear message when it is missing)."""

from __future__ import annotations

import threading

import pytest
from PIL import Image

from lapor.reports import services
from lapor.reports.models import Report
from lapor.web.models import Support

from .browser import PHONE, axe_violations, browser, sign_in  # noqa: F401  (browser is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LANGS = ("id", "en")


@pytest.fixture
def tnet(transactional_db):
    from lapor.accounts import testing

    return testing.network_make()


def _phone(browser, base, lang: str, *, js: bool = True):
    context = browser.new_context(viewport=PHONE, java_script_enabled=js)
    if lang != "id":
        context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    return context, context.new_page()


def _photo(tmp_path, name="jalan.jpg"):
    path = tmp_path / name
    Image.new("RGB", (64, 48), (120, 90, 60)).save(path, format="JPEG")
    return path


def _answered(tnet):
    """Routed by the platform, disposed by PUPR to Bina Marga, answered by the unit."""
    report, secret = services.report_submit(
        submission=services.Submission(
            title="Lampu jalan mati di Jalan Sudirman",
            body="Sudah dua minggu lampu jalan mati.",
            guest_email="warga@example.com",
        )
    )
    services.report_route(
        report=report,
        actor=services.Actor(user=tnet.user("platform")),
        agency=tnet.dept,
        reason="Jalan kota: wewenang Dinas PUPR.",
        note="Cek laporan serupa bulan lalu.",
    )
    services.report_dispose(report=report, actor=services.Actor(user=tnet.user("dept_admin")), unit=tnet.unit)
    services.report_follow_up(
        report=Report.objects.get(pk=report.pk),
        actor=services.Actor(user=tnet.user("unit_staff")),
        body="Lampu diganti besok pagi oleh regu penerangan jalan.",
    )
    return Report.objects.get(pk=report.pk), secret


# --- 1 and 2: the timeline tells the truth; every deadline says whose it is --------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_timeline_names_who_did_each_step_and_puts_the_answer_on_top(browser, live_server, tnet, lang):
    base = live_server.url
    report, secret = _answered(tnet)
    context, page = _phone(browser, base, lang)
    page.goto(f"{base}/lacak/{report.tracking_id}/k/{secret}/")  # the reporter, through the private link
    actors = page.locator(".tl-actor").all_inner_texts()
    admin = "Admin Nasional LAPOR!" if lang == "id" else "LAPOR! National Admin"
    assert actors[1:4] == [admin, "Dinas PUPR", "Bidang Bina Marga"], actors
    assert "Cek laporan serupa" not in page.content()  # the internal note stays with staff
    answer = page.locator("[data-testid=answer]")
    assert "Lampu diganti besok pagi" in answer.inner_text()
    assert answer.bounding_box()["y"] < page.locator("ol.timeline").bounding_box()["y"]
    assert answer.bounding_box()["y"] < 700  # on the first screen of a 740 px phone, not after 1,100 px
    assert page.locator(".tl-body", has_text="Lampu diganti besok pagi").count() == 1  # the step once
    deadline = page.inner_text("[data-testid=deadline]")
    if lang == "id":
        assert "Anda (pelapor)" in deadline and "diam selama 10 hari kerja" in deadline
        assert "ditutup otomatis" in deadline
    else:
        assert "You (the reporter)" in deadline and "silent for 10 working days" in deadline
    assert axe_violations(page) == []
    context.close()


# --- 4: the submit form on a cheap phone --------------------------------------------------------


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("lang", LANGS)
def test_errors_are_summarised_on_top_and_the_chosen_file_survives(browser, live_server, tnet, tmp_path, lang, js):
    base = live_server.url
    context, page = _phone(browser, base, lang, js=js)
    page.goto(f"{base}/lapor/")
    limits = page.inner_text("[data-testid=attach-limits]")
    assert ("5 berkas" in limits and "10 MB" in limits) if lang == "id" else ("5 files" in limits and "10 MB" in limits)
    page.fill("#id_body", "Lubang besar di depan pasar membahayakan pengendara motor.")
    page.set_input_files("#id_attachments", str(_photo(tmp_path)))
    page.fill("#id_guest_email", "warga@example.com")
    page.click("form#report-form button[data-send]")
    page.wait_for_selector("[data-error-summary]")
    assert Report.objects.count() == 0
    summary = page.locator("[data-error-summary]")
    link = summary.locator("a[href='#id_title']")
    assert link.count() == 1
    if js:  # the summary takes the focus: a screen reader reads it first
        assert page.evaluate("document.activeElement && document.activeElement.id") == "not-sent"
    assert summary.bounding_box()["y"] < 400
    kept = page.locator("input[name=kept]")
    assert kept.count() == 1 and kept.is_checked() and "jalan.jpg" in page.inner_text("[data-kept]")
    assert axe_violations(page) == [] if js else True
    link.click()
    assert page.url.endswith("#id_title")
    page.fill("#id_title", "Jalan berlubang di depan pasar")
    page.click("form#report-form button[data-send]")
    page.wait_for_selector("[data-testid=tracking-id]")
    report = Report.objects.get()
    assert report.attachments.count() == 1 and report.attachments.get().original_name == "jalan.jpg"
    context.close()


def test_a_too_big_file_is_refused_before_a_byte_is_sent(browser, live_server, tnet, tmp_path):
    base = live_server.url
    big = tmp_path / "video.mp4"
    big.write_bytes(b"\0" * (10 * 1024 * 1024 + 1))
    context, page = _phone(browser, base, "id")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(f"{base}/lapor/")
    page.fill("#id_title", "Jalan berlubang")
    page.fill("#id_body", "Lubang besar.")
    page.fill("#id_guest_email", "warga@example.com")
    page.set_input_files("#id_attachments", str(big))
    error = page.locator("[data-file-error]")
    assert error.is_visible() and "video.mp4" in error.inner_text() and "10 MB" in error.inner_text()
    page.click("form#report-form button[data-send]")
    page.wait_for_timeout(300)
    assert posts == [] and Report.objects.count() == 0
    context.close()


def test_sending_shows_progress_and_a_second_tap_sends_nothing(browser, live_server, tnet, tmp_path):
    base = live_server.url
    context, page = _phone(browser, base, "id")
    release = threading.Event()
    posts = []

    def slow(route):  # a slow link: the POST waits until the test has looked at the button
        posts.append(route.request.url)
        release.wait(10)
        route.continue_()

    page.goto(f"{base}/lapor/")
    page.fill("#id_title", "Jalan berlubang")
    page.fill("#id_body", "Lubang besar di depan pasar.")
    page.fill("#id_guest_email", "warga@example.com")
    page.set_input_files("#id_attachments", str(_photo(tmp_path)))
    page.route("**/lapor/", slow)
    send = page.locator("form#report-form button[data-send]")
    send.click(no_wait_after=True)
    page.wait_for_function("document.querySelector('[data-send]').textContent.includes('Mengirim')")
    assert send.get_attribute("aria-disabled") == "true" and "busy" in send.get_attribute("class")
    # the second, impatient tap (Playwright itself refuses to click an aria-disabled button: a finger does not)
    page.evaluate("document.querySelector('form#report-form [data-send]').click()")
    release.set()
    page.wait_for_selector("[data-testid=tracking-id]")
    assert len(posts) == 1 and Report.objects.count() == 1
    context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_no_dead_location_button_and_each_region_step_returns_to_the_place(
    browser, live_server, tnet, lang
):
    base = live_server.url
    context, page = _phone(browser, base, lang, js=False)
    page.goto(f"{base}/lapor/")
    assert page.locator("[data-geolocate]").is_hidden()
    page.select_option("#id_province", "13")
    page.click("#lokasi button[name=refresh]")
    page.wait_for_selector("#id_regency option[value='13.74']", state="attached")
    assert page.url.endswith("#lokasi")
    assert page.evaluate("window.scrollY") > 300  # back at the location, not the top of the form
    context.close()


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_switching_language_keeps_the_report_form(browser, live_server, tnet, tmp_path, js):
    base = live_server.url
    context, page = _phone(browser, base, "id", js=js)
    page.goto(f"{base}/lapor/")
    page.fill("#id_title", "Jalan berlubang di depan pasar")
    page.fill("#id_body", "Lubang besar membahayakan pengendara.")
    page.set_input_files("#id_attachments", str(_photo(tmp_path)))
    if js:
        with page.expect_navigation():
            page.select_option("#lang-select", "en")
    else:
        page.click("text=Show this form in English")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"
    assert page.input_value("#id_title") == "Jalan berlubang di depan pasar"
    assert page.input_value("#id_body") == "Lubang besar membahayakan pengendara."
    assert "jalan.jpg" in page.inner_text("[data-kept]")
    assert Report.objects.count() == 0
    context.close()


# --- 5: open reports nearby before filing; Dukung -------------------------------------------------


def _open_nearby(tnet):
    report, _ = services.report_submit(
        submission=services.Submission(
            title="Jalan berlubang di depan pasar raya",
            body="Ada jalan berlubang besar di depan pasar, motor terjatuh.",
            topic_id=tnet.roads.pk,
            region_code="13.74.02",
            guest_email="lain@example.com",
        )
    )
    assert report.state == "routed"
    return report


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("lang", LANGS)
def test_a_similar_open_report_nearby_is_offered_before_filing_and_a_guest_learns_why_to_sign_in(
    browser, live_server, tnet, lang, js
):
    base = live_server.url
    existing = _open_nearby(tnet)
    context, page = _phone(browser, base, lang, js=js)
    page.goto(f"{base}/lapor/")
    page.fill("#id_title", "Jalan berlubang besar di depan pasar")
    page.fill("#id_body", "Jalan berlubang besar di depan pasar membahayakan motor.")
    page.select_option("#id_topic", str(tnet.roads.pk))
    page.select_option("#id_province", "13")
    if js:
        page.wait_for_selector("#id_regency option[value='13.74']", state="attached")
    else:
        page.click("#lokasi button[name=refresh]")
    page.select_option("#id_regency", "13.74")
    page.fill("#id_guest_email", "warga@example.com")
    page.click("form#report-form button[data-send]")
    nearby = page.wait_for_selector("[data-testid=nearby]")
    assert existing.tracking_id in nearby.inner_text() and Report.objects.count() == 1
    assert nearby.bounding_box()["y"] < 500  # the first thing seen after tapping Kirim
    if js:
        assert axe_violations(page) == []
    page.click(f"[data-testid=nearby] button[formaction*='{existing.tracking_id}']")
    page.wait_for_selector("#id_login")  # the sign-in page, saying why
    body = page.inner_text("main")
    assert (
        ("satu akun hanya dapat memberi satu dukungan" in body)
        if lang == "id"
        else ("one account can give only one support" in body)
    )
    page.fill("#id_login", tnet.user("reporter").email)
    page.fill("#id_password", "rahasia-123")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/lacak/{existing.tracking_id}/")  # back where they were
    page.click("[data-testid=support]")
    page.wait_for_load_state()
    assert Support.objects.filter(report=existing).count() == 1
    assert "(1)" in page.inner_text("[data-testid=support]")
    context.close()


def test_sending_anyway_files_the_citizens_own_report(browser, live_server, tnet):
    base = live_server.url
    _open_nearby(tnet)
    context, page = _phone(browser, base, "id")
    page.goto(f"{base}/lapor/")
    page.fill("#id_title", "Jalan berlubang besar di depan pasar")
    page.fill("#id_body", "Jalan berlubang besar di depan pasar membahayakan motor.")
    page.select_option("#id_topic", str(tnet.roads.pk))
    page.select_option("#id_province", "13")
    page.wait_for_selector("#id_regency option[value='13.74']", state="attached")
    page.select_option("#id_regency", "13.74")
    page.fill("#id_guest_email", "warga@example.com")
    page.click("form#report-form button[data-send]")
    page.wait_for_selector("[data-testid=nearby]")
    page.click("[data-testid=nearby] button[data-send]")
    page.wait_for_selector("[data-testid=tracking-id]")
    assert Report.objects.count() == 2
    context.close()


# --- 6: a wrong tracking number -------------------------------------------------------------------


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("lang", LANGS)
def test_a_wrong_tracking_number_keeps_what_was_typed_and_a_right_one_is_found_however_typed(
    browser, live_server, tnet, lang, js
):
    base = live_server.url
    report = _open_nearby(tnet)
    context, page = _phone(browser, base, lang, js=js)
    page.goto(f"{base}/lacak/")
    page.fill("#id_tracking_id", "zzzz 9999")
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=not-found]")
    assert page.input_value("#id_tracking_id") == "zzzz 9999"
    text = page.inner_text("[data-testid=not-found]")
    assert ("tidak menemukan" in text) if lang == "id" else ("could not find" in text)
    if js:
        assert axe_violations(page) == []
    page.fill("#id_tracking_id", report.tracking_id.replace("-", "").lower())
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/lacak/{report.tracking_id}/")
    page.goto(f"{base}/laporan/")
    page.fill("#f-q", report.tracking_id.lower())
    page.click("form.filters button[type=submit]")
    page.wait_for_url(f"**/lacak/{report.tracking_id}/")
    assert page.locator("[data-testid=support]").count() == 1
    context.close()


# --- 7: a forgotten password ------------------------------------------------------------------------


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("lang", LANGS)
def test_a_citizen_resets_a_forgotten_password_with_the_code(browser, live_server, tnet, lang, js):
    import re

    from lapor.notifications.models import OutboxMessage

    base = live_server.url
    user = tnet.user("reporter")
    context, page = _phone(browser, base, lang, js=js)
    page.goto(f"{base}/masuk/")
    page.click("a[href='/masuk/lupa/']")
    page.fill("#id_login", user.email)
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=code-sent]")
    assert page.input_value("#id_login") == user.email
    if js:
        assert axe_violations(page) == []
    message = OutboxMessage.objects.get(recipient=user.email)
    code = re.search(r"\b(\d{6})\b", message.payload["body"]).group(1)
    page.fill("#id_code", code)
    page.fill("#id_password", "sandi-baru-yang-panjang")
    page.click("main button[type=submit]")
    page.wait_for_url("**/masuk/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", "sandi-baru-yang-panjang")
    page.click("main button[type=submit]")
    page.wait_for_url("**/saya/")
    context.close()
