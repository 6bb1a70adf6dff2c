"""Federation between lapor deployments: a city forwards a report to the province or the national
hub, which files it as its own (channel "federation") and sends every public status change back.

Both directions travel through the outbox as signed webhooks (HMAC-SHA256 with the peer's shared
secret); the receiving views are in ``views.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from lapor.core.text import text_clean
from lapor.accounts.models import User
from lapor.agencies.models import Region, Topic
from lapor.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from lapor.reports import lifecycle as lc
from lapor.reports import services
from lapor.reports.models import Channel, Report, ReportEvent, ReportType
from lapor.reports.services import Actor

from .models import FederationLink, InboundDelivery, Peer
from .selectors import CLOSED_STATES, deadline_moved_out, report_status

FORWARD, STATUS = "report.forward", "report.status"
# The origin's timeline event when a reporter's step is relayed to the peer (relay.py).
RELAY_ACTION = "federate_relay"


def federation_id() -> str:
    """This deployment's name among its peers (their Peer.slug for us)."""
    return settings.LAPOR_FEDERATION_ID or "lapor"


def peer_url(peer: Peer, path: str) -> str:
    return peer.base_url.rstrip("/") + path


# --- Sending a report out -------------------------------------------------------------------------


def forward_payload(report: Report, *, reason: str) -> dict:
    """The report as a peer may see it: no contact details ever, no name when anonymous; the
    confidential flag travels so the peer hides it from its public too. The peer is an agency: it
    reads an anonymous report as agency staff do (reports/projection.lens_agency)."""
    from lapor.reports.projection import lens_agency  # to move: kept while partners is edited

    lens = lens_agency(report)
    return {
        "type": FORWARD,
        "origin": federation_id(),
        "tracking_id": report.tracking_id,
        "reason": reason,
        "report": {
            "type": report.type,
            "title": lens.title,
            "body": lens.body,
            "topic": {"slug": report.topic.slug, "name": report.topic.name} if report.topic_id else None,
            "region_code": report.region_id,
            "address": lens.address,
            "latitude": lens.location[0] if lens.location else None,
            "longitude": lens.location[1] if lens.location else None,
            "incident_date": report.incident_date.isoformat() if report.incident_date else None,
            "is_anonymous": report.is_anonymous,
            "is_confidential": report.is_confidential,
            "submitted_at": report.submitted_at.isoformat(),
            "reporter_name": "" if report.is_anonymous else ((lens.reporter or {}).get("name") or ""),
        },
    }


def _record_forward(report: Report, actor: Actor, peer: Peer, reason: str) -> None:
    """A peer represented by a local platform/province agency is a real Teruskan; otherwise the
    hand-over is an audited external event and the report stays where it is here."""
    if peer.agency_id:
        if report.state == lc.State.SUBMITTED:
            services.report_route(report=report, actor=actor, agency=peer.agency, reason=reason)
        else:
            services.report_forward(report=report, actor=actor, agency=peer.agency, reason=reason)
        return
    roles = services.actor_roles(report, actor)
    if not roles & {lc.AGENCY_ADMIN, lc.PLATFORM_ADMIN}:
        raise PermissionDenied(_("Peran Anda tidak boleh meneruskan laporan ini."), code="role_not_allowed")
    if report.state in CLOSED_STATES:
        raise ValidationFailed(_("Laporan yang sudah ditutup tidak dapat diteruskan."), code="closed")
    services.report_event_external(
        report=report, actor=actor, action="federate", reason=reason, data={"peer": peer.slug, "peer_name": peer.name}
    )


