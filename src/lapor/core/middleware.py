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
        message = _("Metode %(method)s tidak didukung di sini.") % {"method": request.method[:10]}
        answer = error_response(request, 405, code="method_not_allowed", message=message)
        answer["Allow"] = response["Allow"]
        return answer
