"""A lost database (restart, failover, network) answers 503 with Retry-After, not a 500.

Nothing half-done can be left behind: every write is one transaction, which PostgreSQL rolls back
when the connection dies; Django's health check (CONN_HEALTH_CHECKS) reconnects on the next request.
"""
from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
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
        if request.path.startswith("/api/") or request.path == "/healthz":
            response = JsonResponse({"code": "service_unavailable", "message": message}, status=503)
        else:
            response = HttpResponse(f"<!doctype html><title>503</title><p>{message}</p>", status=503,
                                    content_type="text/html; charset=utf-8")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
