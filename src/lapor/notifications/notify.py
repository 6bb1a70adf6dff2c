"""Turn report events into notifications through the transactional outbox: the messages (inline)
or one "fanout" row that a worker expands into them (deferred), in the event's transaction.

Reporters hear about their own report by the channels they chose (User.notify_by; guests by
their e-mail or phone; a report that came in by SMS is always answered by SMS), in their language.
Staff hear about new reports in their inbox, overdue ones and escalations; their texts never
carry the reporter's identity, anonymous or not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import override

from lapor.accounts.models import Role, RoleAssignment
from lapor.reports.deadlines import deadline_after
from lapor.reports.lifecycle import Action, State
from lapor.reports.models import ArchiveReason, Channel, Message, Report, ReportEvent

from .messages import PLATFORM_QUEUE, render, report_url
from .services import OutboxItem, broker_in_use, outbox_enqueue_many
from .whatsapp import whatsapp_payload

log = logging.getLogger(__name__)
WARN_WORKING_DAYS = 2
INBOX_ROLES = (Role.AGENCY_ADMIN, Role.LIAISON, Role.UNIT_STAFF)


def reporter_targets(report: Report) -> list[tuple[str, str, str]]:
    """(channel, recipient, language) for the report's reporter."""
    if report.reporter_id:
        user = report.reporter
        chosen = [c for c in (user.notify_by or []) if c in ("email", "sms", "web")]
        if not chosen:
            chosen = ["web"] + (["email"] if user.email else ["sms"] if user.phone else [])
        if report.channel == Channel.SMS and "sms" not in chosen:
            chosen.append("sms")
        if report.channel == Channel.WHATSAPP and user.phone:  # answered where they wrote, not by SMS as well
            chosen = [c for c in chosen if c != "sms" or "sms" in (user.notify_by or [])] + ["whatsapp"]
        address = {"email": user.email, "sms": user.phone, "web": str(user.pk), "whatsapp": user.phone}
        return [(c, address[c], user.language) for c in chosen if address[c]]
    targets, lang = [], guest_language(report)
    if report.guest_email and report.channel != Channel.SMS:
        targets.append(("email", report.guest_email, lang))
    if report.guest_phone and (report.channel == Channel.SMS or not report.guest_email):
        targets.append(("sms", report.guest_phone, lang))
    return targets


def guest_language(report: Report) -> str:
    """The language a guest filed in (recorded on the submitted event), Indonesian by default.
    Kept on the report object: a change's events share it, and the submission's own fan-out reads
    it from the submitted event at hand (no query on the submit path)."""
    known = getattr(report, "_lapor_guest_language", None)
    if known is None:
        data = (
            ReportEvent.objects.filter(report_id=report.pk, kind=ReportEvent.Kind.SUBMITTED)
            .values_list("data", flat=True)
            .first()
        ) or {}
        known = report._lapor_guest_language = _language_of(data)
    return known


def _language_of(data: dict | None) -> str:
    return "en" if (data or {}).get("language") == "en" else "id"


def target_items(kind: str, report: Report, targets, key: str, extra: dict) -> list[OutboxItem]:
    """One outbox item per target; the text is rendered once per language."""
    items, texts = [], {}
    for channel, recipient, lang in targets:
        text = texts.get(lang) or texts.setdefault(lang, render(kind, report, lang=lang, **extra))
        if channel == "email":  # the e-mail ends with the reporter's private link (render)
            payload = {"subject": text["subject"], "body": text["email"]}
        elif channel == "sms":
            payload = {"text": text["sms"]}
        elif channel == "whatsapp":
            payload = whatsapp_payload(kind, report.tracking_id, text, lang)
        else:
            payload = {"kind": kind, "title": text["subject"], "body": text["body"], "url": report_url(report)}
        digest = hashlib.sha256(f"{channel}:{recipient}".encode()).hexdigest()[:16]
        items.append(
            OutboxItem(
                channel=channel,
                recipient=recipient,
                payload=payload,
                report_id=report.pk,
                dedupe_key=f"{key}:{kind}:{digest}",
            )
        )
    return items


def notify_reporter(kind: str, report: Report, *, key: str, **extra) -> int:
    return outbox_enqueue_many(items=target_items(kind, report, reporter_targets(report), key, extra))


def staff_targets(agency_id: int | None, roles=INBOX_ROLES) -> list[tuple[str, str, str]]:
    """(channel, recipient, language) for the active staff of an agency holding one of ``roles``
    (the platform admins for no agency): one query, plain values."""
    grants = (
        RoleAssignment.objects.filter(role=Role.PLATFORM_ADMIN)
        if agency_id is None
        else RoleAssignment.objects.filter(agency_id=agency_id, role__in=roles)
    )
    rows = grants.filter(user__is_active=True).values_list(
        "user_id",
        "user__email",
        "user__phone",
        "user__language",
        "user__notify_by",
        "user__notification_preference__daily_digest",
    )
    targets, seen = [], set()
    for pk, email, phone, language, notify_by, daily_digest in rows:
        if pk in seen:  # one user with several grants in the agency hears once
            continue
        seen.add(pk)
        chosen = [c for c in (notify_by or []) if c in ("email", "sms", "web")] or ["web", "email"]
        if daily_digest:  # the daily digest carries the e-mail
            chosen = ["web"]
        address = {"email": email, "sms": phone, "web": str(pk)}
        targets += [(c, address[c], language) for c in chosen if address[c]]
    return targets


