"""API shapes for reports, and the one place that turns a report into what a viewer may see."""
from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from lapor.accounts.models import User
from lapor.accounts.phones import phone_mask
from lapor.core.masking import text_mask

from . import lifecycle as lc
from .models import Attachment, Message, Report, ReportEvent
from .selectors import report_place_names, report_reporter_visible
from .services import Actor, actor_roles

ANONYMOUS = "Anonim"


class RefOut(Schema):
    id: int
    name: str


class RegionRefOut(Schema):
    code: str
    name: str


class ReporterOut(Schema):
    name: str
    contact: str | None = None
    is_anonymous: bool


class ReportIn(Schema):
    type: str = Field("complaint", description="complaint | suggestion | information")
    title: str = Field(..., max_length=200)
    body: str = Field(..., max_length=20000)
    topic_id: int | None = None
    region_code: str | None = Field(None, max_length=13, description="Kemendagri code, e.g. 13.74.01")
    latitude: float | None = None
    longitude: float | None = None
    address: str = Field("", max_length=300)
    incident_date: dt.date | None = None
    target_agency_id: int | None = None
    channel: str = Field("api", description="intake channel; citizens' apps send web or mobile")
    is_anonymous: bool = False
    is_confidential: bool = False
    guest_name: str = Field("", max_length=150)
    guest_email: str = Field("", max_length=254)
    guest_phone: str = Field("", max_length=32)


class ReportOut(Schema):
    tracking_id: str
    type: str
    title: str
    body: str
    state: str
    state_label: str
    channel: str
    topic: RefOut | None
    region: RegionRefOut | None
    agency: RefOut | None
    address: str
    latitude: float | None
    longitude: float | None
    incident_date: dt.date | None
    is_anonymous: bool
    is_confidential: bool
    reporter: ReporterOut | None
    submitted_at: dt.datetime
    due_at: dt.datetime | None
    completion_due_at: dt.datetime | None
    is_overdue: bool
    escalation_level: int
    bounce_count: int
    rating: int | None
    actions: list[str]


class ReportCreatedOut(ReportOut):
    guest_secret: str | None = Field(None, description="Only for guests: keep it to follow the report")


class ReportPageOut(Schema):
    items: list[ReportOut]
    next_cursor: str | None


class PublicReportOut(Schema):
    tracking_id: str
    type: str
    title: str
    body: str
    state: str
    state_label: str
    topic: RefOut | None
    region: RegionRefOut | None
    agency: RefOut | None
    reporter_name: str
    submitted_at: dt.datetime


class PublicReportPageOut(Schema):
    items: list[PublicReportOut]
    next_cursor: str | None


class EventOut(Schema):
    id: int
    kind: str
    action: str
    actor: str
    actor_role: str
    from_state: str
    to_state: str
    agency: str | None
    reason: str
    data: dict
    created_at: dt.datetime


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str


class MessageOut(Schema):
    id: int
    kind: str
    author: str
    agency: str | None
    body: str
    created_at: dt.datetime
    attachments: list[AttachmentOut]


class TimelineOut(Schema):
    events: list[EventOut]
    messages: list[MessageOut]


def _ref(obj) -> dict | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def reporter_out(report: Report, viewer: User | None, *, is_reporter: bool) -> dict | None:
    if not report_reporter_visible(report, viewer, is_reporter=is_reporter):
        return {"name": ANONYMOUS, "contact": None, "is_anonymous": True} if report.is_anonymous else None
    name = report.reporter_name
    contact = report.reporter_contact
    if contact.startswith("+"):
        contact = phone_mask(contact) if not is_reporter else contact
    return {"name": name or "-", "contact": contact, "is_anonymous": report.is_anonymous}


def _masked_for(report: Report) -> tuple[str, ...]:
    return (report.reporter_name,) if report.is_anonymous else ()


def _mask(report: Report, text: str) -> str:
    """Personal data masked; an anonymous reporter's name too, as a name, keeping the words of
    the report's place names (``text_mask``)."""
    names = _masked_for(report)
    return text_mask(text, names=names, places=report_place_names(report) if names else ())


def text_for(report: Report, text: str, viewer: User | None, *, is_reporter: bool) -> str:
    """The text of an anonymous report as agency staff see it: personal data and the reporter's
    own name masked. The reporter (and the audited reveal) sees the original."""
    if not report.is_anonymous or report_reporter_visible(report, viewer, is_reporter=is_reporter):
        return text
    return _mask(report, text)


def report_out(report: Report, viewer: User | None, *, is_reporter: bool = False, with_reporter: bool = True) -> dict:
    roles = actor_roles(report, Actor(user=viewer, is_reporter=is_reporter))
    return {
        "tracking_id": report.tracking_id, "type": report.type,
        "title": text_for(report, report.title, viewer, is_reporter=is_reporter),
        "body": text_for(report, report.body, viewer, is_reporter=is_reporter),
        "state": report.state, "state_label": str(lc.State(report.state).label), "channel": report.channel,
        "topic": _ref(report.topic), "agency": _ref(report.agency),
        "region": {"code": report.region.code, "name": report.region.name} if report.region_id else None,
        "address": report.address,
        "latitude": float(report.latitude) if report.latitude is not None else None,
        "longitude": float(report.longitude) if report.longitude is not None else None,
        "incident_date": report.incident_date, "is_anonymous": report.is_anonymous,
        "is_confidential": report.is_confidential,
        "reporter": reporter_out(report, viewer, is_reporter=is_reporter) if with_reporter else None,
        "submitted_at": report.submitted_at, "due_at": report.due_at, "completion_due_at": report.completion_due_at,
        "is_overdue": report.is_overdue, "escalation_level": report.escalation_level,
        "bounce_count": report.bounce_count, "rating": report.rating,
        "actions": lc.actions_allowed(state=report.state, roles=roles),
    }


