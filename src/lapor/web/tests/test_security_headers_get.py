"""Every page carries a CSP without inline scripts; pages hold no inline scripts or handlers."""

import re

import pytest

PAGES = ["/", "/lapor/", "/lacak/", "/laporan/", "/masuk/", "/daftar/"]


@pytest.mark.parametrize("path", PAGES)
def test_page_has_strict_csp_and_no_inline_script(net, client, path):
    res = client.get(path)
    assert res.status_code == 200
    csp = res["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp
    html = res.content.decode()
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None, "inline <script> found"
    assert re.search(r"\son[a-z]+\s*=", html) is None, "inline event handler found"
    assert 'style="' not in html


def test_user_input_is_escaped_on_the_public_page(net, client):
    from .helpers import routed_to_dept

    report, _ = routed_to_dept(net, title="<script>alert(1)</script>", body="<img src=x onerror=alert(1)>")
    html = client.get(f"/lacak/{report.tracking_id}/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html


def test_every_form_posts_with_a_csrf_token(net, client):
    for path in PAGES:
        html = client.get(path).content.decode()
        forms = re.findall(r"<form[^>]*>.*?</form>", html, flags=re.S | re.I)
        for form in forms:
            if 'method="post"' in form:
                assert "csrfmiddlewaretoken" in form, f"{path}: POST form without CSRF token"
