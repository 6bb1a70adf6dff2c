"""API authentication: bearer tokens (scripts, partners) and the browser session (with CSRF)."""
from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from ninja.security import HttpBearer, django_auth

from lapor.accounts.selectors import api_token_authenticate


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


def guest_ok(request):
    """Lets a request through without credentials (report submission, guest tracking)."""
    return request.user if getattr(request, "user", None) is not None else AnonymousUser()


token_auth = TokenAuth()
STAFF_AUTH = [token_auth, django_auth]
OPTIONAL_AUTH = [token_auth, django_auth, guest_ok]


def request_user(request):
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None