def _staff_items(kind: str, report: Report, targets, key: str, extra: dict | None = None) -> list[OutboxItem]:
    # No reporter fields are ever passed to staff texts (anonymous or not): ``extra`` names an agency.
    return target_items(kind, report, targets, key, extra or {})


def _relayed_to(event: ReportEvent) -> list[str]:
    """The peer deployments a reporter's reply was passed on to (partners/relay.py records a
    ``federate_relay`` event naming the reply's message, before the reply's transition)."""
    message_id = (event.data or {}).get("message_id")
    if not message_id:
        return []
    names = ReportEvent.objects.filter(
        report_id=event.report_id, action=RELAYED, data__step="reply", data__message_id=message_id
    ).values_list("data__peer_name", flat=True)
    return [str(name) for name in names if name]


def _message_body(event: ReportEvent) -> str:
    message_id = (event.data or {}).get("message_id")
    return Message.objects.filter(pk=message_id).values_list("body", flat=True).first() or ""


# Which event tells whom what: the staff of the agency a report went to, and the reporter's texts.
STAFF_INBOX_ACTIONS = (Action.ROUTE, Action.FORWARD, Action.DISPOSE, Action.NOT_AUTHORITY)
STAFF_REPLY_ROLES = (Role.LIAISON, Role.UNIT_STAFF)  # who drafts the follow-up hears the citizen's answer
RELAYED = "federate_relay"  # a reporter's step passed on to the peer deployment that holds the report
REPORTER_KINDS = {
    Action.ROUTE: "routed",
    Action.FORWARD: "routed",
    Action.FOLLOW_UP: "follow_up",
    Action.REMOTE_ANSWER: "follow_up",
    Action.COMPLETE: "completed",
    Action.AUTO_COMPLETE: "auto_completed",
    Action.ARCHIVE: "archived",
}


def event_notifies(event: ReportEvent) -> bool:
    """Whether ``event_items`` may give the event any message (without reading anything)."""
    if event.kind in (
        ReportEvent.Kind.SUBMITTED,
        ReportEvent.Kind.OVERDUE,
        ReportEvent.Kind.ESCALATED,
        ReportEvent.Kind.PRIVACY,
    ):
        return True
    return event.kind == ReportEvent.Kind.TRANSITION and (
        event.action in STAFF_INBOX_ACTIONS or event.action in REPORTER_KINDS or event.action == Action.REPLY
    )


def _agency_then(event: ReportEvent, report: Report) -> tuple[int | None, dict]:
    """The agency a transition or overdue event records (the report's right after it; None: the
    platform's queue) and, when the report has moved on since (a late fan-out), its name for the
    texts. Never the report's agency of now: a report sent back to the platform's queue and then
    routed elsewhere must not tell the new agency's staff twice."""
    if event.agency_id == report.agency_id:
        return event.agency_id, {}
    return event.agency_id, {"agency": event.agency.name if event.agency_id else PLATFORM_QUEUE}


def _privacy_extra(event: ReportEvent) -> dict:
    """What a privacy event changed, by whom (the reporter, the platform, or the agency, never a
    person's name) and why, for the reporter's text."""
    data = event.data or {}
    after = data.get("after") or {}
    by = (
        "reporter"
        if event.actor_role == "reporter"
        else "platform"
        if event.actor_role in ("platform_admin", "system")
        else "agency"
    )
    return {
        "privacy": {k: after.get(k) for k in data.get("changed") or after},
        "privacy_by": by,
        "agency": event.agency.name if event.agency_id else PLATFORM_QUEUE,
        "reason": event.reason or "-",
    }


def _archive_extra(event: ReportEvent) -> dict:
    """The archive reason's code and the staff's own note, when one was typed (the event's reason is
    the note, or the reason's Indonesian label); the text is composed in the reader's language."""
    data = event.data or {}
    code = data.get("archive_reason") or ""
    with override("id"):
        plain = str(ArchiveReason(code).label) if code in ArchiveReason.values else ""
    note = (event.reason or "").strip()
    return {
        "archive_reason": code,
        "archive_note": "" if note == plain else note,
        "duplicate_of": data.get("duplicate_of") or "",
    }


