"""Shared set-up for the browser tests: Debian's chromium through Playwright, never a download."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("LAPOR_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[4] / "docs" / "screenshots"
PASSWORD = "rahasia-123"  # lapor.accounts.testing.user_make's default


def chromium_or_skip():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"no chromium at {CHROMIUM}: apt-get install -y chromium (browser tests need it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed: pip install -e '.[test]'")
    # Playwright's sync API runs an event loop in this thread; Django's ORM must still be allowed.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return sync_playwright


@pytest.fixture
def browser():
    sync_playwright = chromium_or_skip()
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()


def sign_in(page, base: str, email: str) -> None:
    """Password, then (staff) the authenticator code from a device enrolled with a known secret."""
    from lapor.accounts.models import User
    from lapor.accounts.twofactor import twofactor_required
    from lapor.accounts.testing import totp_code, totp_enrol

    user = User.objects.get(email=email)
    secret = totp_enrol(user) if twofactor_required(user) else None
    page.goto(f"{base}/masuk/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if secret:
        page.fill("#id_code", totp_code(secret))
        page.click("main button[type=submit]")
        page.wait_for_load_state()


def axe_violations(page) -> list[dict]:
    """Serious and critical axe-core violations on the current page."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def screenshot(page, name: str) -> None:
    if os.environ.get("LAPOR_SCREENSHOTS", "") != "1":  # off by default: a test run must not dirty the tree
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def open_action(page, action: str) -> None:
    """Open one action on the staff report page (each sits collapsed in a <details>)."""
    panel = page.locator(f"details[data-action-panel={action}]")
    if panel.get_attribute("open") is None:
        panel.locator(":scope > summary").click()  # not a <details> inside the panel
