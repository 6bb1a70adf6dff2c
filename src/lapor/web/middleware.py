"""Content-Security-Policy for every page (no inline scripts anywhere), and domain errors that
escape a page view rendered as a friendly page with their 4xx status instead of a 500."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

from lapor.core.errors import DomainError

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
# The Django admin and the API docs ship inline styles; scripts stay 'self' only.
CSP_RELAXED_STYLES = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


def csp_for(path: str) -> str:
    return CSP_RELAXED_STYLES if path.startswith(("/admin/", "/api/docs")) else CSP


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = csp_for(request.path)
        response.setdefault("Permissions-Policy", "geolocation=(self), camera=(), microphone=()")
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError) and not request.path.startswith("/api/"):
            return render(request, "web/error.html", {"error": exception.message}, status=exception.status)
        return None


class PageLanguageMiddleware:
    """Pages speak Bahasa Indonesia unless the visitor picks another language with the switcher
    (the language cookie). Many phones in Indonesia send ``Accept-Language: en-US``, so the header
    is ignored for pages (the machine doors — the API, Open311, federation, channel webhooks — keep
    honouring it: their clients ask for a language on purpose). LAPOR_WEB_BROWSER_LANGUAGE=1 restores it."""

    MACHINE_DOORS = ("/api/", "/open311/", "/federation/", "/intake/")

    def __init__(self, get_response):
        self.get_response = get_response
        self.honour_header = settings.LAPOR_WEB_BROWSER_LANGUAGE

    def __call__(self, request):
        if not self.honour_header and not request.path.startswith(self.MACHINE_DOORS):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
