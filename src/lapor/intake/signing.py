"""Inbound webhook authentication: HMAC-SHA256 of the raw body with a shared secret,
sent as ``X-Signature: sha256=<hex>`` (or bare hex). Same scheme as our outbound webhooks."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from lapor.core.errors import DomainError
from lapor.core.signing import signature_valid


class Unauthenticated(DomainError):
    status = 401
    code = "bad_signature"


def secret_for(name: str) -> str:
    return str(getattr(settings, name, "") or "")


def signature_check(request, secret_name: str, *, header: str = "HTTP_X_SIGNATURE") -> None:
    """Raise 401 unless the request body is signed with the named secret (unset: 503-like 401)."""
    secret = secret_for(secret_name)
    if not secret:
        raise Unauthenticated(_("Kanal ini belum dikonfigurasi (rahasia bersama belum diatur)."), code="not_configured")
    given = request.META.get(header, "") or request.META.get("HTTP_X_HUB_SIGNATURE_256", "")
    if not given:
        raise Unauthenticated(_("Tanda tangan X-Signature tidak ada."), code="signature_missing")
    if not signature_valid(secret, request.body, given, bare_hex=True):  # the documented header allows it
        raise Unauthenticated(_("Tanda tangan X-Signature tidak cocok."))
