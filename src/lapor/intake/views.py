"""Gateway webhooks under /intake/: signed, idempotent, thin. Errors are JSON {code, message}."""
from __future__ import annotations

import functools
import json
import logging

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from lapor.core.errors import DomainError, ValidationFailed

from .mail import email_receive
from .signing import signature_check
from .sms import sms_in, sms_receive
from .social import adapter_for, social_ingest

log = logging.getLogger(__name__)


def gateway(view):
    @csrf_exempt
    @require_POST
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


def _json(request) -> dict:
    try:
        data = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
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
    signature_check(request, f"LAPOR_SOCIAL_SECRET_{adapter.network.upper()}" if _has_own_secret(adapter.network)
                    else "LAPOR_SOCIAL_SECRET")
    drafts = social_ingest(network=network, payload=_json(request))
    return JsonResponse({"status": "ok", "drafts": [d.pk for d in drafts]})


def _has_own_secret(network: str) -> bool:
    from .signing import secret_for

    return bool(secret_for(f"LAPOR_SOCIAL_SECRET_{network.upper()}"))
