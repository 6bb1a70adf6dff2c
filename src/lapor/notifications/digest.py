"""The staff daily digest: one e-mail with the web notifications of the last day, for staff who
chose it (NotificationPreference.daily_digest). Idempotent per user and day."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _, override

from .models import NotificationPreference, WebNotification
from .services import outbox_enqueue


def staff_digests_send(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    count = 0
    for pref in NotificationPreference.objects.filter(daily_digest=True).select_related("user"):
        user = pref.user
        if not user.email or not user.is_active:
            continue
        since = pref.last_digest_at or now - dt.timedelta(days=1)
        items = list(
            WebNotification.objects.filter(user=user, created_at__gt=since, created_at__lte=now).order_by("created_at")[
                :200
            ]
        )
        if items:
            with override(user.language if user.language in ("id", "en") else "id"):
                subject = _("Ringkasan harian LAPOR!: %(n)d pemberitahuan") % {"n": len(items)}
                lines = [f"- {n.title}\n  {n.url}" for n in items]
                body = _("Pemberitahuan sejak ringkasan terakhir:") + "\n\n" + "\n".join(lines)
            outbox_enqueue(
                channel="email",
                recipient=user.email,
                payload={"subject": subject, "body": body},
                dedupe_key=f"digest:{user.pk}:{day.isoformat()}",
            )
            count += 1
        NotificationPreference.objects.filter(pk=pref.pk).update(last_digest_at=now)
    return count
