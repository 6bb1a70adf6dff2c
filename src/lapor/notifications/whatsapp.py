"""WhatsApp Business Platform, Cloud API: the sending side (outbox channel "whatsapp") and the
Graph API calls the intake side needs (media download). Standard library HTTP only.

    POST {API_BASE}/{PHONE_NUMBER_ID}/messages   {"messaging_product": "whatsapp", "to", "type": "text"|"template", ...}
    GET  {API_BASE}/{MEDIA_ID}                   -> {"url", "mime_type", "sha256", "file_size", "id"}
    GET  <that url>                              -> the file (same bearer token)

Inside the 24-hour customer-service window (the citizen wrote to us less than 24 hours ago,
``WhatsAppContact``) a message goes as free text; outside it only an approved template may open the
conversation: ``LAPOR_WHATSAPP_TEMPLATE`` with body parameters {{1}} tracking id and {{2}} the update
on one line. When the API answers a text with error 131047 (the window closed on its clock), the same
attempt sends the template instead. Every other failure raises: the outbox retries, then dead-letters.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.error
import urllib.request

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy, override

from .models import OutboxMessage, WhatsAppContact, WhatsAppSent

WINDOW = dt.timedelta(hours=24)
REENGAGEMENT_ERROR = 131047  # "Re-engagement message": more than 24 hours since the citizen last wrote
HTTP_TIMEOUT = 10
TEMPLATE_PARAM_MAX = 700  # a template's body is at most 1024 characters with its fixed words
SETTINGS = (
    "LAPOR_WHATSAPP_TOKEN",
    "LAPOR_WHATSAPP_PHONE_NUMBER_ID",
    "LAPOR_WHATSAPP_VERIFY_TOKEN",
    "LAPOR_WHATSAPP_APP_SECRET",
)


def whatsapp_missing() -> list[str]:
    """The settings the channel still needs (empty: the channel is on)."""
    return [name for name in SETTINGS if not str(getattr(settings, name) or "")]


def whatsapp_enabled() -> bool:
    return not whatsapp_missing()


def _api_base() -> str:
    return str(settings.LAPOR_WHATSAPP_API_BASE).rstrip("/")


class GraphError(RuntimeError):
    """The Graph API refused a call: HTTP status and the error's code (``error.code`` of its body)."""

    def __init__(self, status: int, code: int | None, message: str):
        super().__init__(f"Graph API HTTP {status} code {code}: {message[:200]}")
        self.status, self.code = status, code


def graph_call(method: str, url: str, body: dict | None = None) -> tuple[str, bytes]:
    """One Graph API call with the bearer token; returns (content type, body bytes)."""
    if not url.lower().startswith(("http://", "https://")):
        url = _api_base() + "/" + url.lstrip("/")
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {settings.LAPOR_WHATSAPP_TOKEN}", "User-Agent": "lapor-whatsapp/1"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310 (scheme checked)
            return response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        try:
            error = json.loads(exc.read() or b"{}").get("error") or {}
        except (ValueError, AttributeError):
            error = {}
        raise GraphError(exc.code, error.get("code"), str(error.get("message") or exc.reason)) from None


def graph_json(method: str, url: str, body: dict | None = None) -> dict:
    _type, data = graph_call(method, url, body)
    return json.loads(data or b"{}")


def media_fetch(media_id: str, *, max_bytes: int) -> tuple[bytes, str]:
    """A citizen's photo: the media endpoint gives a short-lived URL, fetched with the same token."""
    meta = graph_json("GET", f"/{media_id}")
    if int(meta.get("file_size") or 0) > max_bytes:
        raise GraphError(413, None, "media larger than the upload limit")
    _type, data = graph_call("GET", str(meta["url"]))
    return data[: max_bytes + 1], str(meta.get("mime_type") or "")


def wa_id(phone: str) -> str:
    """+6281234567890 -> 6281234567890 (the API's ``to`` is the number without the plus)."""
    return phone.lstrip("+")


# --- The 24-hour window -------------------------------------------------------------------------


def window_touch(*, phone: str, at: dt.datetime) -> None:
    """The citizen wrote at ``at``: free text may reach them for the next 24 hours."""
    updated = WhatsAppContact.objects.filter(phone=phone, last_inbound_at__lt=at).update(last_inbound_at=at)
    if not updated:
        WhatsAppContact.objects.get_or_create(phone=phone, defaults={"last_inbound_at": at})


