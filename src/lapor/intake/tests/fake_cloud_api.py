"""A local stand-in for the WhatsApp Cloud API (graph.facebook.com), on 127.0.0.1:8131-8139.

It answers the three endpoints we use and refuses what the published API refuses, with the API's
error shape ``{"error": {"message", "type", "code", "fbtrace_id"}}``:

    POST /v21.0/<PHONE_NUMBER_ID>/messages   text or template message (checked field by field)
    GET  /v21.0/<MEDIA_ID>                   the media's URL, type, sha256 and size
    GET  /media/<MEDIA_ID>                   the file itself

A free-text message to a number that has not written in the last 24 hours is refused with
code 131047, as the real API does; ``customer_wrote(wa_id)`` opens that window.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "fake-whatsapp-token"
PHONE_NUMBER_ID = "106540352242922"
APP_SECRET = "fake-app-secret"
VERIFY_TOKEN = "fake-verify-token"
PORTS = range(8131, 8140)
# Approved templates: name -> (languages, number of body parameters)
TEMPLATES = {"lapor_pembaruan_laporan": ({"id", "en"}, 2)}
TEXT_KEYS = {"messaging_product", "recipient_type", "to", "type", "text", "context", "biz_opaque_callback_data"}
TEMPLATE_KEYS = TEXT_KEYS - {"text"} | {"template"}


class ApiError(Exception):
    def __init__(self, status: int, code: int, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def check_message(body, window: set[str]) -> None:
    """The messages endpoint's rules for the two types we send (Cloud API reference, "Messages")."""
    if not isinstance(body, dict):
        raise ApiError(400, 100, "Invalid parameter: body must be a JSON object")
    if body.get("messaging_product") != "whatsapp":
        raise ApiError(400, 100, "The parameter messaging_product is required and must be 'whatsapp'")
    to = body.get("to")
    if not isinstance(to, str) or not re.fullmatch(r"[1-9]\d{7,14}", to):
        raise ApiError(400, 100, "Invalid parameter: to must be a phone number in international format without +")
    if body.get("recipient_type", "individual") != "individual":
        raise ApiError(400, 100, "Invalid parameter: recipient_type")
    kind = body.get("type")
    if kind == "text":
        extra = set(body) - TEXT_KEYS
        text = body.get("text")
        if extra or not isinstance(text, dict) or set(text) - {"body", "preview_url"}:
            raise ApiError(400, 100, f"Unexpected key(s) {sorted(extra) or sorted(set(text or {}))}")
        if not isinstance(text.get("body"), str) or not text["body"].strip() or len(text["body"]) > 4096:
            raise ApiError(400, 100, "text.body is required, at most 4096 characters")
        if to not in window:
            raise ApiError(
                400,
                131047,
                "Re-engagement message: more than 24 hours have passed since the "
                "recipient last replied to the sender number.",
            )
        return
    if kind == "template":
        if set(body) - TEMPLATE_KEYS:
            raise ApiError(400, 100, f"Unexpected key(s) {sorted(set(body) - TEMPLATE_KEYS)}")
        template = body.get("template")
        if not isinstance(template, dict) or not isinstance(template.get("name"), str):
            raise ApiError(400, 100, "template.name is required")
        language = template.get("language")
        if not isinstance(language, dict) or not isinstance(language.get("code"), str):
            raise ApiError(400, 100, "template.language.code is required")
        if template["name"] not in TEMPLATES or language["code"] not in TEMPLATES[template["name"]][0]:
            raise ApiError(404, 132001, "Template name does not exist in the translation")
        params = []
        for component in template.get("components", []):
            if component.get("type") not in ("header", "body", "button"):
                raise ApiError(400, 100, "Invalid component type")
            for param in component.get("parameters", []):
                if param.get("type") != "text" or not isinstance(param.get("text"), str) or not param["text"]:
                    raise ApiError(400, 100, "Invalid parameter type")
                if re.search(r"[\n\t]| {5,}", param["text"]):
                    raise ApiError(
                        400, 132018, "Param text cannot have new-line/tab characters or more than 4 consecutive spaces"
                    )
                if component["type"] == "body":
                    params.append(param["text"])
        if len(params) != TEMPLATES[template["name"]][1]:
            raise ApiError(400, 132000, "Number of parameters does not match the expected number of params")
        return
    raise ApiError(400, 100, f"Unsupported message type {kind!r}")


