"""HMAC-SHA256 signatures on inbound requests, the same scheme the outbox signs with (core/signing.py):
``X-Lapor-Signature: sha256=<hex of HMAC(secret, raw body)>`` plus ``X-Lapor-Delivery: <uuid>``."""

from __future__ import annotations

from lapor.core import signing
from lapor.core.signing import signature

SIGNATURE_HEADER = "X-Lapor-Signature"
DELIVERY_HEADER = "X-Lapor-Delivery"
TIMESTAMP_HEADER = "X-Lapor-Timestamp"


def signature_valid(secret: str, body: bytes, header: str) -> bool:
    """Partners and peers always send the ``sha256=`` prefix (signed_headers): bare hex is refused."""
    return signing.signature_valid(secret, body, header, bare_hex=False)


def signed_headers(secret: str, body: bytes, delivery_id: str, timestamp: int) -> dict[str, str]:
    """For peers and tests that sign by hand (what the outbox sends)."""
    return {SIGNATURE_HEADER: signature(secret, body), DELIVERY_HEADER: delivery_id, TIMESTAMP_HEADER: str(timestamp)}
