"""Error answers: a page of the site (viewport for a 360 px phone, the menu, the visitor's language)
for 400, 403, 404, 500 and 503; JSON under /api/; the 500 and 503 pages never need the database."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.test import Client, RequestFactory
from django.urls import include, path

from lapor.web.views import errors


def _boom(exc):
    def view(request):
        raise exc

    return view


# This module is the URL configuration of the tests below: the site plus views that fail on purpose.
urlpatterns = [
    path("rusak/400/", _boom(SuspiciousOperation("hostile"))),
    path("rusak/403/", _boom(PermissionDenied())),
    path("rusak/500/", _boom(RuntimeError("bug"))),
    path("rusak/503/", _boom(OperationalError("database is locked"))),
    path("api/rusak/500/", _boom(RuntimeError("bug"))),
    path("", include("lapor.urls")),
]
handler400 = "lapor.web.views.errors.bad_request"
handler403 = "lapor.web.views.errors.permission_denied"
handler404 = "lapor.web.views.errors.page_not_found"
handler500 = "lapor.web.views.errors.server_error"

PAGES = {
    400: ("/rusak/400/", "Permintaan tidak dapat diproses", "The request cannot be processed"),
    403: ("/rusak/403/", "Akses ditolak", "Access denied"),
    404: ("/tidak-ada/", "Halaman tidak ditemukan", "Page not found"),
    500: ("/rusak/500/", "Terjadi gangguan di server", "Something went wrong on our server"),
    503: ("/rusak/503/", "Layanan sedang sibuk", "The service is busy"),
}


@pytest.fixture
def site(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    return client


def _is_site_page(html: str) -> None:
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert 'href="/lapor/"' in html and 'href="/lacak/"' in html  # the site's menu
    assert 'class="brand"' in html and "/static/web/app.css" in html


@pytest.mark.parametrize("status", sorted(PAGES))
@pytest.mark.parametrize("lang", ["id", "en"])
def test_error_pages_are_site_pages_in_the_visitors_language(db, site, status, lang):
    url, title_id, title_en = PAGES[status]
    if lang == "en":
        site.cookies["django_language"] = "en"
    res = site.get(url)
    assert res.status_code == status
    html = res.content.decode()
    _is_site_page(html)
    assert f'<html lang="{lang}">' in html
    assert (title_en if lang == "en" else title_id) in html
    if status == 503:
        assert res["Retry-After"]


def test_api_errors_stay_json(db, site):
    for url, status in (("/api/tidak-ada", 404), ("/api/rusak/500/", 500)):
        res = site.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert res.status_code == status and res["Content-Type"].startswith("application/json"), url
        assert res.json()["code"] in ("not_found", "server_error")


def test_500_and_503_pages_need_no_database():
    """No `db` fixture: pytest-django makes any query fail, as a database that is down would."""
    request = RequestFactory().get("/lapor/")
    for response in (errors.server_error(request), errors.error_response(request, 503, light=True)):
        html = response.content.decode()
        _is_site_page(html)
        assert response.status_code in (500, 503)


def test_404_page_falls_back_when_the_database_is_away():
    request = RequestFactory().get("/tidak-ada/")

    class Broken:
        @property
        def is_authenticated(self):
            raise OperationalError("no database")

    request.user = Broken()
    response = errors.page_not_found(request)
    assert response.status_code == 404
    _is_site_page(response.content.decode())


def test_a_refusal_is_logged_in_one_line_and_a_fault_with_its_traceback(db, site):
    """Issue 20: a 403 (or 400) is a refusal, not a fault: one log line, no traceback; a 500 keeps it."""
    import io
    import logging

    from lapor.core.logfilters import ClientErrorOneLine

    console = next(
        h for h in logging.getLogger().handlers if any(isinstance(f, ClientErrorOneLine) for f in h.filters)
    )  # settings.LOGGING's console
    stream = io.StringIO()
    previous = console.setStream(stream)
    try:
        for status in (400, 403, 500):
            stream.seek(0), stream.truncate()
            assert site.get(PAGES[status][0]).status_code == status
            logged = stream.getvalue().strip()
            assert logged, status
            if status < 500:
                assert "Traceback" not in logged and len(logged.splitlines()) == 1, logged
            else:
                assert "Traceback" in logged and "RuntimeError: bug" in logged
    finally:
        console.setStream(previous)
