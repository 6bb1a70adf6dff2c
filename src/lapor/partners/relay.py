"""The reporter's side of a forwarded report travels to the peer that handles it.

The reporter stays with the origin deployment: they read the peer's answer there and reply,
accept it (Selesai), rate it or reopen it ("tidak puas") there, from any door (tracking page,
e-mail, SMS, WhatsApp, the API). Each of those steps is relayed to the peer that holds the report:
queued in the outbox in the transaction of the step (signed, retried, a dead letter at the end),
recorded in the origin's timeline ("diteruskan ke <peer>"), and, while the peer handles the report
again, the origin's clock stays held. The peer applies it to its copy through its own lifecycle
services, as the report's reporter of record (the origin's service user there), once per step.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from lapor.core.errors import NotFound, ValidationFailed
from lapor.reports import lifecycle as lc
from lapor.reports import services
from lapor.reports.models import Message, ReportEvent
from lapor.reports.services import Actor

from .federation import RELAY_ACTION, _delivery_new, _peer_user, federation_id, peer_url
from .models import FederationLink, Peer
from .relay_files import ATTACH, attachment_item, relay_files, relay_files_store, reply_relay_join, reporter_attachment

REPORTER = "report.reporter"
REPLY, COMPLETE, RATE, REOPEN = "reply", "complete", "rate", "reopen"
STEPS = (REPLY, COMPLETE, RATE, REOPEN, ATTACH)
# After these the report is in the peer's hands again: the origin's clock waits.
HANDED_BACK = (lc.Action.REPLY, lc.Action.REOPEN)


def _reason(step: str, peer: Peer) -> str:
    texts = {
        REPLY: _("Tanggapan pelapor diteruskan ke %(peer)s"),
        COMPLETE: _("Pelapor menyatakan selesai; diteruskan ke %(peer)s"),
        RATE: _("Penilaian pelapor diteruskan ke %(peer)s"),
        REOPEN: _("Pelapor tidak puas, laporan dibuka kembali; diteruskan ke %(peer)s"),
        ATTACH: _("Lampiran pelapor diteruskan ke %(peer)s"),
    }
    return texts[step] % {"peer": peer.name}


# --- At the origin: what the reporter did goes to the peer --------------------------------------


def _step_of(event: ReportEvent) -> str | None:
    """Which of the reporter's steps this event is (None: not one that travels)."""
    if event.actor_role != lc.REPORTER:
        return None
    if event.kind == ReportEvent.Kind.ATTACHMENT:
        return ATTACH if event.is_public else None
    if event.kind == ReportEvent.Kind.MESSAGE:
        return REPLY if (event.data or {}).get("message_kind") == Message.Kind.REPLY else None
    if event.kind == ReportEvent.Kind.TRANSITION and event.action in (lc.Action.COMPLETE, lc.Action.RATE):
        return str(event.action)
    if event.kind == ReportEvent.Kind.TRANSITION and event.action == lc.Action.REOPEN:
        return REOPEN
    return None


def _links_handling(report_id: int) -> list[FederationLink]:
    """Outbound links to peers that still hold the report (one that archived it handed it back)."""
    return list(
        FederationLink.objects.filter(
            report_id=report_id,
            direction=FederationLink.Direction.OUTBOUND,
            peer__is_active=True,
            peer__direction__in=(Peer.Direction.OUTBOUND, Peer.Direction.BOTH),
        )
        .exclude(remote_state=lc.State.ARCHIVED)
        .select_related("peer")
    )


def relay_payload(event: ReportEvent, step: str, link: FederationLink) -> dict:
    """What the peer hears: the step, the text as an agency may read it (an anonymous reporter's
    name and personal data masked, reports/projection.lens_agency), never who the reporter is."""
    from lapor.reports.projection import lens_agency  # to move: kept while partners is edited

    report = event.report
    lens = lens_agency(report)
    payload = {
        "type": REPORTER,
        "origin": federation_id(),
        "tracking_id": report.tracking_id,
        "remote_tracking_id": link.remote_tracking_id,
        "relay_id": str(event.pk),
        "action": step,
        "occurred_at": event.created_at.isoformat(),
    }
    if step == REPLY:
        body = Message.objects.filter(pk=(event.data or {}).get("message_id")).values_list("body", flat=True).first()
        payload["body"] = lens.text(body or "")
    elif step in (RATE, REOPEN):
        payload["rating"] = (event.data or {}).get("rating")
        payload["comment"] = lens.text(event.reason or "")
    elif step == ATTACH:  # a file on its own (relay_files.py); a reply's files join the reply's body
        att = reporter_attachment(event)
        item = attachment_item(att, report) if att is not None else None
        payload["attachments"] = [item] if item is not None else []
    return payload


def federation_reporter_relay(event: ReportEvent) -> None:
    """In the transaction of the reporter's step: queue it to every peer holding the report, record
    that in the timeline, and hold the clock again when the report went back to the peer."""
    step = _step_of(event)
    handed_back = (
        event.kind == ReportEvent.Kind.TRANSITION and event.action in HANDED_BACK and event.actor_role == lc.REPORTER
    )
    if step is None and not handed_back:
        return
    links = _links_handling(event.report_id)
    if step is not None:
        for link in links:
            _relay_enqueue(event, step, link)
    if handed_back and links:
        # report_reply / report_rate(reopen) gave the report a follow-up deadline here: the peer has it.
        services.report_clock_hold(
            report=event.report, actor=Actor.system(), reason=_("Ditangani %(peer)s") % {"peer": links[0].peer.name}
        )


