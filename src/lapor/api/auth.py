"""API authentication: bearer tokens (scripts, partners) and the browser session (with CSRF)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from ninja.security import HttpBearer, SessionAuth

from lapor.core.hooks import hook


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        user = hook("api_token_authenticate")(token)  # accounts holds the tokens; api knows no domain app
        if user is not None:
            request.user = user
        return user


class SessionCookieAuth(SessionAuth):
    """The browser session, with Django's CSRF check — only when a session cookie is sent.

    Ninja's SessionAuth checks CSRF on every unsafe request, so a guest POST with no cookie at all
    (a citizen's app, curl) was refused with 403 before ``guest_ok`` could let it through. Without
    a session cookie there is no ambient credential to forge, so there is nothing to check."""

    def _get_key(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)


django_auth = SessionCookieAuth()


def guest_ok(request):
    """Lets a request through without credentials (report submission, guest tracking)."""
    return request.user if getattr(request, "user", None) is not None else AnonymousUser()


token_auth = TokenAuth()
STAFF_AUTH = [token_auth, django_auth]
OPTIONAL_AUTH = [token_auth, django_auth, guest_ok]


def request_user(request):
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None
