"""One sender per channel. Each raises on failure; the outbox counts attempts and retries.

HTTP uses the standard library only (urllib), with a short timeout.

Outside production, an e-mail or SMS with no server configured for it (no ``LAPOR_SMTP_HOST`` with
the SMTP backend, no ``LAPOR_SMS_GATEWAY_URL``) is written to ``DATA_DIR/outbox/<channel>/`` instead,
one file per delivery (the embedded default and the demo need no mail server or SMS gateway, and show
what citizens and officers would receive). In production such a message fails and is retried, so a
missing setting shows up in the outbox's status rather than in a folder nobody reads.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import ssl
import time
import urllib.error
import urllib.request
from email.utils import parseaddr
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from lapor.core.addresses import PrivateAddressRefused, connection_open, private_allowed
from lapor.core.hooks import hook
from lapor.core.signing import signature

from .models import OutboxMessage, WebNotification
from .sms import sms_gsm7, sms_segments

log = logging.getLogger(__name__)
HTTP_TIMEOUT = 10


def _setting(name: str) -> str:
    return str(getattr(settings, name) or "")


class ReceiverRefused(RuntimeError):
    """The receiver answered with an HTTP error status."""

    def __init__(self, status: int):
        super().__init__(f"HTTP {status} from receiver")
        self.status = status


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = connection_open  # type: ignore[assignment]


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):  # the TLS handshake still checks the certificate for the name
        super().__init__(*args, **kwargs)
        self._create_connection = connection_open  # type: ignore[assignment]


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_GuardedHTTPConnection, req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_GuardedHTTPSConnection, req, context=ssl.create_default_context())


def _opener(guard: bool) -> urllib.request.OpenerDirector:
    """Webhooks (``guard``) connect only to public addresses unless LAPOR_WEBHOOK_ALLOW_PRIVATE
    (lapor.core.addresses); a gateway the operator configured (SMS) is trusted as set. No proxy
    from the environment, and no redirect (a 3xx could point inside)."""
    if not guard:
        return urllib.request.build_opener()
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}), _GuardedHTTPHandler, _GuardedHTTPSHandler, _NoRedirect
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx itself is the answer: an error


def http_post(url: str, body: bytes, headers: dict[str, str], *, guard: bool = False) -> int:
    if not url.lower().startswith(("http://", "https://")):
        raise ValueError("only http(s) URLs are delivered")
    if guard and not private_allowed() and not url.lower().startswith("https://"):
        raise PrivateAddressRefused("plain http:// is refused for webhooks")
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "lapor-outbox/1", **headers},
    )
    try:
        with _opener(guard).open(request, timeout=HTTP_TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        raise ReceiverRefused(exc.code) from None


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
    url, owned = webhook_address(message)
    http_post(url, body, headers, guard=owned)


def webhook_address(message: OutboxMessage) -> tuple[str, bool]:
    """Where a webhook goes now, and whether it belongs to a partner or a peer. Theirs goes to their
    current address (a retry after the operator corrected it reaches the new one), and only to a
    public https address (lapor.core.addresses: the address was typed into a form). One that
    belongs to neither (a social network's reply relay, set in the environment like the SMS
    gateway) goes where it was queued to."""
    current = hook("webhook_address")(dedupe_key=message.dedupe_key or "", recipient=message.recipient)
    return (current, True) if current else (message.recipient, False)


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
