"""Notifications over the API: my web notifications and preferences; dead letters for operators."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema

from lapor.accounts.selectors import user_is_platform_admin
from lapor.api.auth import STAFF_AUTH, request_user
from lapor.core.errors import NotFound, PermissionDenied

from .models import OutboxMessage, WebNotification
from .services import daily_digest_get, daily_digest_set, outbox_retry

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    tracking_id: str | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class PreferenceIn(Schema):
    daily_digest: bool


class PreferenceOut(Schema):
    daily_digest: bool


class DeadLetterOut(Schema):
    delivery_id: str
    channel: str
    status: str
    attempts: int
    last_error: str
    tracking_id: str | None
    created_at: dt.datetime


def _notification_out(n: WebNotification) -> dict:
    return {
        "id": n.pk,
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "url": n.url,
        "tracking_id": n.report.tracking_id if n.report_id else None,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


def _dead_out(m: OutboxMessage) -> dict:
    # No recipient and no payload: operators see what failed and why, not whom it was for.
    return {
        "delivery_id": str(m.delivery_id),
        "channel": m.channel,
        "status": m.status,
        "attempts": m.attempts,
        "last_error": m.last_error[:500],
        "tracking_id": m.report.tracking_id if m.report_id else None,
        "created_at": m.created_at,
    }


def _operator(request):
    user = request_user(request)
    if not user_is_platform_admin(user):
        raise PermissionDenied(_("Hanya Admin Nasional yang dapat mengelola antrean pengiriman."))
    return user


@router.get("", response=list[NotificationOut], auth=STAFF_AUTH, summary="My web notifications (newest first)")
def notification_list(request, unread: bool = False, limit: int = 50):
    qs = WebNotification.objects.filter(user=request_user(request)).select_related("report")
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return [_notification_out(n) for n in qs[: max(1, min(limit, 200))]]


@router.post("/{notification_id}/read", response=NotificationOut, auth=STAFF_AUTH)
def notification_read(request, notification_id: int):
    n = WebNotification.objects.filter(pk=notification_id, user=request_user(request)).select_related("report").first()
    if n is None:
        raise NotFound(_("Pemberitahuan tidak ditemukan."))
    if n.read_at is None:
        n.read_at = timezone.now()
        n.save(update_fields=["read_at"])
    return _notification_out(n)


@router.get("/preferences", response=PreferenceOut, auth=STAFF_AUTH)
def preference_get(request):
    return {"daily_digest": daily_digest_get(user=request_user(request))}


@router.put("/preferences", response=PreferenceOut, auth=STAFF_AUTH, summary="Daily digest instead of one e-mail each")
def preference_set(request, payload: PreferenceIn):
    daily_digest_set(user=request_user(request), daily_digest=payload.daily_digest)
    return {"daily_digest": payload.daily_digest}


@router.get("/outbox/dead", response=list[DeadLetterOut], auth=STAFF_AUTH, summary="Dead letters (platform operators)")
def dead_letter_list(request, limit: int = 100):
    _operator(request)
    qs = OutboxMessage.objects.filter(status=OutboxMessage.Status.DEAD).select_related("report").order_by("-created_at")
    return [_dead_out(m) for m in qs[: max(1, min(limit, 500))]]


@router.post(
    "/outbox/{delivery_id}/retry", response=DeadLetterOut, auth=STAFF_AUTH, summary="Retry one dead letter now"
)
def dead_letter_retry(request, delivery_id: str):
    _operator(request)
    message = outbox_retry(delivery_id=delivery_id)
    message = OutboxMessage.objects.select_related("report").get(pk=message.pk)
    return _dead_out(message)