def event_items(event: ReportEvent) -> list[OutboxItem]:
    """The one table of which event tells whom what. A transition's texts name the agency the
    event records (the report's agency right after it), so a fan-out run later, after a further
    change, still tells what this event did."""
    report, key = event.report, f"ev{event.pk}"
    if event.kind == ReportEvent.Kind.SUBMITTED:
        report._lapor_guest_language = _language_of(event.data)  # type: ignore[attr-defined]
        return target_items("submitted", report, reporter_targets(report), key, {})
    if event.kind == ReportEvent.Kind.OVERDUE:
        agency_id, extra = _agency_then(event, report)
        return _staff_items("staff_overdue", report, staff_targets(agency_id), key, extra)
    if event.kind == ReportEvent.Kind.ESCALATED:
        return _staff_items("staff_escalated", report, staff_targets(event.agency_id, (Role.AGENCY_ADMIN,)), key)
    if event.kind == ReportEvent.Kind.PRIVACY:  # the reporter is told of every change of the switches
        return target_items("privacy_changed", report, reporter_targets(report), key, _privacy_extra(event))
    if event.kind != ReportEvent.Kind.TRANSITION:
        return []
    action, items = event.action, []
    agency_id, extra = _agency_then(event, report)
    if action in STAFF_INBOX_ACTIONS and agency_id:
        items += _staff_items("staff_inbox", report, staff_targets(agency_id), key, extra)
    if action == Action.REPLY and agency_id:  # the citizen answered a follow-up: back to the agency's desk
        targets = staff_targets(agency_id, STAFF_REPLY_ROLES) or staff_targets(agency_id)
        peers = _relayed_to(event)  # a peer holds it: told, not asked to act
        kind, more = ("staff_reply_relayed", {"peer": ", ".join(peers)}) if peers else ("staff_replied", {})
        items += _staff_items(kind, report, targets, key, {**extra, **more, "message": _message_body(event)})
    reporter_kind = REPORTER_KINDS.get(action)
    if action in (Action.FOLLOW_UP, Action.REMOTE_ANSWER):
        if (event.data or {}).get("remote_agency"):  # a federated peer's answer names who answered there
            extra = {**extra, "agency": event.data["remote_agency"]}
        if (event.data or {}).get("information_requested"):
            reporter_kind = "info_requested"
        extra = {**extra, "message": _message_body(event)}
    elif action == Action.ARCHIVE:
        extra = {**extra, **_archive_extra(event)}
    elif action == Action.COMPLETE and event.actor_role == "reporter":
        reporter_kind = None
    if reporter_kind:
        items += target_items(reporter_kind, report, reporter_targets(report), key, extra)
    return items


def events_notify(events: list[ReportEvent]) -> int:
    """Write every notification of a change's events with one statement (see ``event_items``)."""
    return outbox_enqueue_many(items=[item for event in events for item in event_items(event)])


def fanout_deferred() -> bool:
    """Whether a change hands its notifications to a worker (LAPOR_NOTIFY_FANOUT=deferred, the
    default with a broker) or writes them itself (inline, the default without one)."""
    mode = settings.LAPOR_NOTIFY_FANOUT or ""
    if mode:
        return mode == "deferred"
    return broker_in_use()


def on_events_recorded(sender, events: list[ReportEvent], **kwargs) -> None:
    """Inline: every message of the change, in its transaction. Deferred: ONE outbox row in its
    transaction (channel "fanout", the event ids), which a worker turns into the same messages with
    ``events_fanout``: the request does not read the agency's staff, render texts or write a row per
    recipient (an agency may have dozens of staff). Both commit or roll back with the change."""
    events = [
        event
        for event in events
        if event_notifies(event)
        and (
            event.report.state != State.ARCHIVED
            or event.kind in (ReportEvent.Kind.TRANSITION, ReportEvent.Kind.PRIVACY)
        )
    ]
    if not events:
        return
    if not fanout_deferred():
        events_notify(events)
        return
    outbox_enqueue_many(
        items=[
            OutboxItem(
                channel="fanout",
                recipient="events",
                payload={"event_ids": [event.pk for event in events]},
                report_id=events[0].report_id,
                dedupe_key=f"fanout:ev{events[0].pk}",
            )
        ]
    )


def events_fanout(*, event_ids: list[int]) -> int:
    """The deferred half (the "fanout" sender): the messages of these events, exactly as inline.
    Idempotent: each message's dedupe key comes from its event, so a re-run (a worker killed after
    the commit) writes nothing twice. Events of a deleted report are gone and tell nobody."""
    events = list(
        ReportEvent.objects.filter(pk__in=event_ids)
        .select_related("agency", "report__agency", "report__reporter")
        .order_by("pk")
    )
    with transaction.atomic():
        return events_notify(events)


def reply_window_warnings(*, now: dt.datetime | None = None) -> int:
    """Warn reporters WARN_WORKING_DAYS working days before their reply window closes
    (followed by auto-completion). Idempotent: one warning per report and deadline."""
    now = now or timezone.now()
    horizon = deadline_after(now, WARN_WORKING_DAYS)
    count = 0
    for report in Report.objects.filter(state=State.FOLLOWED_UP, due_at__gt=now, due_at__lte=horizon).select_related(
        "reporter", "agency"
    ):
        count += notify_reporter("reply_warning", report, key=f"warn{report.pk}:{report.due_at:%Y%m%d%H%M}")
    return count
