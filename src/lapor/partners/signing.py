"""HMAC-SHA256 signatures on inbound requests, the same scheme the outbox signs with:
``X-Lapor-Signature: sha256=<hex of HMAC(secret, raw body)>`` plus ``X-Lapor-Delivery: <uuid>``."""
from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Lapor-Signature"
DELIVERY_HEADER = "X-Lapor-Delivery"
TIMESTAMP_HEADER = "X-Lapor-Timestamp"


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, header: str) -> bool:
    header = (header or "").strip()
    if not secret or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(signature(secret, body), header)


def signed_headers(secret: str, body: bytes, delivery_id: str, timestamp: int) -> dict[str, str]:
    """For peers and tests that sign by hand (what the outbox sends)."""
    return {SIGNATURE_HEADER: signature(secret, body), DELIVERY_HEADER: delivery_id, TIMESTAMP_HEADER: str(timestamp)}
