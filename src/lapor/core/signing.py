"""Request signing, one scheme for every door: ``sha256=<hex of HMAC-SHA256(secret, raw body)>``.

The outbox signs webhooks with it (notifications/senders.py), partners and federation peers sign
inbound requests with it (partners/signing.py), and the intake channels' gateways sign their
webhooks with it (intake/signing.py). Whether a header may carry the bare hex without ``sha256=``
is each door's explicit choice: the intake gateways may (GitHub-style gateways send bare hex; the
documented header allows it), partners and peers may not (our own signed_headers always prefixes).
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="


def signature(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the exact body bytes with the shared secret."""
    return PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, header: str | None, *, bare_hex: bool) -> bool:
    """Is ``header`` the signature of ``body`` with ``secret``? Never with no secret or no header.
    ``bare_hex``: also accept the hex digest without the ``sha256=`` prefix."""
    given = (header or "").strip()
    if not secret or not given:
        return False
    if not given.startswith(PREFIX):
        if not bare_hex:
            return False
        given = PREFIX + given
    return hmac.compare_digest(signature(secret, body), given)