@transaction.atomic
def report_federate(*, report: Report, actor: Actor, peer: Peer, reason: str) -> FederationLink:
    """Teruskan ke deployment lain: record it here, then queue the signed delivery to the peer."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Alasan wajib diisi untuk tindakan ini."), code="reason_required")
    if not peer.is_active or not peer.sends_to:
        raise ValidationFailed(_("Peer ini tidak menerima laporan dari kita."), code="peer_not_outbound")
    if FederationLink.objects.filter(report=report, peer=peer, direction=FederationLink.Direction.OUTBOUND).exists():
        raise Conflict(_("Laporan ini sudah diteruskan ke peer tersebut."), code="already_forwarded")
    _record_forward(report, actor, peer, reason)
    # While the peer handles it, this copy's clock waits: no overdue, no escalation here.
    services.report_clock_hold(
        report=report, actor=Actor.system(), reason=_("Ditangani %(peer)s") % {"peer": peer.name}
    )
    report.refresh_from_db()
    link = FederationLink.objects.create(report=report, peer=peer, direction=FederationLink.Direction.OUTBOUND)
    from lapor.notifications.services import outbox_enqueue  # the outbox owns delivery

    outbox_enqueue(
        channel="webhook",
        recipient=peer_url(peer, "/federation/inbound"),
        payload=forward_payload(report, reason=reason),
        report=report,
        dedupe_key=f"federation:forward:{link.pk}",
        secret=peer.secret,
    )
    return link


# --- Receiving a report -------------------------------------------------------------------------


def _peer_user(peer: Peer) -> User:
    """The reporter of record for reports from a peer (the citizen's identity stays there)."""
    if peer.user_id is None:
        peer.user = User.objects.create_user(full_name=f"{peer.name} (federasi)"[:150])
        peer.save(update_fields=["user"])
    return peer.user


def _delivery_new(peer: Peer, delivery_id: str, kind: str) -> bool:
    """False when this delivery was already accepted (a retry after a lost answer)."""
    try:
        with transaction.atomic():
            InboundDelivery.objects.create(peer=peer, delivery_id=delivery_id[:64], kind=kind)
        return True
    except IntegrityError:
        return False


def _submission(data: dict) -> services.Submission:
    if not isinstance(data, dict):
        raise ValidationFailed(_("Bagian 'report' wajib berupa objek."), code="invalid_payload")
    topic = data.get("topic") or {}
    topic_id = (
        Topic.objects.filter(slug=str(topic.get("slug", "")), is_active=True).values_list("pk", flat=True).first()
        if isinstance(topic, dict)
        else None
    )
    region = str(data.get("region_code") or "")
    incident = parse_date(str(data.get("incident_date") or "")) if data.get("incident_date") else None
    try:
        lat = float(data["latitude"]) if data.get("latitude") is not None else None
        lon = float(data["longitude"]) if data.get("longitude") is not None else None
    except (TypeError, ValueError):
        raise ValidationFailed(_("Koordinat lokasi tidak valid."), code="invalid_location") from None
    return services.Submission(
        title=str(data.get("title") or ""),
        body=str(data.get("body") or ""),
        type=data.get("type") if data.get("type") in ReportType.values else ReportType.COMPLAINT,
        topic_id=topic_id,
        region_code=region if Region.objects.filter(pk=region).exists() else None,
        latitude=lat,
        longitude=lon,
        address=str(data.get("address") or "")[:300],
        incident_date=incident,
        channel=Channel.FEDERATION,
        is_anonymous=bool(data.get("is_anonymous")),
        is_confidential=bool(data.get("is_confidential")),
    )


@transaction.atomic
def federation_inbound_accept(*, peer: Peer, payload: dict, delivery_id: str) -> FederationLink:
    """File a report forwarded by a peer, once, however often it is delivered."""
    origin_id = text_clean(str(payload.get("tracking_id") or "")).strip()[:20]
    if not origin_id:
        raise ValidationFailed(_("tracking_id asal wajib ada."), code="invalid_payload")
    existing = (
        FederationLink.objects.filter(
            peer=peer, direction=FederationLink.Direction.INBOUND, remote_tracking_id=origin_id
        )
        .select_related("report")
        .first()
    )
    if existing is not None or not _delivery_new(peer, delivery_id, "forward"):
        if existing is None:
            raise Conflict(_("Pengiriman ini sudah diterima."), code="duplicate_delivery")
        return existing
    data = payload.get("report")
    submission = _submission(data)
    report, _secret = services.report_submit(submission=submission, reporter=_peer_user(peer))
    anonymous = submission.is_anonymous
    link = FederationLink.objects.create(
        report=report,
        peer=peer,
        direction=FederationLink.Direction.INBOUND,
        remote_tracking_id=origin_id,
        reporter_name="" if anonymous else text_clean(str(data.get("reporter_name") or ""))[:150],
    )
    last = ReportEvent.objects.filter(report=report, is_public=True).order_by("-id").first()
    _status_enqueue(link, report, last)  # the events so far happened before the link existed
    return link


# --- Status back to the origin ------------------------------------------------------------------


def status_payload(link: FederationLink, report: Report, event: ReportEvent | None) -> dict:
    """The body of a ``report.status`` to the origin of a report we hold, for one public event."""
    sequence = event.pk if event is not None else 0
    payload = {
        "type": STATUS,
        "origin": federation_id(),
        "tracking_id": link.remote_tracking_id,
        "remote_tracking_id": report.tracking_id,
        "sequence": sequence,
        "occurred_at": (event.created_at if event is not None else timezone.now()).isoformat(),
        "status": report_status(report),
    }
    if event is not None and event.kind == ReportEvent.Kind.DEADLINE_MOVED:
        payload["deadline_moved"] = deadline_moved_out(event)
    return payload


def _status_enqueue(link: FederationLink, report: Report, event: ReportEvent | None) -> None:
    from lapor.notifications.services import outbox_enqueue  # the outbox owns delivery

    payload = status_payload(link, report, event)
    outbox_enqueue(
        channel="webhook",
        recipient=peer_url(link.peer, "/federation/status"),
        payload=payload,
        report=report,
        dedupe_key=f"federation:status:{link.pk}:{payload['sequence']}",
        secret=link.peer.secret,
    )


def federation_event_notify(event: ReportEvent) -> None:
    """A public change of a report that came from a peer goes back to that peer."""
    if not event.is_public or event.report.channel != Channel.FEDERATION:
        return  # only reports filed by federation_inbound_accept have an inbound link
    for link in FederationLink.objects.filter(
        report_id=event.report_id, direction=FederationLink.Direction.INBOUND, peer__is_active=True
    ).select_related("peer"):
        _status_enqueue(link, event.report, event)


@transaction.atomic
def federation_status_apply(*, peer: Peer, payload: dict, delivery_id: str) -> FederationLink:
    """Mirror the peer's status on our forwarded report; older or repeated updates change nothing."""
    link = (
        FederationLink.objects.select_for_update()
        .select_related("report")
        .filter(
            peer=peer,
            direction=FederationLink.Direction.OUTBOUND,
            report__tracking_id=str(payload.get("tracking_id") or "")[:20],
        )
        .first()
    )
    if link is None:
        raise NotFound(_("Laporan yang diteruskan ke peer ini tidak ditemukan."), code="unknown_report")
    status = payload.get("status")
    try:
        sequence = int(payload.get("sequence"))
    except (TypeError, ValueError):
        raise ValidationFailed(_("sequence wajib berupa bilangan."), code="invalid_payload") from None
    if not isinstance(status, dict) or status.get("state") not in lc.State.values:
        raise ValidationFailed(_("Bagian 'status' tidak valid."), code="invalid_payload")
    if not _delivery_new(peer, delivery_id, "status") or sequence <= link.remote_sequence:
        return link
    changed = status["state"] != link.remote_state
    link.remote_tracking_id = str(payload.get("remote_tracking_id") or link.remote_tracking_id)[:20]
    link.remote_state, link.remote_status = status["state"], "closed" if status["state"] in CLOSED_STATES else "open"
    link.remote_state_label = str(lc.State(status["state"]).label)
    link.remote_agency = str(status.get("agency") or "")[:200]
    link.remote_notes = str(status.get("status_notes") or "")[:10_000]
    link.remote_sequence, link.remote_updated_at = sequence, timezone.now()
    link.save()
    if changed:
        services.report_event_external(
            report=link.report,
            actor=Actor.system(),
            action="remote_status",
            reason=_("%(peer)s: %(state)s") % {"peer": peer.name, "state": link.remote_state_label},
            data={
                "peer": peer.slug,
                "remote_tracking_id": link.remote_tracking_id,
                "remote_state": link.remote_state,
                "remote_agency": link.remote_agency,
            },
        )
    _answer_relay(link)
    _peer_due_store(link, status)
    return link


# The peer's states in which its agency must act by its due_at (followed up: the reporter's reply window).
PEER_ACTS = (lc.State.SUBMITTED, lc.State.ROUTED, lc.State.IN_PROGRESS)


def _peer_due_store(link: FederationLink, status: dict) -> None:
    """Keep the peer's deadline on our copy from its status (``status.due_at``, sent with every
    status and with a decree's move). A peer that does not send the field leaves it as it was."""
    if "due_at" not in status:
        return
    try:
        due = parse_datetime(str(status.get("due_at") or "")) if link.remote_state in PEER_ACTS else None
    except ValueError:
        return  # not a moment: what we had stands
    if due is not None and timezone.is_naive(due):
        due = timezone.make_aware(due, dt.timezone.utc)
    services.report_peer_due_set(report=link.report, due_at=due, peer_name=link.peer.name)


def _answer_relay(link: FederationLink) -> None:
    """The peer's answer is the answer: a new follow-up there reaches our reporter as a follow-up
    here (message, notification, reply window, tracking page). A peer that closed the report without
    one (archived there) hands the clock back to us."""
    answered = link.remote_state in (lc.State.FOLLOWED_UP, lc.State.DONE)
    notes = link.remote_notes.strip()
    # The new notes may arrive a status before the state that says they are an answer (the
    # follow-up's message event precedes its transition): each answer is relayed once, by its hash.
    digest = hashlib.sha256(notes.encode()).hexdigest()[:32]
    if (
        answered
        and notes
        and not ReportEvent.objects.filter(
            report=link.report, action=lc.Action.REMOTE_ANSWER, data__notes_sha256=digest
        ).exists()
    ):
        services.report_remote_answer(
            report=link.report,
            body=notes,
            source={
                "peer": link.peer.slug,
                "remote_tracking_id": link.remote_tracking_id,
                "remote_agency": link.remote_agency or link.peer.name,
                "notes_sha256": digest,
            },
        )
    elif link.remote_state == lc.State.ARCHIVED:
        services.report_clock_release(
            report=link.report,
            actor=Actor.system(),
            reason=_("%(peer)s menutup laporan tanpa jawaban") % {"peer": link.peer.name},
        )


def link_out(link: FederationLink) -> dict:
    return {
        "peer": link.peer.slug,
        "peer_name": link.peer.name,
        "direction": link.direction,
        "remote_tracking_id": link.remote_tracking_id or None,
        "remote_state": link.remote_state or None,
        "remote_state_label": link.remote_state_label or None,
        "remote_status": link.remote_status or None,
        "remote_agency": link.remote_agency or None,
        "remote_notes": link.remote_notes or None,
        "remote_updated_at": link.remote_updated_at,
        "created_at": link.created_at,
    }


def peer_get(slug: str) -> Peer:
    peer = Peer.objects.filter(slug=slug).select_related("agency").first()
    if peer is None:
        raise NotFound(_("Peer tidak ditemukan."), code="unknown_peer")
    return peer
