"""What goes over the wire is compressed: pages gzip-compressed with Django's BREACH padding, static
files precompressed at collection. Budgets for a citizen on slow 3G (issue 15): the home page's HTML
at most 8 KB on the wire, the submit form's at most 12 KB; the first visit with its CSS and JS is
printed (docs/benchmarks.md, "Page weight on the wire")."""

from __future__ import annotations

import gzip
import re

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from lapor.core.compress import TextGZipMiddleware
from lapor.core.static import static_collect

HOME_BUDGET = 8 * 1024
SUBMIT_BUDGET = 12 * 1024
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def _wire(client: Client, url: str) -> tuple[int, bytes, object]:
    res = client.get(url, **GZIP)
    assert res.status_code == 200, url
    body = b"".join(res.streaming_content) if res.streaming else res.content
    if res.get("Content-Encoding") == "gzip":
        return len(body), gzip.decompress(body), res
    return len(body), body, res


def _first_visit(client: Client, url: str) -> tuple[int, int, int]:
    """(HTML bytes on the wire, HTML + its CSS/JS/icon on the wire, uncompressed total)."""
    html_wire, html, res = _wire(client, url)
    assert res["Content-Encoding"] == "gzip" and "Accept-Encoding" in res["Vary"]
    total_wire, total_plain = html_wire, len(html)
    for asset in re.findall(rb'(?:href|src)="(/static/[^"]+)"', html):
        wire, plain, _res = _wire(client, asset.decode())
        total_wire += wire
        total_plain += len(plain)
    return html_wire, total_wire, total_plain


@pytest.fixture
def collected(settings, tmp_path):
    """Static files collected and precompressed the way `lapor serve` does at start."""
    settings.STATIC_ROOT = tmp_path / "static"
    assert static_collect(force=True)
    assert (settings.STATIC_ROOT / "web" / "app.css.gz").exists()
    return settings.STATIC_ROOT


def test_home_and_submit_pages_within_the_3g_budget(net, collected):
    client = Client()  # a new client: its middleware sees the collected files
    home_html, home_total, home_plain = _first_visit(client, "/")
    submit_html, submit_total, submit_plain = _first_visit(client, "/lapor/")
    print(
        f"\nhome: HTML {home_html} B gzip, first visit {home_total} B gzip ({home_plain} B uncompressed)"
        f"\nsubmit: HTML {submit_html} B gzip, first visit {submit_total} B gzip ({submit_plain} B uncompressed)"
    )
    assert home_html <= HOME_BUDGET, home_html
    assert submit_html <= SUBMIT_BUDGET, submit_html
    # everything a first visit needs, CSS and JS included, fits the same budgets
    assert home_total <= HOME_BUDGET, home_total
    assert submit_total <= SUBMIT_BUDGET, submit_total


def test_static_files_are_served_precompressed(collected):
    client = Client()
    res = client.get("/static/web/app.css", **GZIP)
    assert res.status_code == 200 and res["Content-Encoding"] == "gzip"
    body = b"".join(res.streaming_content)
    assert gzip.decompress(body) == (collected / "web" / "app.css").read_bytes()
    assert len(body) < len(gzip.decompress(body)) / 2
    plain = client.get("/static/web/app.css")  # a client without gzip gets the plain file
    assert "Content-Encoding" not in plain
    assert b"".join(plain.streaming_content) == (collected / "web" / "app.css").read_bytes()


def test_a_stale_collected_copy_is_never_served(collected):
    """A developer edits app.css after the last collection (or a test run meets an old var/static):
    the app's own file wins over the collected copy."""
    (collected / "web" / "app.css").write_bytes(b"/* old */")
    (collected / "web" / "app.css.gz").write_bytes(gzip.compress(b"/* old */"))
    res = Client().get("/static/web/app.css", **GZIP)
    body = b"".join(res.streaming_content)
    if res.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    assert body != b"/* old */" and len(body) > 1000


def test_collection_runs_again_only_when_a_source_changed(collected):
    assert static_collect() is False  # nothing changed since the fixture's collection


def test_pages_carry_breach_padding_and_masked_csrf_tokens(net):
    """Compressed pages hold the CSRF token: each answer has random padding in the gzip header (Django's
    Heal-the-BREACH mitigation) and a freshly masked token, so lengths do not leak the secret."""
    client = Client()
    lengths, tokens = set(), set()
    for _ in range(8):
        wire, html, res = _wire(client, "/lapor/")
        assert res["Content-Encoding"] == "gzip"
        assert res.content[3] & 0x08, "FNAME flag: the random padding of the BREACH mitigation"
        lengths.add(wire)
        tokens.update(re.findall(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html))
    assert len(lengths) > 1 and len(tokens) > 1


def test_only_text_is_compressed():
    request = RequestFactory().get("/", **GZIP)
    middleware = TextGZipMiddleware(lambda r: None)
    image = HttpResponse(b"\x89PNG" + b"\x00" * 5000, content_type="image/png")
    assert "Content-Encoding" not in middleware.process_response(request, image)
    page = HttpResponse(b"<p>halo</p>" * 500, content_type="text/html; charset=utf-8")
    assert middleware.process_response(request, page)["Content-Encoding"] == "gzip"
    data = HttpResponse(b'{"a": 1}' * 500, content_type="application/json")
    assert middleware.process_response(request, data)["Content-Encoding"] == "gzip"


def test_api_json_is_compressed(net, client):
    res = client.get("/api/openapi.json", **GZIP)
    assert res.status_code == 200 and res["Content-Encoding"] == "gzip"
    assert b'"openapi"' in gzip.decompress(res.content)
