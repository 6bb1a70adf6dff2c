"""An official's day on a 360 px phone, in Indonesian and in English, with JavaScript and without
(issue 20): the report page's actions one at a time, photos, place and flags; a report found by its
number; the agency picker; the dashboards and the report card; the overseer's landing page."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from lapor.agencies.models import Agency
from lapor.accounts.testing import agency_make
from lapor.reports import services
from lapor.reports.attachments import attachment_add
from lapor.routing.models import ReportFlag

from .browser import PHONE, axe_violations, browser, open_action, screenshot, sign_in  # noqa: F401  (browser is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LANGS = ["id", "en"]
# Words of the Indonesian interface that must not be left on an English page (person labels,
# grades, the auto-completion reason, the analytics headings).
INDONESIAN = re.compile(
    r"\b(Pelapor|Sistem|Anonim|Petugas|Baik|Sedang|Kurang|Belum dinilai|Selesai otomatis|Laporan diterima|"
    r"Tindakan|Kotak masuk|Arsipkan|Dasbor|Rapor kepatuhan|dari 5)\b"
)


@pytest.fixture
def tnet(transactional_db):
    from lapor.accounts import testing

    return testing.network_make()


def _lang(page, base: str, lang: str) -> None:
    """Pick the language with the site's own switcher (the cookie a visitor's choice sets)."""
    from django.conf import settings

    host = base.split("//", 1)[1].split(":")[0]
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "domain": host, "path": "/"}])


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (120, 90, 60)).save(out, format="JPEG")
    return out.getvalue()


def _report(tnet):
    sub = services.Submission(
        title="Lampu jalan mati di Jalan Sudirman",
        body="Sudah dua minggu lampu jalan mati.",
        guest_name="Rina Wulandari",
        guest_email="rina@warga.example",
        is_anonymous=True,
        region_code="13.74.02.1001",
        latitude=-0.4712,
        longitude=100.4011,
    )
    report, _secret = services.report_submit(submission=sub)
    attachment_add(report=report, actor=services.Actor(is_reporter=True), name="lampu.jpg", data=_jpeg())
    ReportFlag.objects.create(report=report, kind=ReportFlag.Kind.REPEATED)
    return report


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("lang", LANGS)
def test_the_staff_report_page_on_a_phone(browser, live_server, tnet, lang, javascript):
    base = live_server.url
    report = _report(tnet)
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    sign_in(page, base, tnet.user("platform").email)
    _lang(page, base, lang)
    page.goto(f"{base}/petugas/laporan/{report.tracking_id}/")
    assert page.get_attribute("html", "lang") == lang
    panels = page.locator("details.action")
    assert panels.count() >= 3 and page.locator("details.action[open]").count() == 0
    # collapsed, the whole column of actions is a screen or so, not ~2,900 px of forms
    actions_height = page.locator(".actions").bounding_box()["height"]
    assert actions_height < 700, actions_height
    open_action(page, "archive")
    assert page.locator("details[data-action-panel=archive][open]").count() == 1
    assert page.input_value("select[name='archive-archive_reason']") == ""  # no reason chosen in advance
    open_action(page, "route")  # one open at a time: <details name>, no script needed
    assert page.locator("details.action[open]").count() == 1
    assert page.locator("details[data-action-panel=route][open]").count() == 1
    # the photo itself, through the attachment door (the page only points at it)
    src = page.get_attribute("img.preview", "src")
    photo = page.request.get(base + src)
    assert photo.status == 200 and photo.headers["content-type"] == "image/jpeg"
    box = page.locator("img.preview").bounding_box()
    assert box["width"] > 100 and box["x"] + box["width"] <= PHONE["width"]  # drawn, inside the screen
    place = page.inner_text("[data-testid=place]")
    assert "Bukit Surungan" in place and "Kota Padang Panjang" in place and "13.74" not in place
    assert "openstreetmap.org" in page.get_attribute("[data-testid=place] a", "href")
    assert page.inner_text("[data-testid=flags]").strip()
    reporter = page.inner_text("[data-testid=reporter]")
    assert ("Anonymous" if lang == "en" else "Anonim") in reporter
    if lang == "en":
        assert not INDONESIAN.search(page.inner_text("main")), INDONESIAN.search(page.inner_text("main"))
    if javascript:  # the page's own scripts are off without JavaScript, and so is axe
        _no_sideways_scroll(page)
        assert axe_violations(page) == []
    screenshot(page, f"staff-report-{lang}-phone")
    context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_a_report_is_found_by_its_number_typed_any_way(browser, live_server, tnet, lang):
    base = live_server.url
    report = _report(tnet)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, base, tnet.user("platform").email)
    _lang(page, base, lang)
    page.goto(f"{base}/petugas/")
    page.fill("#f-q", report.tracking_id.replace("-", "").lower())
    page.press("#f-q", "Enter")
    page.wait_for_load_state()
    assert page.url.endswith(f"/petugas/laporan/{report.tracking_id}/")
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("lang", LANGS)
def test_the_agency_picker_finds_everyday_names_and_chooses_nothing(browser, live_server, tnet, lang, javascript):
    base = live_server.url
    dishub = agency_make("Dinas Perhubungan", parent=tnet.city, region=tnet.city_region)
    Agency.objects.filter(pk=dishub.pk).update(short_name="Dishub")
    report = _report(tnet)
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    sign_in(page, base, tnet.user("platform").email)
    _lang(page, base, lang)
    page.goto(f"{base}/petugas/laporan/{report.tracking_id}/")
    open_action(page, "route")
    page.fill("#id_route-agency_q", "dishub")
    if javascript:
        page.wait_for_selector(f"#id_route-agency option[value='{dishub.pk}']", state="attached")
    else:
        page.click("form[data-action=route] button[name=search]")
        page.wait_for_load_state()
        assert page.locator("details[data-action-panel=route][open]").count() == 1  # the search keeps it open
    label = page.inner_text(f"#id_route-agency option[value='{dishub.pk}']")
    assert label == "Dinas Perhubungan (Dishub) — Pemerintah Kota Padang Panjang"
    assert page.input_value("#id_route-agency") == ""  # offered, not chosen
    context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_the_dashboards_read_on_a_phone(browser, live_server, tnet, lang, settings):
    from lapor.analytics.rollup import rollup_refresh
    from lapor.analytics.tests.conftest import reports_build

    settings.LAPOR_ANALYTICS_GRADES = {"min_reports": 1}
    reports_build(tnet, n=25)
    rollup_refresh(full=True)
    base = live_server.url
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, base, tnet.user("platform").email)
    _lang(page, base, lang)
    page.goto(f"{base}/analytics/?from=2025-01&to=2025-12")
    # the site's own navigation, language switch and sign-out stay
    assert page.locator("#lang-select").count() == 1 and page.locator("form[action='/keluar/'] button").count() == 1
    # chart text is at least 11 px on a 360 px screen
    smallest = page.evaluate(
        "Math.min(...[...document.querySelectorAll('svg.chart text')].map(t => t.getBoundingClientRect().height))"
    )
    assert smallest >= 11, smallest
    assert page.locator("ul.legend").count() >= 2
    text = page.inner_text("main")
    assert ("out of 5" if lang == "en" else "dari 5") in text
    assert ("of reports received" if lang == "en" else "dari laporan diterima") in text
    if lang == "en":
        assert not INDONESIAN.search(text), INDONESIAN.search(text)
    _no_sideways_scroll(page)
    assert axe_violations(page) == []
    screenshot(page, f"dashboard-{lang}-phone")
    # a number, then the reports behind it, each a link to the report
    page.click("section.cards div:nth-child(2) a")
    page.wait_for_load_state()
    text = page.inner_text("main")
    assert not re.search(r"\((received|state|in_time)\b", text)
    first = page.locator("table tbody td:first-child a").first
    tid = first.inner_text()
    first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/petugas/laporan/{tid}/")
    # the report card: the worst first, one grade at a time
    page.goto(f"{base}/analytics/peringkat?from=2025-01&to=2025-12")
    page.select_option("select[name=sort]", "-grade")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    grades = page.eval_on_selector_all("td[class^=grade-]", "els => els.map(e => e.className)")
    order = {"grade-poor": 0, "grade-fair": 1, "grade-good": 2, "grade-unrated": 3}
    assert grades and grades == sorted(grades, key=order.get)
    assert axe_violations(page) == []
    context.close()


def test_an_overseer_signs_in_to_the_dashboard(browser, live_server, tnet):
    base = live_server.url
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, base, tnet.user("overseer").email)
    assert page.url.rstrip("/").endswith("/analytics")
    context.close()


def test_unsure_routing_suggestions_are_collapsed_guesses_and_the_agency_search_takes_the_focus(
    browser, live_server, tnet, settings, tmp_path
):
    """A model that is not sure offers no one-tap agency: its guesses sit collapsed, marked
    "tidak yakin", and opening the routing panel puts the cursor in the agency search."""
    import datetime as dt

    from django.utils import timezone

    from lapor.routing import suggest
    from lapor.routing.tests.test_routing_live import handled_reports

    settings.DATA_DIR, settings.LAPOR_ROUTING_MIN_HISTORY, settings.LAPOR_FLOOD_PER_HOUR = tmp_path, 30, 10_000
    handled_reports(tnet, 12, start=timezone.now() - dt.timedelta(days=30))
    assert suggest.routing_train(label="agency")["status"] == "trained"
    settings.LAPOR_ROUTING_SUGGEST_FLOOR = 1.01
    report, _ = services.report_submit(
        submission=services.Submission(
            title="Obat habis", body="obat habis di puskesmas", region_code="13.74.02", target_agency_id=tnet.city.pk
        ),
        reporter=tnet.user("stranger"),
    )
    page = browser.new_context(viewport=PHONE).new_page()
    sign_in(page, live_server.url, tnet.user("platform").email)
    page.goto(f"{live_server.url}/petugas/laporan/{report.tracking_id}/")
    open_action(page, "route")
    panel = page.locator("details[data-action-panel=route]")
    assert panel.get_by_text("Sistem tidak yakin: pilih instansi sendiri").is_visible()
    # the panel's toggle event (which moves the focus) fires after the click returns: wait for it
    page.wait_for_function("document.activeElement && document.activeElement.name === 'route-agency_q'", timeout=5000)
    guesses = panel.locator("details.suggestion-guesses")
    assert guesses.get_attribute("open") is None and not guesses.locator("button").first.is_visible()
    guesses.locator("summary").click()
    assert guesses.locator("button").count() == 2 and "tidak yakin" in guesses.inner_text()
    assert axe_violations(page) == []
    page.context.close()
