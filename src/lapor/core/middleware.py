"""A lost database (restart, failover, network) answers 503 with Retry-After, not a 500; a method a
view does not take answers 405 in the door's error shape.

Nothing half-done can be left behind: every write is one transaction, which PostgreSQL rolls back
when the connection dies; Django's health check (CONN_HEALTH_CHECKS) reconnects on the next request.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponseNotAllowed
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        log.warning("database unavailable for %s %s: %s", request.method, request.path, exception)
        message = _("Layanan sedang sibuk atau dalam pemeliharaan. Silakan coba lagi sebentar lagi.")
        error_response = import_string(settings.LAPOR_ERROR_RESPONSE)
        # JSON under /api/; elsewhere the site's error page, rendered without the database
        response = error_response(request, 503, code="service_unavailable", message=message, light=True)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response


class MethodNotAllowedMiddleware:
    """A method a view does not take (Django's ``require_POST``, Ninja's path view) answers 405 in the
    door's documented shape: JSON ``{code, message}`` under /api/, /federation/ and /intake/, the
    site's page elsewhere (both gave ``Method not allowed`` or an empty body as text/html). The
    ``Allow`` header stays. Open311 answers its own 405 in the spec's shape."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        error_response = import_string(settings.LAPOR_ERROR_RESPONSE)
        method = request.META.get("REQUEST_METHOD", request.method)  # HEAD stays HEAD (HeadAsGetMiddleware)
        message = _("Metode %(method)s tidak didukung di sini.") % {"method": method[:10]}
        answer = error_response(request, 405, code="method_not_allowed", message=message)
        answer["Allow"] = response["Allow"]
        return answer


HEAD_DOORS = ("/api/", "/open311/")


def allow_with_head(allow: str) -> str:
    """An ``Allow`` that lists GET lists HEAD too (a server that takes GET takes HEAD, RFC 9110 9.3.2)."""
    methods = [m.strip() for m in allow.split(",") if m.strip()]
    if "GET" in methods and "HEAD" not in methods:
        methods.insert(methods.index("GET") + 1, "HEAD")
    return ", ".join(methods)


class HeadAsGetMiddleware:
    """HEAD on the API and Open311 is the GET without its body (the routes name GET only, so HEAD was a
    405). The view runs as for GET; the WSGI server (gunicorn, the test client) sends no body for HEAD
    and keeps the headers, Content-Length included. A path that takes no GET still answers 405, and
    every 405's ``Allow`` there lists HEAD beside GET."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        head = request.method == "HEAD" and request.path.startswith(HEAD_DOORS)
        if head:
            request.method = "GET"  # REQUEST_METHOD in META stays HEAD: the 405 message names it
        try:
            response = self.get_response(request)
        finally:
            if head:
                request.method = "HEAD"
        if response.status_code == 405 and response.has_header("Allow") and request.path.startswith(HEAD_DOORS):
            response["Allow"] = allow_with_head(response["Allow"])
        return response
