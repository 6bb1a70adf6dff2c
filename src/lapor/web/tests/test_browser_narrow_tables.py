"""Staff and analytics pages on a 360 px phone, Indonesian and English: no page scrolls sideways,
and what matters in a table is on screen without scrolling it (the calendar's status, a staff
member's "Cabut" button, an agency's grade); the calendar's form comes first."""

from __future__ import annotations

import pytest

from .browser import PHONE, browser, sign_in  # noqa: F401  (browser is a fixture)
from .test_browser_officials import LANGS, _lang, _no_sideways_scroll, tnet  # noqa: F401  (tnet is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _on_screen(page, selector: str) -> None:
    """Every element matched is inside the 360 px viewport's width (not hidden in a scrolled table)."""
    boxes = page.eval_on_selector_all(selector, "els => els.map(e => e.getBoundingClientRect().right)")
    assert boxes, selector
    assert max(boxes) <= PHONE["width"], (selector, boxes)


@pytest.mark.parametrize("lang", LANGS)
def test_the_working_calendar_on_a_phone(browser, live_server, tnet, lang):
    base = live_server.url
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, base, tnet.user("platform").email)
    _lang(page, base, lang)
    page.goto(f"{base}/petugas/kalender/")
    _no_sideways_scroll(page)
    _on_screen(page, "[data-testid=day-status]")
    form_top = page.evaluate("document.getElementById('ubah').getBoundingClientRect().top")
    assert form_top < PHONE["height"], form_top  # the form is reached without scrolling 5,000 px
    options = page.eval_on_selector_all("#id_working option", "els => els.map(e => e.textContent.trim())")
    assert options[1] == ("A working day" if lang == "en" else "Hari kerja")
    context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_the_agency_admin_page_on_a_phone(browser, live_server, tnet, lang):
    base = live_server.url
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, base, tnet.user("dept_admin").email)
    _lang(page, base, lang)
    page.goto(f"{base}/petugas/instansi/")
    _no_sideways_scroll(page)
    _on_screen(page, "[data-testid=staff-list] button")
    context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_the_report_card_shows_the_grade_on_a_phone(browser, live_server, tnet, lang, settings):
    from lapor.analytics.rollup import rollup_refresh
    from lapor.analytics.tests.conftest import reports_build

    settings.LAPOR_ANALYTICS_GRADES = {"min_reports": 1}
    reports_build(tnet, n=10)
    rollup_refresh(full=True)
    base = live_server.url
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, base, tnet.user("platform").email)
    _lang(page, base, lang)
    page.goto(f"{base}/analytics/peringkat?from=2025-01&to=2025-12")
    _no_sideways_scroll(page)
    _on_screen(page, "td[class^=grade-]")
    context.close()
