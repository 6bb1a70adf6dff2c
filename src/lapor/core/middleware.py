"""A lost database (restart, failover, network) answers 503 with Retry-After, not a 500.

Nothing half-done can be left behind: every write is one transaction, which PostgreSQL rolls back
when the connection dies; Django's health check (CONN_HEALTH_CHECKS) reconnects on the next request.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
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