def _relay_enqueue(event: ReportEvent, step: str, link: FederationLink) -> None:
    from lapor.notifications.services import outbox_enqueue  # the outbox owns delivery

    data = {"peer": link.peer.slug, "peer_name": link.peer.name, "step": step, "relay_id": str(event.pk)}
    if step == ATTACH:
        att = reporter_attachment(event)
        if att is None or reply_relay_join(event, att, link):
            return  # rides its reply's relay (or stays here)
        payload = relay_payload(event, step, link)
        if not payload["attachments"]:
            return  # over the cap alone, or gone: it stays here
    else:
        payload = relay_payload(event, step, link)
    if step == REPLY:  # the origin staff's notice says the reply went on (notifications/notify.py)
        data["message_id"] = (event.data or {}).get("message_id")
    outbox_enqueue(
        channel="webhook",
        recipient=peer_url(link.peer, "/federation/reporter"),
        payload=payload,
        report=event.report,
        dedupe_key=f"federation:reporter:{link.pk}:{event.pk}",
        secret=link.peer.secret,
    )
    services.report_event_external(
        report=event.report,
        actor=Actor.system(),
        action=RELAY_ACTION,
        reason=_reason(step, link.peer),
        data=data,
    )


# --- At the peer: the origin's reporter answered --------------------------------------------------


def _inbound_link(peer: Peer, payload: dict) -> FederationLink:
    link = (
        FederationLink.objects.select_for_update()
        .select_related("report")
        .filter(
            peer=peer,
            direction=FederationLink.Direction.INBOUND,
            remote_tracking_id=str(payload.get("tracking_id") or "")[:20],
        )
        .first()
    )
    if link is None:
        raise NotFound(_("Laporan yang diterima dari peer ini tidak ditemukan."), code="unknown_report")
    return link


def _relay_fields(payload: dict) -> tuple[str, str, dict]:
    """(step, relay id, the step's fields), or ValidationFailed saying what is wrong."""
    step, relay_id = payload.get("action"), payload.get("relay_id")
    if step not in STEPS:
        raise ValidationFailed(
            _("action harus salah satu dari: %(steps)s.") % {"steps": ", ".join(STEPS)},
            code="invalid_action",
            detail={"field": "action", "allowed": list(STEPS)},
        )
    if not isinstance(relay_id, (str, int)) or isinstance(relay_id, bool) or not str(relay_id).strip():
        raise ValidationFailed(_("relay_id wajib ada."), code="invalid_payload", detail={"field": "relay_id"})
    fields: dict = {}
    if step == REPLY:
        if not isinstance(payload.get("body"), str):
            raise ValidationFailed(_("body wajib berupa teks."), code="invalid_payload", detail={"field": "body"})
        fields["body"] = payload["body"]
    if step in (RATE, REOPEN):
        rating, comment = payload.get("rating"), payload.get("comment", "")
        if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
            raise ValidationFailed(_("Nilai harus antara 1 dan 5."), code="invalid_rating", detail={"field": "rating"})
        if not isinstance(comment, str):
            raise ValidationFailed(_("comment wajib berupa teks."), code="invalid_payload", detail={"field": "comment"})
        fields.update(rating=rating, comment=comment)
    fields["files"] = relay_files(payload)
    if step == ATTACH and not fields["files"]:
        raise ValidationFailed(_("Lampiran wajib ada."), code="invalid_attachment", detail={"field": "attachments"})
    return step, str(relay_id).strip()[:40], fields


@transaction.atomic
def federation_reporter_apply(*, peer: Peer, payload: dict, delivery_id: str) -> FederationLink:
    """Apply the origin reporter's step to our copy, once per relay id (a redelivery, or the same
    step sent again, changes nothing). The reporter of record acts, so the lifecycle's rules for a
    reporter hold: a reply to our follow-up sends the report back to the agency here."""
    link = _inbound_link(peer, payload)
    step, relay_id, fields = _relay_fields(payload)
    if not _delivery_new(peer, f"reporter:{relay_id}", "reporter"):
        return link
    actor, report = Actor(user=_peer_user(peer)), link.report
    if step == REPLY:
        message = services.report_reply(report=report, actor=actor, body=fields["body"])
        relay_files_store(report=report, actor=actor, files=fields["files"], message=message)
        return link
    if step == ATTACH:
        relay_files_store(report=report, actor=actor, files=fields["files"])
        return link
    if step in (RATE, REOPEN):  # accepted as done first if it waits, as on the tracking page
        services.report_rate_sent(
            report=report, actor=actor, rating=fields["rating"], comment=fields["comment"], reopen=step == REOPEN
        )
        return link
    report.refresh_from_db()
    if report.state == lc.State.FOLLOWED_UP:
        services.report_complete(report=report, actor=actor)
    elif report.state != lc.State.DONE:
        lc.transition_check(state=report.state, action=lc.Action.COMPLETE, roles={lc.REPORTER})
    return link