def window_open(phone: str, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return WhatsAppContact.objects.filter(phone=phone, last_inbound_at__gt=now - WINDOW).exists()


# --- What goes out ------------------------------------------------------------------------------


def one_line(text: str, size: int = TEMPLATE_PARAM_MAX) -> str:
    """A template parameter: no new lines or tabs, at most four spaces in a row (the API's rules)."""
    text = re.sub(r"\s+", " ", text or "").strip()
    return text if len(text) <= size else text[: size - 3].rstrip() + "..."


HINTS = {  # what the citizen can do next, on WhatsApp
    "submitted": gettext_lazy("Balas pesan ini untuk menambah keterangan atau foto. Cek status: STATUS %(tid)s"),
    "follow_up": gettext_lazy("Balas pesan ini untuk menanggapi. Bila sudah tuntas, beri nilai: NILAI %(tid)s <1-5>"),
    "info_requested": gettext_lazy("Balas pesan ini dengan informasi yang diminta."),
    "completed": gettext_lazy("Beri nilai 1-5: kirim NILAI %(tid)s <angka> <komentar>"),
    "auto_completed": gettext_lazy("Beri nilai 1-5: kirim NILAI %(tid)s <angka> <komentar>"),
}


def whatsapp_payload(kind: str, tracking_id: str, text: dict, lang: str) -> dict:
    """The outbox payload of a notification (``messages.render`` output, which reads the report
    through the projection): the free text and the template's parameters."""
    with override(lang if lang in ("id", "en") else "id"):
        hint = HINTS.get(kind)
        extra = ("\n\n" + str(hint) % {"tid": tracking_id}) if hint else ""
    return {
        "kind": kind,
        "lang": lang,
        "text": f"*{text['subject']}*\n\n{text['body']}{extra}",
        "template": {"params": [tracking_id, one_line(text["body"])]},
    }


def text_body(to: str, text: str) -> dict:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"preview_url": False, "body": text[:4096]},
    }


def template_body(to: str, params: list[str], lang: str) -> dict:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": {
            "name": settings.LAPOR_WHATSAPP_TEMPLATE,
            "language": {"code": lang if lang in ("id", "en") else "id"},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": one_line(str(p))} for p in params]}
            ],
        },
    }


def _post(body: dict) -> str:
    answer = graph_json("POST", f"/{settings.LAPOR_WHATSAPP_PHONE_NUMBER_ID}/messages", body)
    return str(((answer.get("messages") or [{}])[0]).get("id") or "")


def send_whatsapp(message: OutboxMessage) -> None:
    """The outbox sender: free text inside the window, the template outside it."""
    p, to = message.payload, wa_id(message.recipient)
    text, lang = str(p.get("text") or ""), str(p.get("lang") or "id")
    params = (p.get("template") or {}).get("params") or [one_line(text)]
    if not whatsapp_enabled():
        if settings.PRODUCTION:
            raise RuntimeError("WhatsApp is not configured (LAPOR_WHATSAPP_TOKEN, _PHONE_NUMBER_ID, ...)")
        from .senders import _development_sink  # cycle: senders ↔ whatsapp

        _development_sink(message, json.dumps(text_body(to, text), ensure_ascii=False).encode(), ".json")
        return
    if window_open(message.recipient):
        try:
            wamid = _post(text_body(to, text))
        except GraphError as exc:
            if exc.code != REENGAGEMENT_ERROR:
                raise
            wamid = _post(template_body(to, params, lang))
    else:
        wamid = _post(template_body(to, params, lang))
    if wamid:
        WhatsAppSent.objects.get_or_create(
            wamid=wamid[:255],
            defaults={
                "phone": message.recipient[:16],
                "report_id": message.report_id,
                "delivery_id": message.delivery_id,
            },
        )


def sent_report_id(*, wamid: str, phone: str) -> int | None:
    """The report a message we sent to this number was about (a citizen's reply quoting it)."""
    return WhatsAppSent.objects.filter(wamid=wamid, phone=phone).values_list("report_id", flat=True).first()
