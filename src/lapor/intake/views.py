"""Gateway webhooks under /intake/: signed, idempotent, thin. Errors are JSON {code, message}."""

from __future__ import annotations

import functools
import hmac
import logging
import re

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from lapor.core.errors import DomainError, NotFound, ValidationFailed
from lapor.core.text import json_loads_strict
from lapor.notifications.whatsapp import SETTINGS as WHATSAPP_SETTINGS
from lapor.notifications.whatsapp import whatsapp_missing

from .mail import email_receive
from .signing import secret_for, signature_check
from .sms import sms_in, sms_receive
from .social import adapter_for, social_receive
from .whatsapp import whatsapp_receive

log = logging.getLogger(__name__)


class ChannelUnavailable(DomainError):
    status = 503
    code = "not_configured"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


def gateway(view=None, *, methods=("POST",)):
    def decorate(view):
        @csrf_exempt
        @require_http_methods(list(methods))
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except DomainError as exc:
                body = {"code": exc.code, "message": str(exc.message)}
                if exc.detail is not None:
                    body["detail"] = exc.detail
                return JsonResponse(body, status=exc.status)

        return wrapper

    return decorate(view) if view is not None else decorate


def _json(request) -> dict:
    try:
        data = json_loads_strict(request.body or b"")  # also too deep, or a lone surrogate: 400, not 500
    except ValueError:
        raise ValidationFailed(_("Body bukan JSON yang valid."), code="invalid_json") from None
    return data


@gateway
def sms_webhook(request):
    signature_check(request, "LAPOR_SMS_SECRET")
    if request.content_type == "application/json":
        data = _json(request)
        if not isinstance(data, dict):
            raise ValidationFailed(_("Body harus berupa objek JSON."), code="invalid_json")
    else:
        data = request.POST.dict()
    status, body = sms_receive(sms=sms_in(data))
    return JsonResponse(body, status=status)


@gateway
def email_webhook(request):
    signature_check(request, "LAPOR_EMAIL_SECRET")
    return JsonResponse(email_receive(raw=request.body))


@gateway
def social_webhook(request, network: str):
    adapter = adapter_for(network)
    signature_check(
        request,
        f"LAPOR_SOCIAL_SECRET_{adapter.network.upper()}" if _has_own_secret(adapter.network) else "LAPOR_SOCIAL_SECRET",
    )
    drafts, replies = social_receive(network=network, payload=_json(request))
    return JsonResponse({"status": "ok", "drafts": [d.pk for d in drafts], "replies": replies})


def _has_own_secret(network: str) -> bool:
    return bool(secret_for(f"LAPOR_SOCIAL_SECRET_{network.upper()}"))


@gateway(methods=("GET", "POST"))
def whatsapp_webhook(request):
    """GET: Meta's subscription check (hub.mode, hub.verify_token, hub.challenge). POST: messages,
    signed with the app secret (X-Hub-Signature-256)."""
    missing = whatsapp_missing()
    if len(missing) == len(WHATSAPP_SETTINGS):
        raise NotFound(_("Kanal WhatsApp tidak aktif."), code="channel_off")
    if missing:
        raise ChannelUnavailable(
            _("Kanal WhatsApp belum lengkap dikonfigurasi."), code="not_configured", detail={"missing": missing}
        )
    if request.method == "GET":
        given, challenge = request.GET.get("hub.verify_token", ""), request.GET.get("hub.challenge", "")
        if request.GET.get("hub.mode") != "subscribe" or not hmac.compare_digest(
            given.encode(), str(settings.LAPOR_WHATSAPP_VERIFY_TOKEN).encode()
        ):
            raise Forbidden(_("Token verifikasi WhatsApp tidak cocok."), code="bad_verify_token")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,128}", challenge):
            raise ValidationFailed(_("hub.challenge tidak valid."), code="invalid_challenge")
        return HttpResponse(challenge, content_type="text/plain")
    signature_check(request, "LAPOR_WHATSAPP_APP_SECRET", header="HTTP_X_HUB_SIGNATURE_256")
    return JsonResponse(whatsapp_receive(payload=_json(request)))
