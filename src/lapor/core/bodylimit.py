"""The server caps a request's size before reading its body.

A ``Content-Length`` above ``LAPOR_MAX_REQUEST_BYTES`` is refused with 413 at once, before any
middleware or view reads a byte of the body (``CsrfViewMiddleware`` is the first to read it, in
``process_view``, which runs after this). A body without ``Content-Length`` (``Transfer-Encoding:
chunked``) is refused with 411: Django's WSGI request reads exactly ``Content-Length`` bytes, so such a
body would otherwise be silently dropped, and refusing it bounds it at zero bytes read. What the
client still sends after the answer is the WSGI server's to discard (gunicorn drains at most a
bounded amount before it closes the connection; a WSGI app may not set ``Connection`` itself).

The answer is in the caller's language: JSON ``{code, message, detail}`` under /api/, the Open311
error list under /open311/, a page with the site's navigation elsewhere.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# The request head. gunicorn (``lapor serve``) is given hard caps above these (core/serve_worker.py):
# under them the application refuses in the door's shape; over them the worker does.
MAX_URI_BYTES = 8000  # path and query string
MAX_HEADER_BYTES = 8190  # one header line, name and value (a Cookie of 9,000 characters is over)
SERVER_MAX_REQUEST_LINE = 8190  # gunicorn's largest limit_request_line but 0 (unlimited)
SERVER_MAX_HEADER_BYTES = 32768  # gunicorn's limit_request_field_size


def _refuse(request, status: int, code: str, message: str):
    error_response = import_string(settings.LAPOR_ERROR_RESPONSE)
    return error_response(
        request, status, code=code, message=message, detail={"max_bytes": settings.LAPOR_MAX_REQUEST_BYTES}
    )


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.LAPOR_MAX_REQUEST_BYTES
        raw_length = request.META.get("CONTENT_LENGTH", "")
        if raw_length not in ("", None):
            try:
                length = int(raw_length)
            except ValueError:
                length = -1
            if length < 0:
                return _refuse(request, 400, "bad_content_length", _("Panjang isi permintaan tidak sah."))
            if length > limit:
                return _refuse(
                    request,
                    413,
                    "request_too_large",
                    _(
                        "Kiriman terlalu besar: paling banyak %(mb)d MB sekaligus. Laporan belum terkirim; "
                        "kecilkan atau kurangi lampiran lalu kirim lagi."
                    )
                    % {"mb": limit // (1024 * 1024)},
                )
        elif request.method in BODY_METHODS and request.META.get("HTTP_TRANSFER_ENCODING", "").strip():
            return _refuse(
                request,
                411,
                "length_required",
                _("Kiriman tanpa Content-Length tidak diterima. Kirim ulang dengan panjang isi yang disebutkan."),
            )
        return self.get_response(request)


def head_refusal(request, status: int, max_bytes: int):
    """The 414 (URI) or 431 (header) answer in the door's shape: JSON under /api/, /federation/ and
    /intake/, the Open311 error list under /open311/, the site's page elsewhere."""
    if status == 414:
        code = "uri_too_long"
        message = _("Alamat (URL) permintaan terlalu panjang: paling banyak %(n)d bita.") % {"n": max_bytes}
    else:
        code = "header_too_large"
        message = _("Header permintaan (misalnya cookie) terlalu besar: paling banyak %(n)d bita.") % {"n": max_bytes}
    error_response = import_string(settings.LAPOR_ERROR_RESPONSE)
    return error_response(request, status, code=code, message=message, detail={"max_bytes": max_bytes}, light=True)


def bad_request_refusal(request):
    """A request head the server could not read (a malformed line or header), in the door's shape."""
    error_response = import_string(settings.LAPOR_ERROR_RESPONSE)
    return error_response(request, 400, code="bad_request", light=True)


class RequestHeadLimitMiddleware:
    """A URI over ``MAX_URI_BYTES`` is refused with 414, a header line over ``MAX_HEADER_BYTES`` with
    431, before any view reads them (gunicorn's own answers to these were text/html pages)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        uri = len(request.META.get("PATH_INFO", "")) + len(request.META.get("QUERY_STRING", ""))
        if uri > MAX_URI_BYTES:
            return head_refusal(request, 414, MAX_URI_BYTES)
        for key, value in request.META.items():
            if key.startswith("HTTP_") and isinstance(value, str) and len(key) - 3 + len(value) > MAX_HEADER_BYTES:
                return head_refusal(request, 431, MAX_HEADER_BYTES)
        return self.get_response(request)
