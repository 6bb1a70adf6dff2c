"""Print the example payloads and signatures quoted in docs/channels.md.

    .venv/bin/python bench/channel_signatures.py

Secrets here are examples only; a deployment sets LAPOR_SMS_SECRET, LAPOR_EMAIL_SECRET,
LAPOR_SOCIAL_SECRET (or LAPOR_SOCIAL_SECRET_<NETWORK>).
"""

import hashlib
import hmac
import json


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


EXAMPLES = [
    (
        "POST /intake/sms (JSON)",
        "contoh-rahasia-sms",
        json.dumps(
            {
                "sender": "081234567890",
                "text": "LAPOR Lampu jalan mati",
                "message_id": "gw-1001",
                "time": "2025-03-03T08:00:00+07:00",
            }
        ).encode(),
    ),
    (
        "POST /intake/sms (form)",
        "contoh-rahasia-sms",
        b"sender=%2B6281234567890&text=STATUS+AB12-CD34&message_id=gw-1002",
    ),
    (
        "outbound webhook body",
        "rahasia-penerima",
        json.dumps({"event": "report.updated", "tracking_id": "AB12-CD34"}, separators=(",", ":")).encode(),
    ),
]

if __name__ == "__main__":
    for title, secret, body in EXAMPLES:
        print(f"# {title}  (secret: {secret})")
        print(body.decode())
        print("X-Signature:", sign(secret, body))
        print()
