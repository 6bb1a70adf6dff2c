"""Set-up pages on a 360 px phone, in Indonesian and in English (issue 20): a platform operator
adds a partner system and a peer deployment, sees each key once, makes a new one, retries a failed
webhook, and signs another browser out from Keamanan akun. axe finds nothing serious on any page."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from lapor.accounts.models import UserSession
from lapor.notifications.models import OutboxMessage
from lapor.partners.models import Partner, Peer

from .browser import PHONE, axe_violations, browser, screenshot, sign_in  # noqa: F401  (browser is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LANGS = ["id", "en"]
# Indonesian words of these pages that must not be left on an English page.
INDONESIAN = re.compile(
    r"\b(Sistem mitra|Tambah|Simpan|Kunci|Rahasia|Nonaktif|Perangkat|Keluarkan|Belum|Pengiriman|Gagal|Kirim ulang|"
    r"Ubah|Federasi|Jaringan|Terakhir)\b"
)


@pytest.fixture
def tnet(transactional_db):
    from lapor.accounts import testing

    return testing.network_make()


def _lang(page, base: str, lang: str) -> None:
    host = base.split("//", 1)[1].split(":")[0]
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "domain": host, "path": "/"}])


def _check(page, lang: str, name: str) -> None:
    assert page.get_attribute("html", "lang") == lang
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, name
    assert axe_violations(page) == [], name
    if lang == "en":
        found = INDONESIAN.search(page.inner_text("main"))
        assert found is None, (name, found)
    screenshot(page, f"setup-{name}-{lang}-phone")


@pytest.mark.parametrize("lang", LANGS)
def test_the_operator_sets_up_a_partner_on_a_phone(browser, live_server, tnet, lang):
    base = live_server.url
    page = browser.new_context(viewport=PHONE).new_page()
    sign_in(page, base, tnet.user("platform").email)
    _lang(page, base, lang)
    page.goto(f"{base}/petugas/")
    page.click("a[href='/petugas/mitra/']")  # the staff menu leads there
    _check(page, lang, "partners")
    page.locator("details.action > summary").click()
    page.fill("#id_name", "Sambat Online")
    page.fill("#id_webhook_url", "bukan alamat")
    page.click("details.action form button[type=submit]")
    assert page.locator(".has-error #id_webhook_url").count() == 1  # the error sits by its field
    assert ("Enter a full web address" if lang == "en" else "Masukkan alamat web lengkap") in page.inner_text("main")
    _check(page, lang, "partner-error")
    page.fill("#id_webhook_url", "https://sambat.example/hook")
    page.click("details.action form button[type=submit]")
    key = page.inner_text("[data-testid=api-key]").strip()
    secret = page.inner_text("[data-testid=secret]").strip()
    assert key.startswith("lpr_") and len(secret) >= 32
    _check(page, lang, "partner-secret")
    partner = Partner.objects.get(name="Sambat Online")
    dead = OutboxMessage.objects.create(
        channel="webhook",
        recipient=partner.webhook_url,
        dedupe_key=f"partner:{partner.pk}:event:1",
        status=OutboxMessage.Status.DEAD,
        attempts=8,
        last_error="HTTP 500 from receiver",
    )
    page.click(f"main a[href='/petugas/mitra/{partner.pk}/']")  # "Selesai" goes to the list; this opens it
    main = page.inner_text("main")
    assert key not in main and secret not in main and secret[-4:] in main  # masked after the first showing
    assert ("Failed permanently" if lang == "en" else "Gagal permanen") in main
    _check(page, lang, "partner")
    page.click("[data-testid=deliveries] button[type=submit]")
    dead.refresh_from_db()
    assert dead.status != OutboxMessage.Status.DEAD
    assert page.locator("p.notice").count() == 1
    page.locator("details.action", has=page.locator("form[action$='/kunci-api/']")).locator("summary").click()
    page.click("form[action$='/kunci-api/'] button[type=submit]")
    new_key = page.inner_text("[data-testid=api-key]").strip()
    assert new_key.startswith("lpr_") and new_key != key
    page.context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_the_operator_adds_a_peer_deployment_on_a_phone(browser, live_server, tnet, lang):
    base = live_server.url
    page = browser.new_context(viewport=PHONE).new_page()
    sign_in(page, base, tnet.user("platform").email)
    _lang(page, base, lang)
    page.goto(f"{base}/petugas/federasi/")
    _check(page, lang, "peers")
    page.locator("details.action > summary").click()
    page.fill("#id_name", "Provinsi Sumatera Barat")
    page.fill("#id_slug", "sumbar prov")
    page.fill("#id_base_url", "https://lapor.sumbarprov.example")
    page.check("input[name=direction][value=outbound]")
    page.click("details.action form button[type=submit]")
    assert page.locator(".has-error #id_slug").count() == 1
    _check(page, lang, "peer-error")
    page.fill("#id_slug", "sumbar-prov")
    page.click("details.action form button[type=submit]")
    secret = page.inner_text("[data-testid=secret]").strip()
    assert secret == Peer.objects.get(slug="sumbar-prov").secret
    page.click("main a.button")
    assert secret not in page.inner_text("main")
    assert ("We forward to them" if lang == "en" else "Kita meneruskan ke sana") in page.inner_text("main")
    _check(page, lang, "peer")
    page.context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_staff_sign_another_browser_out_from_a_phone(browser, live_server, tnet, lang):
    base = live_server.url
    user = tnet.user("liaison")
    other = Client()
    other.force_login(user)  # a laptop signed in elsewhere (force_login's request has no user agent: set it)
    UserSession.objects.filter(session_key=other.session.session_key).update(
        user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
        ip_prefix="198.51.100.0/24",
    )
    page = browser.new_context(viewport=PHONE).new_page()
    sign_in(page, base, user.email)
    _lang(page, base, lang)
    page.goto(f"{base}/saya/keamanan/")
    sessions = page.locator("[data-testid=sessions] > li")
    assert sessions.count() == 2 and page.locator("[data-testid=sessions] [data-current]").count() == 1
    assert ("Firefox on Windows" if lang == "en" else "Firefox di Windows") in page.inner_text("main")
    _check(page, lang, "sessions")
    page.click("[data-testid=sessions] form[action$='/keluar/'] button[type=submit]")
    assert page.locator("[data-testid=sessions] > li").count() == 1
    assert page.locator("p.notice").count() == 1
    assert other.get("/petugas/").status_code == 302  # that browser is signed out
    assert page.goto(f"{base}/petugas/").url.endswith("/petugas/")  # this one is not
    page.context.close()
