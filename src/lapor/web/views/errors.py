"""Error answers (400, 403, 404, 405, 413, 500, 503 …) that work on a 360 px phone, in the visitor's
language, with the site's navigation (``web/error_page.html`` extends the base template); JSON
``{code, message}`` under the machine doors /api/, /federation/ and /intake/ (what their docs
promise for every refusal), and the Open311 error list under /open311/.

They never fail themselves: a page is first rendered with the request's context (the signed-in
user's menu), and if that fails (the database is down: the user comes from the session table) it
is rendered again without touching the database. The 500 and 503 answers never use the database.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.template import loader
from django.utils.translation import gettext as _

from lapor.partners.open311 import render_error

from .public import submit_failed

log = logging.getLogger(__name__)

JSON_DOORS = ("/api/", "/federation/", "/intake/")  # machines call these: JSON, never a page
TITLES = {
    400: (
        "bad_request",
        lambda: _("Permintaan tidak dapat diproses"),
        lambda: _("Isian atau alamat yang dikirim tidak dapat dibaca. Periksa lagi lalu coba kembali."),
    ),
    403: ("forbidden", lambda: _("Akses ditolak"), lambda: _("Anda tidak berhak membuka halaman ini.")),
    404: (
        "not_found",
        lambda: _("Halaman tidak ditemukan"),
        lambda: _(
            "Laporan atau halaman ini tidak ada, atau Anda tidak berhak membukanya. Pelapor tamu "
            "membuka laporannya melalui tautan pribadi."
        ),
    ),
    405: ("method_not_allowed", lambda: _("Permintaan tidak dapat diproses"), lambda: ""),
    411: ("length_required", lambda: _("Permintaan tidak dapat diproses"), lambda: ""),
    413: ("request_too_large", lambda: _("Kiriman terlalu besar"), lambda: ""),
    414: ("uri_too_long", lambda: _("Permintaan tidak dapat diproses"), lambda: ""),
    431: ("header_too_large", lambda: _("Permintaan tidak dapat diproses"), lambda: ""),
    500: (
        "server_error",
        lambda: _("Terjadi gangguan di server"),
        lambda: _(
            "Maaf, permintaan Anda gagal karena gangguan di server kami. Tim kami sudah tercatat "
            "menerimanya. Silakan coba lagi sebentar lagi."
        ),
    ),
    503: (
        "service_unavailable",
        lambda: _("Layanan sedang sibuk"),
        lambda: _("Layanan sedang sibuk atau dalam pemeliharaan. Silakan coba lagi sebentar lagi."),
    ),
}


def _title(status: int) -> tuple[str, str, str]:
    code, title, message = TITLES.get(status, TITLES[400])
    return code, title(), message()


def _page_light(request, context: dict) -> str:
    """The page without the database: no session, no user, no messages (a fresh CSRF token for the
    language switcher needs only the cookie)."""
    try:
        context = {**context, "request": request, "csrf_token": get_token(request)}
    except Exception:  # noqa: BLE001  (the error page must render whatever broke)
        context = {**context, "request": request}
    return loader.get_template("web/error_page.html").render(context)


def error_response(
    request, status: int, *, code: str | None = None, message: str | None = None, detail=None, light: bool = False
) -> HttpResponse:
    default_code, title, default_message = _title(status)
    code, message = code or default_code, message or default_message
    path = request.path if request is not None else ""
    if path.startswith(JSON_DOORS) or path == "/healthz":
        body = {"code": code, "message": message}
        if detail is not None:
            body["detail"] = detail
        return JsonResponse(body, status=status)
    if path.startswith("/open311/"):
        fmt = "json" if path.endswith(".json") else "xml"
        return render_error(fmt, status, message)
    context = {"status": status, "title": title, "message": message}
    html = None
    if not light:
        try:
            html = loader.get_template("web/error_page.html").render(context, request)
        except Exception:  # noqa: BLE001
            log.warning("error page %s rendered without the database", status, exc_info=True)
    if html is None:
        html = _page_light(request, context)
    response = HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


# Django's handler400/403/404/500 (lapor/urls.py)
def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):  # form fields or a JSON body over DATA_UPLOAD_MAX_MEMORY_SIZE
        return error_response(
            request,
            413,
            code="request_too_large",
            message=_("Isian yang dikirim terlalu besar (paling banyak %(mb).1f MB tanpa lampiran).")
            % {"mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)},
        )
    return error_response(request, 400)


def permission_denied(request, exception=None):
    return error_response(request, 403)


def page_not_found(request, exception=None):
    return error_response(request, 404)


def server_error(request):
    return error_response(request, 500, light=True)


def _from_this_site(request) -> bool:
    """Only a form sent from this site's own page is given back (another site's page must not get a
    pre-filled form, with its files, in front of the visitor). The token failed; the origin did not."""
    own = f"{request.scheme}://{request.get_host()}"
    origin = request.headers.get("Origin", "")
    if origin:
        return origin == own
    referer = urlsplit(request.headers.get("Referer", ""))
    return bool(referer.netloc) and f"{referer.scheme}://{referer.netloc}" == own


def csrf_failure(request, reason: str = ""):
    """CSRF_FAILURE_VIEW: a form sent with an expired or missing token (a long report typed while the
    session ran out). The submit form gets its own answer: everything typed comes back, with the files."""
    if request.path == "/lapor/" and request.method == "POST" and _from_this_site(request):
        try:
            return submit_failed(
                request,
                status=403,
                reason=_(
                    "Laporan Anda BELUM terkirim: halaman ini sudah terlalu lama terbuka (token keamanan kedaluwarsa). "
                    "Semua isian Anda kami kembalikan di bawah; periksa lalu tekan Kirim sekali lagi."
                ),
            )
        except Exception:  # noqa: BLE001
            log.exception("submit form could not be given back after a CSRF failure")
    return error_response(
        request,
        403,
        code="csrf_failed",
        message=_("Formulir ini sudah kedaluwarsa atau dikirim dari luar situs. Muat ulang halaman lalu kirim lagi."),
    )
