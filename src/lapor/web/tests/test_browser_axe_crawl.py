"""axe-core on every page (issue 20): for each role, every GET page reachable by following
same-origin links from the role's start page is opened at 360 px in both languages and checked
with axe; any serious or critical violation (scrollable-region-focusable included) and any 5xx
fails the test, listed as (role, language, page, rule, nodes).

The crawl is bounded so it stays near two minutes: one page per URL pattern (the first link
found to it) and at most MAX_PAGES pages per role and language. New pages are found without
editing this file, as long as some page links to them.
"""

from __future__ import annotations

import time
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import Resolver404, resolve

from lapor.reports import services

from .browser import PHONE, axe_violations, browser, sign_in  # noqa: F401  (browser is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MAX_PAGES = 30
# role -> (account key in network_make, start pages). Guests and citizens start at the home page,
# staff at their inbox, the overseer at the dashboard they land on after sign-in. Pages no link
# leads to are named here: a guest's private link.
ROLES = {
    "guest": (None, ("/", "/masuk/", "/daftar/", "{guest_link}")),
    "citizen": ("reporter", ("/", "/saya/", "/saya/pengaturan/")),
    "liaison": ("liaison", ("/petugas/", "/saya/pengaturan/")),
    "agency_admin": ("dept_admin", ("/petugas/", "/petugas/instansi/")),
    "overseer": ("overseer", ("/analytics/",)),
    "platform": ("platform", ("/petugas/", "/petugas/media-sosial/")),
}
# Patterns each role's crawl must reach (a broken sign-in or menu would otherwise pass quietly).
REACHED = {
    "guest": {"web:home", "lapor/", "laporan/", "lacak/<str:tracking_id>/", "analytics/publik"},
    "citizen": {"saya/", "saya/pengaturan/", "lacak/<str:tracking_id>/"},
    "liaison": {"petugas/", "petugas/laporan/<str:tracking_id>/", "analytics/", "petugas/loket/"},
    "agency_admin": {"petugas/", "petugas/laporan/<str:tracking_id>/", "petugas/instansi/", "analytics/rencana-aksi"},
    "overseer": {"analytics/", "analytics/peringkat", "analytics/laporan"},
    "platform": {
        "petugas/",
        "petugas/laporan/<str:tracking_id>/",
        "petugas/disposisi-otomatis/",
        "petugas/media-sosial/",
    },
}
LANGUAGES = ("id", "en")
# Never opened, each with its reason.
SKIP_PREFIXES = {
    "/keluar/": "sign-out ends the crawling session",
    "/admin/": "Django's own admin: its templates are not ours",
    "/static/": "assets, not pages",
    "/media/": "uploaded files, not pages",
    "/api/": "JSON, not pages",
}


def _route_of(path: str) -> str | None:
    """The URL pattern a path resolves to (one instance of each is crawled); None if unknown."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route or match.view_name


def _links(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    found = []
    for href in hrefs:
        url, _ = urldefrag(href)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != origin:
            continue
        if any(parts.path.startswith(prefix) for prefix in SKIP_PREFIXES):
            continue
        found.append(url)
    return found


def _crawl(page, origin: str, starts: tuple[str, ...]) -> tuple[list[tuple[str, str, str]], list[str], set[str]]:
    """Breadth-first over same-origin links. Returns (axe findings, 5xx pages, patterns checked)."""
    from playwright.sync_api import Error as PlaywrightError  # installed: the browser fixture checked

    queue = [origin + path for path in starts]
    seen_routes: set[str] = set()
    findings, errors, checked = [], [], set()
    while queue and len(checked) < MAX_PAGES:
        url = queue.pop(0)
        parts = urlsplit(url)
        route = _route_of(parts.path)
        key = route if route is not None else parts.path
        if key in seen_routes:
            continue
        seen_routes.add(key)
        try:
            response = page.goto(url)
        except PlaywrightError as exc:  # e.g. an error answer without a body
            errors.append(f"{url}: {exc.message.splitlines()[0]}")
            continue
        status = response.status if response else 0
        if status >= 500:
            errors.append(f"{status} {url}")
            continue
        if "text/html" not in ((response.headers.get("content-type") if response else "") or ""):
            continue  # a download (CSV, PDF, an attachment): nothing for axe
        checked.add(key)
        where = urlsplit(page.url)
        shown = where.path + (f"?{where.query}" if where.query else "")
        for violation in axe_violations(page):
            findings.append((shown, f"{violation['id']} ({violation['impact']})", "; ".join(violation["nodes"])))
        queue.extend(_links(page, origin))
    return findings, errors, checked


@pytest.fixture
def world(transactional_db):
    """The test network with a few reports in different states, so lists, the report pages and
    the dashboards have something to show."""
    from lapor.accounts import testing

    net = testing.network_make()
    reporter = net.user("reporter")
    liaison = services.Actor(user=net.user("liaison"))
    answered, _ = services.report_submit(
        submission=services.Submission(
            title="Lampu jalan mati di Jalan Sudirman",
            body="Sudah dua minggu lampu jalan mati, rawan kecelakaan malam hari.",
            topic_id=net.roads.pk,
            region_code="13.74.02.1001",
        ),
        reporter=reporter,
    )
    services.report_follow_up(report=answered, actor=liaison, body="Petugas kami memperbaiki lampu besok pagi.")
    services.report_submit(
        submission=services.Submission(
            title="Jalan berlubang di depan pasar",
            body="Jalan di depan pasar berlubang besar dan membahayakan pengendara motor.",
            topic_id=net.roads.pk,
            region_code="13.74.02.1001",
            is_anonymous=True,
        ),
        reporter=reporter,
    )
    guest, secret = services.report_submit(
        submission=services.Submission(
            title="Antrean puskesmas terlalu lama", body="Menunggu tiga jam untuk berobat.", guest_phone="081234567890"
        )
    )
    places = {"guest_link": f"/lacak/{guest.tracking_id}/k/{secret}/"}
    return net, places


def test_every_page_has_no_serious_axe_violation_and_no_5xx(browser, live_server, world):
    net, places = world
    origin = live_server.url
    findings, errors, counts, missed = [], [], {}, {}
    started = time.monotonic()
    for role, (account, starts) in ROLES.items():
        for language in LANGUAGES:
            context = browser.new_context(viewport=PHONE)
            context.add_cookies([{"name": "django_language", "value": language, "url": origin}])
            page = context.new_page()
            if account:
                sign_in(page, origin, net.user(account).email)
            found, failed, checked = _crawl(page, origin, tuple(s.format(**places) for s in starts))
            findings += [(role, language, *f) for f in found]
            errors += [f"{role}/{language}: {e}" for e in failed]
            counts[f"{role}/{language}"] = len(checked)
            missed[f"{role}/{language}"] = REACHED[role] - checked
            context.close()
    print(f"axe crawl: {sum(counts.values())} pages in {time.monotonic() - started:.0f} s: {counts}")
    assert {k: v for k, v in missed.items() if v} == {}  # the crawl did reach each role's own pages
    assert errors == []
    assert findings == [], "\n".join(" | ".join(f) for f in findings)
