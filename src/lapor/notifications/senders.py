"""One sender per channel. Each raises on failure; the outbox counts attempts and retries.

HTTP uses the standard library only (urllib), with a short timeout.

Outside production, an e-mail or SMS with no server configured for it (no ``LAPOR_SMTP_HOST`` with
the SMTP backend, no ``LAPOR_SMS_GATEWAY_URL``) is written to ``DATA_DIR/outbox/<channel>/`` instead,
one file per delivery (the embedded default and the demo need no mail server or SMS gateway, and show
what citizens and officers would receive). In production such a message fails and is retried, so a
missing setting shows up in the outbox's status rather than in a folder nobody reads.
"""

from __future__ import annotations

import json
import logging
import os
import time
import urllib.error
import urllib.request
from email.utils import parseaddr
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from lapor.core.signing import signature

from .models import OutboxMessage, WebNotification
from .sms import sms_gsm7, sms_segments

log = logging.getLogger(__name__)
HTTP_TIMEOUT = 10


def _setting(name: str) -> str:
    return str(getattr(settings, name) or "")


def http_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    if not url.lower().startswith(("http://", "https://")):
        raise ValueError("only http(s) URLs are delivered")
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "lapor-outbox/1", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310 (scheme checked)
            return response.status
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"HTTP {exc.code} from receiver") from None


def _development_sink(message: OutboxMessage, data: bytes, suffix: str) -> None:
    """Write an undeliverable e-mail or SMS to DATA_DIR/outbox/<channel>/<delivery id><suffix>
    (development only). Named by the delivery id, so a retry rewrites the same file; the log line
    names the file, never the recipient or the text."""
    folder = Path(settings.DATA_DIR) / "outbox" / message.channel
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{message.delivery_id}{suffix}"
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)
    log.info(
        "outbox %s: no %s server configured (development), written to %s", message.delivery_id, message.channel, path
    )


def _smtp_configured() -> bool:
    return (
        bool(_setting("LAPOR_SMTP_HOST"))
        or settings.PRODUCTION
        or (settings.EMAIL_BACKEND != "django.core.mail.backends.smtp.EmailBackend")
    )  # e.g. tests' in-memory box


def email_message_id(message: OutboxMessage) -> str:
    """Our Message-ID: the delivery id (random, unique, stored with the report), so a reply's
    In-Reply-To or References leads back to the report (lapor.notifications.selectors)."""
    domain = parseaddr(_setting("LAPOR_EMAIL_FROM"))[1].rpartition("@")[2]
    return f"<{message.delivery_id}@{domain or 'lapor.invalid'}>"


def send_email(message: OutboxMessage) -> None:
    connection = get_connection(
        host=_setting("LAPOR_SMTP_HOST") or settings.EMAIL_HOST,
        port=int(_setting("LAPOR_SMTP_PORT") or settings.EMAIL_PORT),
        username=_setting("LAPOR_SMTP_USER"),
        password=_setting("LAPOR_SMTP_PASSWORD"),
        use_tls=_setting("LAPOR_SMTP_TLS") in ("1", "true", "yes"),
        timeout=HTTP_TIMEOUT,
    )
    email = EmailMessage(
        subject=message.payload.get("subject", "LAPOR!"),
        body=message.payload.get("body", ""),
        from_email=_setting("LAPOR_EMAIL_FROM"),
        to=[message.recipient],
        headers={"X-Lapor-Delivery": str(message.delivery_id), "Message-ID": email_message_id(message)},
        connection=connection,
    )
    if not _smtp_configured():
        _development_sink(message, email.message().as_bytes(), ".eml")
        return
    email.send(fail_silently=False)


def send_sms(message: OutboxMessage) -> None:
    url = _setting("LAPOR_SMS_GATEWAY_URL")
    if not url and settings.PRODUCTION:
        raise RuntimeError("LAPOR_SMS_GATEWAY_URL is not configured")
    text = sms_gsm7(message.payload.get("text", ""))  # one stray "…" would triple the parts
    body = json.dumps(
        {
            "to": message.recipient,
            "text": text,
            "parts": sms_segments(text),
            "delivery_id": str(message.delivery_id),
            "sender": _setting("LAPOR_SMS_SENDER_ID"),
        }
    ).encode()
    if not url:
        _development_sink(message, body, ".json")
        return
    headers = {"X-Lapor-Delivery": str(message.delivery_id)}
    token = _setting("LAPOR_SMS_GATEWAY_TOKEN")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    http_post(url, body, headers)


def send_web(message: OutboxMessage) -> None:
    p = message.payload
    WebNotification.objects.get_or_create(
        delivery_id=message.delivery_id,
        defaults={
            "user_id": int(message.recipient),
            "report_id": message.report_id,
            "kind": p.get("kind", "")[:40],
            "title": p.get("title", "")[:200],
            "body": p.get("body", ""),
            "url": p.get("url", "")[:300],
        },
    )


def send_webhook(message: OutboxMessage) -> None:
    body = json.dumps(message.payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {"X-Lapor-Delivery": str(message.delivery_id), "X-Lapor-Timestamp": str(int(time.time()))}
    secret = message.secret or _setting("LAPOR_WEBHOOK_SECRET")
    if secret:
        headers["X-Lapor-Signature"] = signature(secret, body)
    else:
        log.warning("webhook %s sent unsigned: no secret configured", message.delivery_id)
    http_post(message.recipient, body, headers)


def send_fanout(message: OutboxMessage) -> None:
    """Not sent anywhere: the deferred notifications of a change, written now as messages of their own."""
    from .notify import events_fanout  # cycle: notify → services → senders

    events_fanout(event_ids=[int(pk) for pk in message.payload.get("event_ids", [])])


def send_whatsapp(message: OutboxMessage) -> None:
    from .whatsapp import send_whatsapp as send  # cycle: senders ↔ whatsapp

    send(message)


SENDERS = {
    "email": send_email,
    "sms": send_sms,
    "web": send_web,
    "webhook": send_webhook,
    "fanout": send_fanout,
    "whatsapp": send_whatsapp,
}


def send(message: OutboxMessage) -> None:
    SENDERS[message.channel](message)
