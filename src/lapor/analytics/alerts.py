"""Emerging-issue alerts (a topic or a regency far above its trailing weeks, lapor.analytics.stats)
sent to the people who watch a scope: an agency's admins and overseers (its analytics scope), the
national overseers (the national scope). On the web and by e-mail, at most once per topic or place,
scope and person a day: the outbox's dedupe key carries the day. A periodic job (``alerts`` in
analytics/tasks.py, every LAPOR_ALERTS_SECONDS)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from lapor.accounts.models import Role, RoleAssignment
from lapor.notifications.services import OutboxItem, outbox_enqueue_many
from lapor.reports.deadlines import tz

from .selectors import alerts_for, scope_label

ALERT_ROLES = (Role.AGENCY_ADMIN, Role.OVERSEER)


def _watchers() -> dict[str, list[tuple[int, str, str, list, bool]]]:
    """scope -> [(user id, e-mail, language, notify_by, daily digest)] of the active watchers."""
    rows = (
        RoleAssignment.objects.filter(role__in=ALERT_ROLES, user__is_active=True)
        .exclude(role=Role.AGENCY_ADMIN, agency__isnull=True)
        .values_list(
            "agency_id",
            "user_id",
            "user__email",
            "user__language",
            "user__notify_by",
            "user__notification_preference__daily_digest",
        )
    )
    out: dict[str, list] = defaultdict(list)
    for agency_id, *person in rows:
        scope = f"a:{agency_id}" if agency_id else "n"
        if all(p[0] != person[0] for p in out[scope]):
            out[scope].append(tuple(person))
    return out


def _texts(alert: dict, scope_name: str, lang: str) -> tuple[str, str]:
    with override(lang if lang in ("id", "en") else "id"):
        ctx = {
            "what": (_("topik %(x)s") if alert["kind"] == "topic" else _("wilayah %(x)s")) % {"x": alert["label"]},
            "count": alert["count"],
            "baseline": alert["baseline"],
            "scope": scope_name,
            "week": alert["week"],
        }
        title = _("Isu mencuat di %(scope)s: %(what)s") % ctx
        body = (
            _(
                "Laporan tentang %(what)s di %(scope)s melonjak: %(count)s laporan pada minggu mulai %(week)s, "
                "biasanya %(baseline)s per minggu. Lihat laporannya di dasbor."
            )
            % ctx
        )
    return title, body


def _items(scope: str, alert: dict, watchers, day: dt.date, scope_name: str) -> list[OutboxItem]:
    drill = alert["drill"]
    url = settings.LAPOR_PUBLIC_URL.rstrip("/") + "/analytics/laporan?" + urlencode(drill)
    topic = hashlib.sha256(f"{scope}:{alert['kind']}:{alert['key']}".encode()).hexdigest()[:16]
    items = []
    for user_id, email, lang, notify_by, digest in watchers:
        title, body = _texts(alert, scope_name, lang)
        chosen = [c for c in (notify_by or []) if c in ("web", "email")] or ["web", "email"]
        if digest:  # the daily digest carries the e-mail
            chosen = ["web"]
        for channel in chosen:
            if channel == "email" and not email:
                continue
            payload = (
                {"subject": title, "body": f"{body}\n\n{url}"}
                if channel == "email"
                else {"kind": "emerging_issue", "title": title, "body": body, "url": url}
            )
            items.append(
                OutboxItem(
                    channel=channel,
                    recipient=email if channel == "email" else str(user_id),
                    payload=payload,
                    dedupe_key=f"alert:{topic}:{day:%Y%m%d}:{channel}:{user_id}",
                )
            )
    return items


def emerging_alerts_send(*, today: dt.date | None = None) -> int:
    """Offer every watcher the alerts of their scopes today; returns the messages offered (the
    ones already sent today are skipped by their dedupe key)."""
    today = today or timezone.now().astimezone(tz()).date()
    items: list[OutboxItem] = []
    for scope, watchers in _watchers().items():
        alerts = alerts_for(scope, today=today)
        if alerts:
            name = str(scope_label(scope))
            items += [item for alert in alerts for item in _items(scope, alert, watchers, today, name)]
    return outbox_enqueue_many(items=items) if items else 0
