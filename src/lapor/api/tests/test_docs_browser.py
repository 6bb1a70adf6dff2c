"""/api/docs works in a real browser under the site's own Content-Security-Policy: the Swagger UI
files come from the app, not a CDN, and no inline script runs (it used to be a blank page)."""

from __future__ import annotations

import re

import pytest

from lapor.web.tests.browser import DESKTOP, browser  # noqa: F401  (browser is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_docs_page_has_no_cdn_and_no_inline_script(db, client):
    res = client.get("/api/docs")
    assert res.status_code == 200
    html = res.content.decode()
    assert "cdn.jsdelivr" not in html and "unpkg" not in html and "https://" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    for attrs, body in scripts:
        # an executable script either has a src on this site or is a JSON data block (never run)
        assert 'src="/static/' in attrs or 'type="application/json"' in attrs, attrs
        if 'src="' in attrs:
            assert not body.strip()
    assert "script-src 'self';" in res["Content-Security-Policy"]
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(asset).status_code == 200, asset


def test_docs_render_operations_under_the_csp(browser, live_server, transactional_db):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    outside: list[str] = []
    page.on(
        "request",
        lambda req: (
            outside.append(req.url)
            if not req.url.startswith(live_server.url) and not req.url.startswith("data:")
            else None
        ),
    )
    res = page.goto(f"{live_server.url}/api/docs")
    assert "script-src 'self';" in res.headers["content-security-policy"]
    page.wait_for_selector(".opblock", timeout=20000)  # operations rendered from /api/openapi.json
    assert page.locator(".opblock").count() > 20
    assert page.locator(".opblock-summary-path", has_text="/api/reports/").first.is_visible()
    assert "LAPOR! API" in page.locator(".info .title").inner_text()
    csp = [p for p in problems if "Content Security Policy" in p or "Refused" in p]
    assert not csp, csp
    assert not problems, problems
    assert not outside, outside
    context.close()
