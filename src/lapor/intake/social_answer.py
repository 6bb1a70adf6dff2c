"""Social media, the way back: the agency's follow-up, a request for information and completion go
back through the network the report came from, as a reply to the post or a direct message; the
acknowledgement of the citizen's own reply or rating on the thread (``social_thread``) too.

Each answer is a signed outbox webhook to the network's relay (``LAPOR_SOCIAL_REPLY_URLS[network]``,
key ``LAPOR_SOCIAL_REPLY_SECRET``; the same relay as the acknowledgement), retried and dead-lettered
by the outbox, and a line on the report's timeline ("social_answer": network and mode, never the
handle). What it says depends on where it is seen:

- a direct message (the report came from one, or it is anonymous or confidential and the network
  lets us write privately): the text as the reporter sees it (``lens_for(..., is_reporter=True)``);
- a public reply under the post: the text as the public sees it (``lens_public``: personal data
  masked), cut to the network's length, with the tracking page;
- an anonymous or confidential report from a public post on a network without private messages:
  only that there is news, with no tracking id and no content.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from lapor.notifications.messages import report_url
from lapor.notifications.services import outbox_enqueue
from lapor.reports.lifecycle import Action
from lapor.reports.models import Message, Report, ReportEvent
from lapor.reports.projection import lens_for, lens_public
from lapor.reports.services import Actor, report_event_external

from .models import SocialDraft

# What each network allows: the length of a public reply, and whether we may write privately
# (X: direct messages; Facebook and Instagram: a private reply to the comment or post).
NETWORKS = {
    "x": {"limit": 280, "dm": True},
    "instagram": {"limit": 2200, "dm": True},
    "facebook": {"limit": 8000, "dm": True},
}
DEFAULT_NETWORK = {"limit": 280, "dm": False}
KINDS = {Action.FOLLOW_UP: "follow_up", Action.COMPLETE: "completed", Action.AUTO_COMPLETE: "auto_completed"}
TIMELINE_ACTION = "social_answer"


def on_events_recorded(sender, events: list[ReportEvent], **kwargs) -> None:
    for event in events:
        kind = _kind(event)
        if kind is not None:
            social_answer(event=event, kind=kind)


def _kind(event: ReportEvent) -> str | None:
    if event.kind != ReportEvent.Kind.TRANSITION or event.report.channel != "social":
        return None
    if event.action == Action.COMPLETE and event.actor_role == "reporter":
        return None  # the citizen closed it themselves
    kind = KINDS.get(event.action)
    if kind == "follow_up" and (event.data or {}).get("information_requested"):
        return "info_requested"
    return kind


def mode_for(draft: SocialDraft, report: Report) -> str:
    """dm, reply, or notice (a private report, a public post, no private channel)."""
    private = draft.kind == "dm" or report.is_anonymous or report.is_confidential
    if not private:
        return "reply"
    return "dm" if draft.kind == "dm" or NETWORKS.get(draft.network, DEFAULT_NETWORK)["dm"] else "notice"


def _text(kind: str, report: Report, lens, message: str, limit: int) -> str:
    ctx = {
        "tid": report.tracking_id,
        "url": report_url(report),
        "agency": report.agency.name if report.agency_id else _("Admin Nasional"),
    }
    templates = {
        "follow_up": _(
            "Tindak lanjut %(agency)s untuk laporan %(tid)s: %(message)s Balas di sini untuk menanggapi, atau "
            "beri nilai 1-5 bila sudah tuntas. %(url)s"
        ),
        "info_requested": _(
            "%(agency)s meminta informasi tambahan untuk laporan %(tid)s: %(message)s Jawab di %(url)s"
        ),
        "completed": _(
            "Laporan %(tid)s selesai. Terima kasih telah melapor. Balas dengan nilai 1-5 (PUAS atau TIDAK PUAS "
            "dengan alasannya), atau beri penilaian di %(url)s"
        ),
        "auto_completed": _(
            "Laporan %(tid)s selesai otomatis karena tidak ada tanggapan. Balas dengan nilai 1-5 untuk menilai. %(url)s"
        ),
    }
    text = " ".join(lens.text(message).split())
    room = limit - len(templates[kind] % {**ctx, "message": ""})
    if len(text) > room:
        text = text[: max(room - 3, 0)].rstrip() + "..."
    return templates[kind] % {**ctx, "message": text}


def social_answer(*, event: ReportEvent, kind: str):
    """Queue the answer of one event for the network (nothing without a relay for it)."""
    report = event.report
    draft = SocialDraft.objects.filter(report=report).first()
    if draft is None or not relay_url(draft):
        return None
    mode = mode_for(draft, report)
    network = NETWORKS.get(draft.network, DEFAULT_NETWORK)
    message_id = (event.data or {}).get("message_id")
    body = Message.objects.filter(pk=message_id).values_list("body", flat=True).first() if message_id else ""
    if mode == "notice":
        text = _("Ada kabar baru untuk laporan Anda di LAPOR!. Masuk ke akun Anda atau hubungi 1708 untuk membacanya.")
    elif mode == "dm":
        text = _text(kind, report, lens_for(report, report.reporter, is_reporter=True), body or "", 10_000)
    else:
        text = _text(kind, report, lens_public(report), body or "", network["limit"])
    return relay_send(
        report=report, draft=draft, mode=mode, event=kind, text=text, dedupe_key=f"social-{kind}:ev{event.pk}"
    )


def relay_url(draft: SocialDraft | None) -> str:
    return settings.LAPOR_SOCIAL_REPLY_URLS.get(draft.network, "") if draft else ""


def relay_send(
    *, report: Report, draft: SocialDraft, mode: str, event: str, text: str, dedupe_key: str, in_reply_to: str = ""
):
    """One signed outbox webhook to the network's relay, and its line on the timeline. ``in_reply_to``:
    the post it answers (the citizen's own reply on the thread), else the post that became the report."""
    payload = {
        "network": draft.network,
        "mode": mode,
        "in_reply_to": in_reply_to or draft.post_id,
        "kind": draft.kind,
        "handle": draft.author_handle,
        "event": event,
        "text": text,
    }
    if mode != "notice":
        payload["tracking_id"] = report.tracking_id
    sent = outbox_enqueue(
        channel="webhook",
        recipient=relay_url(draft),
        report=report,
        payload=payload,
        dedupe_key=dedupe_key,
        secret=settings.LAPOR_SOCIAL_REPLY_SECRET,
    )
    where = {"dm": _("pesan langsung"), "reply": _("balasan di bawah unggahan"), "notice": _("pemberitahuan singkat")}[
        mode
    ]
    report_event_external(
        report=report,
        actor=Actor.system(),
        action=TIMELINE_ACTION,
        reason=_("Jawaban dikirim ke %(network)s sebagai %(where)s.") % {"network": draft.network, "where": where},
        data={"social": {"network": draft.network, "mode": mode}, "event": event, "delivery_id": str(sent.delivery_id)},
    )
    return sent
