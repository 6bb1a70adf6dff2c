"""The routing stats page and the routing form as a Admin Nasional uses them on a 360 px phone,
in Indonesian and English (issue 19, walked in round 19): one tap on a suggestion moves the live
figures, a Bukan Wewenang return of an automatic route moves the model's precision, each
retrain's outcome is on the page in plain words; the suggestions' reasons read in the page's
language. And the read-only overseer is not offered the counter form it could never send."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from lapor.accounts.audit import audit_record
from lapor.reports import services
from lapor.routing import suggest

from .browser import PHONE, axe_violations, browser, open_action, sign_in  # noqa: F401  (browser is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def tnet(transactional_db):
    from lapor.accounts import testing

    return testing.network_make()


def _phone(browser, base: str, lang: str):
    page = browser.new_context(viewport=PHONE).new_page()
    host = base.split("//", 1)[1].split(":")[0]
    page.context.add_cookies([{"name": "django_language", "value": lang, "domain": host, "path": "/"}])
    return page


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1


def _stat(page, version: str, key: str) -> str:
    return page.locator(f"[data-model-version='{version}'] [data-stat={key}]").inner_text().strip()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_tap_and_a_return_move_the_live_figures_and_the_retrain_is_on_the_page(
    browser, live_server, tnet, settings, tmp_path, lang
):
    from lapor.routing.tests.test_routing_live import handled_reports

    settings.DATA_DIR, settings.LAPOR_ROUTING_MIN_HISTORY, settings.LAPOR_FLOOD_PER_HOUR = tmp_path, 30, 10_000
    settings.LAPOR_ROUTING_SUGGEST_FLOOR = 0.0  # every model suggestion a one-tap button
    handled_reports(tnet, 12, start=timezone.now() - dt.timedelta(days=30))
    version = suggest.routing_train(label="agency")["version"]
    report, _ = services.report_submit(
        submission=services.Submission(
            title="Obat habis", body="obat habis di puskesmas", region_code="13.74.02", target_agency_id=tnet.city.pk
        ),
        reporter=tnet.user("stranger"),
    )
    base = live_server.url
    page = _phone(browser, base, lang)
    sign_in(page, base, tnet.user("platform").email)

    # the routing form: three suggestions, each its own button, with a reason in the page's language
    page.goto(f"{base}/petugas/laporan/{report.tracking_id}/")
    open_action(page, "route")
    buttons = page.locator("details[data-action-panel=route] section ul.suggestions").first.locator("button")
    assert buttons.count() == 3
    notes = page.locator("details[data-action-panel=route] section ul.suggestions").first.inner_text()
    word = {"id": "keyakinan", "en": "confidence"}[lang]
    assert re.search(rf"{word} \d+([.,]\d)?%", notes), notes  # a percentage, not "0.43"
    if lang == "en":
        assert "words:" in notes and "kata:" not in notes and "wilayah laporan" not in notes
    else:
        assert "kata:" in notes
    _no_sideways_scroll(page)
    first = buttons.first.inner_text().strip()
    buttons.first.click()
    page.wait_for_load_state()
    event = report.events.get(action="route")
    assert event.data["agency_name"] == first
    assert event.data["suggestion"]["rank"] == 1 and event.data["suggestion"]["tapped"] is True
    how = {"id": "Petugas memilih saran sistem ke-1.", "en": "Staff took the system's suggestion no. 1."}[lang]
    assert page.locator("[data-route-how]").inner_text() == how  # the staff timeline says so

    # the stats page: one decision, taken at rank 1
    page.goto(f"{base}/petugas/disposisi-otomatis/")
    assert _stat(page, version, "decisions").startswith("1")
    assert _stat(page, version, "live_top1") == "100%" and _stat(page, version, "live_top3") == "100%"
    assert _stat(page, version, "live_precision") == "–"

    # an automatic route by this model, returned as Bukan Wewenang: precision 0 %
    _v, model = suggest.routing_model_get("agency")
    model.threshold_95_ = 0.0  # the live server shares this process's model cache
    auto, _ = services.report_submit(
        submission=services.Submission(
            title="Obat habis lagi", body="obat habis di puskesmas kami", region_code="13.74.02"
        ),
        reporter=tnet.user("stranger"),
    )
    auto.refresh_from_db()
    assert auto.auto_routed
    who = {tnet.health.pk: "health_admin", tnet.dept.pk: "dept_admin", tnet.city.pk: "city_admin"}[auto.agency_id]
    services.report_not_authority(report=auto, actor=services.Actor(user=tnet.user(who)), reason="Bukan wewenang kami")
    page.goto(f"{base}/petugas/laporan/{auto.tracking_id}/")
    word = {"id": "Otomatis oleh model (keyakinan", "en": "Automatically, by the model (confidence"}[lang]
    assert page.locator("[data-route-how]").inner_text().startswith(word)
    page.goto(f"{base}/petugas/disposisi-otomatis/")
    assert _stat(page, version, "auto_routed").startswith("1")
    assert _stat(page, version, "live_precision") == "0%"

    # the retrain's outcome, in words: the first model, then a retrain with nothing newly handled
    assert suggest.routing_train(label="agency")["status"] == "unchanged"
    page.reload()
    outcomes = page.locator("[data-retrains] li")
    assert outcomes.count() == 2
    text = outcomes.first.inner_text()
    expected = {
        "id": ("model instansi", "tidak ada yang berubah", "belum ada laporan baru yang ditangani"),
        "en": ("agency model", "nothing changed", "no newly handled reports"),
    }[lang]
    assert all(w in text for w in expected), text
    assert outcomes.first.get_attribute("data-retrain-status") == "unchanged"
    every = {"id": "setiap 7 hari", "en": "every 7 days"}[lang]
    assert every in page.locator("#latih-ulang + p").inner_text()
    _no_sideways_scroll(page)
    assert axe_violations(page) == []
    page.context.close()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_kept_model_and_a_too_short_history_read_plainly(browser, live_server, tnet, settings, tmp_path, lang):
    settings.DATA_DIR, settings.LAPOR_ROUTING_MIN_HISTORY = tmp_path, 500
    assert suggest.routing_train(label="agency")["status"] == "insufficient_history"  # audited too
    audit_record(
        action="routing_retrain",
        target_type="routing_model_agency",
        target_id="20261207T101010000000",
        detail={
            "label": "agency",
            "status": "kept_previous",
            "version": "20261207T101010000000",
            "reports": 4200,
            "comparison": {"n": 64, "new_top1": 0.7031, "current_top1": 0.75, "kept": True},
        },
    )
    base = live_server.url
    page = _phone(browser, base, lang)
    sign_in(page, base, tnet.user("platform").email)
    page.goto(f"{base}/petugas/disposisi-otomatis/")
    kept = page.locator("[data-retrain-status=kept_previous]").inner_text()
    short = page.locator("[data-retrain-status=insufficient_history]").inner_text()
    if lang == "id":
        assert "model lama tetap dipakai" in kept and "64 laporan terbaru" in kept and "70,3%" in kept and "75%" in kept
        assert "riwayat belum cukup" in short and "dari 500" in short
    else:
        assert "the current model stays" in kept and "64 newest reports" in kept and "70.3%" in kept
        assert "not enough history" in short and "of 500" in short
    _no_sideways_scroll(page)
    page.context.close()


def test_the_overseer_is_not_offered_the_counter_form(browser, live_server, tnet):
    base = live_server.url
    page = _phone(browser, base, "id")
    sign_in(page, base, tnet.user("overseer").email)
    page.goto(f"{base}/petugas/")
    assert page.locator("a[href='/petugas/loket/']").count() == 0
    response = page.goto(f"{base}/petugas/loket/")
    assert response.status == 403 and "hanya dapat melihat" in page.inner_text("main")
    page.context.close()
    liaison = _phone(browser, base, "id")
    sign_in(liaison, base, tnet.user("liaison").email)
    liaison.goto(f"{base}/petugas/")
    assert liaison.locator("a[href='/petugas/loket/']").count() == 1
    liaison.context.close()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_guest_who_gave_no_name_reads_as_such_not_as_a_dash(browser, live_server, tnet, lang):
    report, _ = services.report_submit(
        submission=services.Submission(
            title="Lampu jalan mati", body="Lampu jalan mati seminggu.", guest_email="tamu@warga.example"
        )
    )
    base = live_server.url
    page = _phone(browser, base, lang)
    sign_in(page, base, tnet.user("platform").email)
    page.goto(f"{base}/petugas/laporan/{report.tracking_id}/")
    shown = page.locator("[data-testid=reporter]").inner_text()
    name = {"id": "Tamu tanpa nama", "en": "Guest, no name given"}[lang]
    assert shown.startswith(name) and "t***@warga.example" in shown and not shown.startswith("-")
    page.context.close()
