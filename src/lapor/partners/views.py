"""The federation endpoints peers call: /federation/inbound (a forwarded report),
/federation/status (the status of a report we forwarded) and /federation/reporter (the origin
reporter's reply, acceptance, rating or reopening of a report they forwarded to us). Signed, or refused with a 4xx and a
reason; a refused request changes nothing."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from lapor.core.errors import DomainError
from lapor.core.text import json_loads_strict

from . import federation, relay
from .models import Peer
from .relay_files import body_max
from .signing import DELIVERY_HEADER, SIGNATURE_HEADER, signature_valid

MAX_BODY = 256 * 1024


def _refuse(status: int, code: str, message) -> JsonResponse:
    return JsonResponse({"code": code, "message": str(message)}, status=status)


def _body(request: HttpRequest, limit: int) -> bytes | None:
    """The raw body, or None when it is over ``limit`` (read from the stream: Django's in-memory
    cap for ``request.body`` is smaller than a relay with its files)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    body = request.read(limit + 1)
    return body if len(body) <= limit else None


def _signed_call(request: HttpRequest, *, kind: str, apply, allowed, max_body: int = MAX_BODY) -> JsonResponse:
    body = _body(request, max_body)
    if body is None:
        return _refuse(413, "too_large", _("Badan permintaan terlalu besar."))
    try:
        payload = json_loads_strict(body or b"")  # also too deep, or a lone surrogate: 400, not 500
    except ValueError:
        return _refuse(400, "invalid_json", _("Badan permintaan bukan JSON yang sah."))
    if not isinstance(payload, dict):
        return _refuse(400, "invalid_payload", _("Badan permintaan harus objek JSON."))
    peer = Peer.objects.filter(slug=str(payload.get("origin") or "")[:60], is_active=True).first()
    if peer is None:
        return _refuse(403, "unknown_peer", _("Asal (origin) tidak dikenal sebagai peer aktif."))
    if not signature_valid(peer.secret, body, request.headers.get(SIGNATURE_HEADER, "")):
        return _refuse(401, "bad_signature", _("Tanda tangan X-Lapor-Signature tidak ada atau tidak cocok."))
    if not allowed(peer):
        return _refuse(403, "direction_not_allowed", _("Peer ini tidak diizinkan mengirim ke sini."))
    if payload.get("type") != kind:
        return _refuse(400, "wrong_type", _("Jenis pesan salah untuk alamat ini (harus %(kind)s).") % {"kind": kind})
    delivery_id = request.headers.get(DELIVERY_HEADER, "").strip()
    if not delivery_id:
        return _refuse(400, "delivery_required", _("Header X-Lapor-Delivery wajib ada."))
    try:
        link = apply(peer=peer, payload=payload, delivery_id=delivery_id)
    except DomainError as exc:
        return _refuse(exc.status if 400 <= exc.status < 500 else 400, exc.code, exc.message)
    return JsonResponse({"ok": True, "tracking_id": link.report.tracking_id}, status=202)


@csrf_exempt
@require_POST
def federation_inbound(request: HttpRequest) -> JsonResponse:
    return _signed_call(
        request,
        kind=federation.FORWARD,
        apply=federation.federation_inbound_accept,
        allowed=lambda peer: peer.receives_from,
    )


@csrf_exempt
@require_POST
def federation_status(request: HttpRequest) -> JsonResponse:
    return _signed_call(
        request, kind=federation.STATUS, apply=federation.federation_status_apply, allowed=lambda peer: peer.sends_to
    )


@csrf_exempt
@require_POST
def federation_reporter(request: HttpRequest) -> JsonResponse:
    return _signed_call(
        request,
        kind=relay.REPORTER,
        apply=relay.federation_reporter_apply,
        allowed=lambda peer: peer.receives_from,
        max_body=body_max(MAX_BODY),  # the reporter's files travel in the body (relay_files.py)
    )
