"""The overseer (Pengawas) is read-only everywhere.

One gate for every way in — pages, the API (session or bearer token), intake, analytics, partners,
the Django admin: an unsafe request (POST, PUT, PATCH, DELETE) by a person whose every role is
``overseer`` is refused with 403 in their language before any view runs, so a new endpoint is
covered without anyone remembering to. Only the overseer's own account operations, and asking for
a copy of what they may already read (an export or monthly-PDF job), pass; each is listed in
OVERSEER_ALLOWED with the reason (the role matrix test,
``accounts/tests/test_overseer_readonly.py``, crawls every URL and API operation and holds the
list to exactly these).
"""

from __future__ import annotations

import logging
import re

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .models import Role
from .selectors import api_token_authenticate, user_grants

log = logging.getLogger(__name__)

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# (method, path pattern, reason): the overseer's own account, nothing of anyone else's.
OVERSEER_ALLOWED: list[tuple[str, re.Pattern, str]] = [
    ("POST", re.compile(r"^/masuk/$"), "signing in"),
    ("POST", re.compile(r"^/masuk/kode/$"), "the second sign-in step"),
    ("POST", re.compile(r"^/masuk/aktifkan/$"), "enrolling one's own authenticator"),
    ("POST", re.compile(r"^/keluar/$"), "signing out"),
    ("POST", re.compile(r"^/i18n/setlang/$"), "choosing the page language"),
    ("POST", re.compile(r"^/saya/pengaturan/$"), "own preferences: language and notification channels"),
    ("POST", re.compile(r"^/saya/keamanan/sesi/\d+/keluar/$"), "signing one of one's own other browsers out"),
    ("POST", re.compile(r"^/saya/keamanan/sesi/keluar-semua/$"), "signing all one's own other browsers out"),
    ("POST", re.compile(r"^/api/auth/token/?$"), "own API token, with the two-factor code"),
    ("POST", re.compile(r"^/api/notifications/\d+/read/?$"), "marking own notification read"),
    ("PUT", re.compile(r"^/api/notifications/preferences/?$"), "own notification preferences"),
    # Reads: a job copies what the overseer may already open into a file only they (and platform
    # admins) download. analytics.services.job_create scopes it to their grants and refuses them the
    # platform's kinds (open data, routing training); cancelling or deleting a job stays refused.
    ("POST", re.compile(r"^/api/analytics/exports/?$"), "a report-export or monthly-PDF job: a read, in scope"),
    ("POST", re.compile(r"^/analytics/ekspor/?$"), "the report list's export buttons: the same job, from a page"),
]


def user_is_read_only(user) -> bool:
    """Every role the person holds is overseer (a liaison who also oversees may still act as liaison)."""
    grants = user_grants(user)
    return bool(grants) and all(g.role == Role.OVERSEER for g in grants)


def overseer_allowed(method: str, path: str) -> bool:
    return any(method == m and pattern.match(path) for m, pattern, _reason in OVERSEER_ALLOWED)


def _request_person(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:7].lower() == "bearer ":
        return api_token_authenticate(header[7:].strip())
    return None


def read_only_response(request):
    message = _("Peran Pengawas hanya dapat melihat; tindakan ini tidak diizinkan.")
    if request.path.startswith(("/api/", "/intake/", "/federation/", "/open311/", "/analytics/api")):
        return JsonResponse({"code": "read_only", "message": message}, status=403)
    try:
        return render(request, "web/error.html", {"error": message}, status=403)
    except Exception:  # no template (a trimmed deployment): plain text is fine
        return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")


class OverseerReadOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in UNSAFE and not overseer_allowed(request.method, request.path):
            person = _request_person(request)
            if person is not None and user_is_read_only(person):
                log.info("read-only role refused: %s", request.method)  # no path: it may hold a secret
                return read_only_response(request)
        return self.get_response(request)
