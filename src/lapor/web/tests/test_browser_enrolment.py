"""In a real browser on a 360 px phone: the first operator opens the link `lapor setup` printed,
chooses a password, enrols an authenticator app, lands in the staff workspace; the link is then dead."""

from __future__ import annotations

import pyotp
import pytest

from .browser import PHONE, axe_violations, browser  # noqa: F401  (browser is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_operator_enrols_through_the_one_time_link_on_a_phone(browser, live_server, transactional_db, settings):
    from lapor.accounts.enrolment import enrolment_token, enrolment_url, operator_create

    settings.LAPOR_STAFF_2FA = True
    settings.LAPOR_PUBLIC_URL = live_server.url
    operator, _ = operator_create(email="ops@example.go.id")
    link = enrolment_url(enrolment_token(operator))

    page = browser.new_context(viewport=PHONE, locale="id-ID").new_page()
    page.goto(link)
    assert "ops@example.go.id" in page.inner_text("main")
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.fill("#id_password", "sandi-operator-2026")
    page.fill("#id_password_again", "sandi-operator-2026")
    page.click("main button[type=submit]")
    page.wait_for_selector("#totp-secret")
    secret = page.inner_text("#totp-secret").strip()
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/petugas/")
    assert page.url.endswith("/petugas/")  # signed in: the staff workspace, not the sign-in page

    again = page.goto(link)
    assert again.status == 400 and "tidak berlaku" in page.inner_text("main")