class FakeCloudApi:
    def __init__(self):
        self.base = ""
        self.sent: list[dict] = []  # accepted message bodies, with "wamid"
        self.refused: list[dict] = []  # (body, error code)
        self.media: dict[str, tuple[bytes, str]] = {}
        self.media_requests: list[str] = []
        self.window: set[str] = set()
        self.fail_next: list[int] = []  # HTTP statuses for the next message posts (5xx: a broken API)
        self._n = 0

    def customer_wrote(self, wa_id: str) -> None:
        self.window.add(wa_id.lstrip("+"))

    def media_add(self, media_id: str, data: bytes, mime: str = "image/jpeg") -> None:
        self.media[media_id] = (data, mime)

    def texts(self, to: str | None = None) -> list[str]:
        return [b["text"]["body"] for b in self.sent if b["type"] == "text" and (to is None or b["to"] == to)]

    def handle(self, method: str, path: str, headers, raw: bytes) -> tuple[int, str, bytes]:
        if headers.get("Authorization") != f"Bearer {TOKEN}":
            raise ApiError(401, 190, "Invalid OAuth access token - Cannot parse access token")
        if method == "POST" and path == f"/v21.0/{PHONE_NUMBER_ID}/messages":
            if headers.get("Content-Type", "").split(";")[0] != "application/json":
                raise ApiError(400, 100, "Content-Type must be application/json")
            if self.fail_next:
                status = self.fail_next.pop(0)
                raise ApiError(status, 131000, "Something went wrong")
            body = json.loads(raw or b"null")
            try:
                check_message(body, self.window)
            except ApiError as exc:
                self.refused.append({"body": body, "code": exc.code})
                raise
            self._n += 1
            wamid = f"wamid.FAKE{self._n:06d}"
            self.sent.append({**body, "wamid": wamid})
            return (
                200,
                "application/json",
                json.dumps(
                    {
                        "messaging_product": "whatsapp",
                        "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                        "messages": [{"id": wamid}],
                    }
                ).encode(),
            )
        match = re.fullmatch(r"/v21\.0/(\d+)", path)
        if method == "GET" and match and match.group(1) in self.media:
            data, mime = self.media[match.group(1)]
            self.media_requests.append(match.group(1))
            return (
                200,
                "application/json",
                json.dumps(
                    {
                        "messaging_product": "whatsapp",
                        "url": f"{self.base}/media/{match.group(1)}",
                        "mime_type": mime,
                        "sha256": hashlib.sha256(data).hexdigest(),
                        "file_size": len(data),
                        "id": match.group(1),
                    }
                ).encode(),
            )
        match = re.fullmatch(r"/media/(\d+)", path)
        if method == "GET" and match and match.group(1) in self.media:
            data, mime = self.media[match.group(1)]
            return 200, mime, data
        raise ApiError(404, 100, f"Unsupported {method} request: {path}")


@contextmanager
def cloud_api():
    """Yields a running FakeCloudApi on the first free port of 8131-8139."""
    fake = FakeCloudApi()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method: str):
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                status, ctype, out = fake.handle(method, self.path, self.headers, raw)
            except ApiError as exc:
                status, ctype = exc.status, "application/json"
                out = json.dumps(
                    {
                        "error": {
                            "message": exc.message,
                            "type": "OAuthException",
                            "code": exc.code,
                            "fbtrace_id": "AbCdEf",
                        }
                    }
                ).encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def do_GET(self):  # noqa: N802
            self._serve("GET")

        def do_POST(self):  # noqa: N802
            self._serve("POST")

        def log_message(self, *args):
            pass

    with serving(Handler) as base:
        fake.base = base
        yield fake


@contextmanager
def serving(handler):
    """Serve ``handler`` on the first free port of 8131-8139 (loopback only); yields the base URL."""
    server = None
    for port in PORTS:
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), handler)
            break
        except OSError:
            continue
    if server is None:
        raise RuntimeError("no free port in 8131-8139 for a local fake")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def configure(settings, fake: FakeCloudApi) -> None:
    settings.LAPOR_WHATSAPP_TOKEN = TOKEN
    settings.LAPOR_WHATSAPP_PHONE_NUMBER_ID = PHONE_NUMBER_ID
    settings.LAPOR_WHATSAPP_VERIFY_TOKEN = VERIFY_TOKEN
    settings.LAPOR_WHATSAPP_APP_SECRET = APP_SECRET
    settings.LAPOR_WHATSAPP_API_BASE = f"{fake.base}/v21.0"


# --- What Meta sends us --------------------------------------------------------------------------


def webhook(wa_id: str, message: dict, *, name: str = "Warga") -> dict:
    """One message as the webhook delivers it (Cloud API reference, "Webhooks: messages")."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "621708", "phone_number_id": PHONE_NUMBER_ID},
                            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
                            "messages": [{"from": wa_id, "timestamp": str(int(time.time())), **message}],
                        },
                    }
                ],
            }
        ],
    }


def text_message(wamid: str, body: str, *, context: str = "") -> dict:
    out = {"id": wamid, "type": "text", "text": {"body": body}}
    if context:
        out["context"] = {"from": "621708", "id": context}
    return out


def image_message(wamid: str, media_id: str, caption: str = "") -> dict:
    image = {"mime_type": "image/jpeg", "sha256": "x", "id": media_id}
    if caption:
        image["caption"] = caption
    return {"id": wamid, "type": "image", "image": image}


def signed(client, payload: dict, *, secret: str = APP_SECRET):
    raw = json.dumps(payload).encode()
    sig = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return client.generic(
        "POST", "/intake/whatsapp", raw, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=sig
    )


def document_message(wamid: str, media_id: str, *, filename: str, mime: str, caption: str = "") -> dict:
    document = {"mime_type": mime, "sha256": "x", "id": media_id, "filename": filename}
    if caption:
        document["caption"] = caption
    return {"id": wamid, "type": "document", "document": document}


def audio_message(wamid: str, media_id: str, *, voice: bool = True, mime: str = "audio/ogg; codecs=opus") -> dict:
    """A voice note (``voice: true``, OGG/Opus) or an audio file sent as such."""
    return {"id": wamid, "type": "audio", "audio": {"mime_type": mime, "sha256": "x", "id": media_id, "voice": voice}}


def location_message(wamid: str, latitude, longitude, *, name: str = "", address: str = "", context: str = "") -> dict:
    location = {"latitude": latitude, "longitude": longitude}
    if name:
        location["name"] = name
    if address:
        location["address"] = address
    out = {"id": wamid, "type": "location", "location": location}
    if context:
        out["context"] = {"from": "621708", "id": context}
    return out
