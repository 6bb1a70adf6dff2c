"""API shapes for reports. What a viewer may see of a report is decided in ``projection.py``; the
functions at the end are that module's lenses under the names the surfaces have used."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

from lapor.accounts.models import User
from lapor.api.types import LOCATION_PAIR, OPTIONAL_EMAIL, OPTIONAL_PHONE, Latitude, Longitude, text

from .models import Attachment, Message, Report, ReportEvent
from .projection import (  # the older names are re-exported from here
    ANONYMOUS,  # noqa: F401
    PUBLIC,
    REPORTER,
    SOCIAL_BODY_HIDDEN,  # noqa: F401
    SOCIAL_TITLE_HIDDEN,  # noqa: F401
    STAFF,
    Lens,
    lens_for,
    lens_public,  # noqa: F401
    mask_text,  # noqa: F401
    public_report_out,  # noqa: F401
    report_out,  # noqa: F401
)


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
    type: Literal["complaint", "suggestion", "information"] = "complaint"
    title: str = text(200)
    body: str = text(20000)
    topic_id: int | None = None
    region_code: str | None = Field(None, max_length=13, description="Kemendagri code, e.g. 13.74.01")
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    address: str = Field("", max_length=300)
    incident_date: dt.date | None = None
    target_agency_id: int | None = None
    channel: Literal["web", "mobile", "api"] = Field(
        "api",
        description="the door used: citizens' apps send web or mobile, scripts api. SMS, e-mail, social "
        "media, counters, partners, Open311 and federation have their own doors",
    )
    is_anonymous: bool = False
    is_confidential: bool = False
    guest_name: str = Field("", max_length=150)
    guest_email: str = Field(
        "",
        max_length=254,
        pattern=OPTIONAL_EMAIL,
        description="a guest gives guest_email or guest_phone (400 contact_required)",
    )
    guest_phone: str = Field("", max_length=32, pattern=OPTIONAL_PHONE)

    model_config = {"json_schema_extra": LOCATION_PAIR}


class PeerDueOut(Schema):
    peer: str
    due_at: dt.datetime
    is_late: bool
    text: str


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
    peer_due: PeerDueOut | None = Field(
        None, description="Forwarded to a peer deployment: by when it must act there (its clock, not ours)"
    )
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
    support_count: int = Field(0, description='Citizens who support ("Dukung") this report')


class PublicReportPageOut(Schema):
    items: list[PublicReportOut]
    next_cursor: str | None


class EventOut(Schema):
    id: int
    kind: str
    action: str
    actor: str
    title: str = Field(description="What happened, a statement in the requested language")
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


def _lens(report: Report, *, staff: bool, reporter_visible: bool, viewer: User | None = None) -> Lens:
    audience = STAFF if staff else PUBLIC
    if reporter_visible and not staff:
        audience = REPORTER
    return Lens(report=report, viewer=viewer, audience=audience, reporter_visible=reporter_visible)


def reporter_out(report: Report, viewer: User | None, *, is_reporter: bool) -> dict | None:
    return lens_for(report, viewer, is_reporter=is_reporter).reporter


def text_for(report: Report, text: str, viewer: User | None, *, is_reporter: bool) -> str:
    """A text of the report as this signed-in viewer may read it (projection.Lens.text)."""
    return lens_for(report, viewer, is_reporter=is_reporter).text(text)


def public_text(report: Report, text: str) -> str:
    """A text of the report as the public reads it (projection.lens_public)."""
    return lens_public(report).text(text)


def event_out(event: ReportEvent, *, staff: bool, reporter_visible: bool) -> dict:
    return _lens(event.report, staff=staff, reporter_visible=reporter_visible).event(event)


def attachment_name(att: Attachment, report: Report, *, reporter_visible: bool) -> str:
    return _lens(report, staff=True, reporter_visible=reporter_visible).attachment_name(att)


def attachment_out(att: Attachment, report: Report, *, reporter_visible: bool) -> dict:
    return _lens(report, staff=True, reporter_visible=reporter_visible).attachment(att)


def message_out(message: Message, report: Report, *, staff: bool, reporter_visible: bool) -> dict:
    return _lens(report, staff=staff, reporter_visible=reporter_visible).message(message)
