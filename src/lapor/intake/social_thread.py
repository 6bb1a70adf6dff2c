"""Social media, the citizen's side of the conversation: a reply on the thread of a report, or a
direct message, from the report's author becomes their reply (``report_reply``) or, when the report
waits for it, their rating (``rating.rating_parse`` / ``rating_give``, as on the tracking page), and
is acknowledged through the network like every other answer (``social_answer.relay_send``).

Which report a post belongs to, in this order:

1. it answers (``parent_id``) the post that became the report, or an earlier reply of the thread
   that we recorded (``InboundMessage``, channel ``social:<network>``);
2. it is a reply or a direct message from the author of a report from this network that waits for
   their answer (followed up) or rating (done, unrated): the network does not tell us the ids of the
   replies the relay posted, so a reply to one of them is found by its author.

Only the author of the report is heard (the handle that became its reporter); anyone else's reply,
and a new mention, land in the triage queue as before. Each post is handled once.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lapor.core.errors import DomainError
from lapor.notifications.messages import report_url
from lapor.reports.models import Report
from lapor.reports.services import Actor, report_reply

from .models import InboundMessage, SocialAccount, SocialDraft
from .rating import rating_awaited, rating_give, rating_parse
from .social_answer import NETWORKS, DEFAULT_NETWORK, mode_for, relay_send, relay_url

LEADING_MENTIONS = re.compile(r"^(?:\s*@\w+)+")


def _channel(network: str) -> str:
    return f"social:{network}"


def thread_draft(*, network: str, kind: str, post_id: str, parent_id: str, handle: str) -> SocialDraft | None:
    """The converted draft of the report this post continues, or None (a new post for triage)."""
    account = SocialAccount.objects.filter(network=network, handle=handle).first()
    if account is None:
        return None
    drafts = SocialDraft.objects.filter(
        network=network, status=SocialDraft.Status.CONVERTED, report__reporter_id=account.user_id
    ).select_related("report")
    seen = InboundMessage.objects.filter(channel=_channel(network), external_id=post_id).first()
    if seen is not None:  # delivered again: the report it went to (thread_receive says duplicate)
        return drafts.filter(report_id=seen.report_id).first()
    if parent_id:
        named = drafts.filter(post_id=parent_id).first()
        if named is None:
            earlier = InboundMessage.objects.filter(channel=_channel(network), external_id=parent_id).first()
            named = drafts.filter(report_id=earlier.report_id).first() if earlier and earlier.report_id else None
        if named is not None:
            return named
    if not parent_id and kind != "dm":
        return None  # a new mention is a new story
    waiting = [d for d in drafts.order_by("-report__updated_at")[:20] if rating_awaited(d.report)]
    return waiting[0] if waiting else None


@transaction.atomic
def thread_receive(*, draft: SocialDraft, post_id: str, text: str) -> dict:
    """Record one post of the report's author on its thread, once, and acknowledge it."""
    channel = _channel(draft.network)
    try:
        with transaction.atomic():
            inbound = InboundMessage.objects.create(channel=channel, external_id=post_id, report=draft.report)
    except IntegrityError:  # the network delivered it again
        return {**InboundMessage.objects.get(channel=channel, external_id=post_id).response, "duplicate": True}
    report = Report.objects.select_related("reporter", "agency").get(pk=draft.report_id)
    text = LEADING_MENTIONS.sub("", text).strip() or text  # "@LAPOR1708 nilai 4": the network adds the names
    actor, rating = Actor(user=report.reporter, is_reporter=True), rating_parse(text)
    action = "rate" if rating is not None and rating_awaited(report) else "reply"
    try:
        if rating is not None and action == "rate":
            report = rating_give(report=report, actor=actor, rating=rating)
            event = "rated" if rating.satisfied else "reopened"
        else:
            report_reply(report=report, actor=actor, body=text)
            event = "reply_received"
        response, reason = {"status": "ok", "action": action}, ""
    except DomainError as exc:  # e.g. closed and already rated: say so, and where to go instead
        event, reason = "refused", exc.message
        response = {"status": "rejected", "action": action, "reason": exc.code}
    inbound.response = response
    inbound.save(update_fields=["response"])
    if relay_url(draft):
        mode = mode_for(draft, report)
        relay_send(
            report=report,
            draft=draft,
            mode=mode,
            event=event,
            text=_ack_text(event, report, mode, reason, NETWORKS.get(draft.network, DEFAULT_NETWORK)["limit"]),
            dedupe_key=f"social-{event}:{draft.network}:{post_id}"[:200],
            in_reply_to=post_id,
        )
    return response


def _ack_text(event: str, report: Report, mode: str, reason: str, limit: int) -> str:
    if mode == "notice":  # a private report on a public thread: nothing that ties the author to it
        return _("Terima kasih, pesan Anda sudah kami terima.")
    ctx = {"tid": report.tracking_id, "url": report_url(report), "score": report.rating, "reason": reason}
    texts = {
        "reply_received": _("Terima kasih, tanggapan Anda untuk laporan %(tid)s sudah diteruskan ke instansi."),
        "rated": _("Terima kasih atas penilaian Anda (%(score)s dari 5) untuk laporan %(tid)s."),
        "reopened": _("Laporan %(tid)s dibuka kembali; instansi akan menindaklanjutinya lagi."),
        "refused": _("Pesan Anda untuk laporan %(tid)s tidak dapat dicatat: %(reason)s Lihat %(url)s"),
    }
    return (texts[event] % ctx)[:limit]