SOCIAL_BODY_HIDDEN = "[isi disembunyikan untuk melindungi pelapor]"
SOCIAL_TITLE_HIDDEN = "Laporan dari media sosial"


def _words_of(text: str) -> str:
    return " ".join((text or "").casefold().split()).rstrip("…").strip()


def _social_anonymous_public(report: Report, text: str) -> str | None:
    """An anonymous report that came from a social-media post: its stored body IS the post, and a
    verbatim copy can be searched on the network it came from, which names the author. The public
    gets neither the body (a notice instead) nor a title copied from the post (a neutral title)."""
    if report.channel != "social" or not report.is_anonymous:
        return None
    if text == report.title and _words_of(report.title) and _words_of(report.title) in _words_of(report.body):
        return str(SOCIAL_TITLE_HIDDEN)
    if text == report.body:
        return SOCIAL_BODY_HIDDEN
    return None


def public_text(report: Report, text: str) -> str:
    """A report's text as the public sees it (pages, open data, Open311): personal data masked in
    every report, the reporter's own name too when the report is anonymous; an anonymous report from
    a social-media post never shows the post's words (``_social_anonymous_public``)."""
    hidden = _social_anonymous_public(report, text)
    return hidden if hidden is not None else _mask(report, text)


def public_report_out(report: Report) -> dict:
    return {
        "tracking_id": report.tracking_id, "type": report.type,
        "title": public_text(report, report.title), "body": public_text(report, report.body),
        "state": report.state, "state_label": str(lc.State(report.state).label),
        "topic": _ref(report.topic), "agency": _ref(report.agency),
        "region": {"code": report.region.code, "name": report.region.name} if report.region_id else None,
        "reporter_name": ANONYMOUS if report.is_anonymous else (report.reporter_name.split(" ")[0] or ANONYMOUS),
        "submitted_at": report.submitted_at,
    }


def event_out(event: ReportEvent, *, staff: bool, reporter_visible: bool) -> dict:
    if event.actor_role == lc.REPORTER:
        actor = "Pelapor" if not reporter_visible else (str(event.actor) if event.actor_id else "Pelapor")
    elif event.actor_role == lc.SYSTEM:
        actor = "Sistem"
    else:
        actor = str(event.actor) if (staff and event.actor_id) else (event.agency.name if event.agency_id else "Petugas")
    return {
        "id": event.pk, "kind": event.kind, "action": event.action, "actor": actor, "actor_role": event.actor_role,
        "from_state": event.from_state, "to_state": event.to_state,
        "agency": event.agency.name if event.agency_id else None,
        "reason": event.reason, "data": event.data if staff else {}, "created_at": event.created_at,
    }


def attachment_name(att: Attachment, report: Report, *, reporter_visible: bool) -> str:
    """The file's name as this viewer sees it. A file name can name its sender ("KTP_Siti_Aminah.jpg"):
    on an anonymous report, the reporter's own files are shown to anyone who may not see the
    reporter as "lampiran-<id>.<type>". Files staff uploaded keep their names."""
    reporters_file = att.uploaded_by_id is None or att.uploaded_by_id == report.reporter_id
    if reporter_visible or not report.is_anonymous or not reporters_file:
        return att.original_name
    return f"lampiran-{att.pk}.{att.storage_name.rsplit('.', 1)[-1]}"  # the stored type, sniffed at upload


def attachment_out(att: Attachment, report: Report, *, reporter_visible: bool) -> dict:
    return {"id": att.pk, "name": attachment_name(att, report, reporter_visible=reporter_visible),
            "content_type": att.content_type, "size": att.size,
            "url": f"/api/reports/{report.tracking_id}/attachments/{att.pk}"}


def message_out(message: Message, report: Report, *, staff: bool, reporter_visible: bool) -> dict:
    if message.kind == Message.Kind.REPLY:
        author = (str(message.author) if message.author_id else report.guest_name or "Pelapor") if reporter_visible else "Pelapor"
        if report.is_anonymous and not reporter_visible:
            author = ANONYMOUS
    else:
        author = str(message.author) if (staff and message.author_id) else (message.agency.name if message.agency_id else "Petugas")
    return {
        "id": message.pk, "kind": message.kind, "author": author,
        "agency": message.agency.name if message.agency_id else None,
        "body": message.body if reporter_visible or not report.is_anonymous else _mask(report, message.body),
        "created_at": message.created_at,
        "attachments": [attachment_out(a, report, reporter_visible=reporter_visible) for a in message.attachments.all()
                        if staff or not a.is_internal],
    }
