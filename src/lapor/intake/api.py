"""Intake over the API: assisted entry by staff, and the social-media triage queue."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status
from pydantic import Field

from lapor.accounts.models import Role
from lapor.accounts.selectors import user_grants, user_is_platform_admin
from lapor.api.auth import STAFF_AUTH, request_user
from lapor.api.types import OPTIONAL_EMAIL, OPTIONAL_PHONE, text
from lapor.core.errors import PermissionDenied
from lapor.reports.models import ReportType
from lapor.reports.projection import lens_for
from lapor.reports.schemas import ReportCreatedOut, report_out
from lapor.reports.selectors import report_qs_for
from lapor.reports.services import Submission

from .assisted import assisted_submit
from .models import SocialDraft
from .social import social_convert, social_dismiss

router = Router(tags=["intake"])
TypeName = Literal[tuple(ReportType.values)]
TRIAGE_ROLES = {Role.PLATFORM_ADMIN, Role.AGENCY_ADMIN, Role.LIAISON}


class AssistedIn(Schema):
    channel: Literal["counter", "call_centre", "letter", "aspiration_house"]
    consent: Literal[True] = Field(..., description="the citizen agreed to this report being filed (must be true)")
    type: TypeName = "complaint"
    title: str = text(200)
    body: str = text(20000)
    topic_id: int | None = None
    region_code: str | None = Field(None, max_length=13)
    address: str = Field("", max_length=300)
    incident_date: dt.date | None = None
    target_agency_id: int | None = None
    is_anonymous: bool = False
    is_confidential: bool = False
    citizen_name: str = Field("", max_length=150)
    citizen_email: str = Field("", max_length=254, pattern=OPTIONAL_EMAIL)
    citizen_phone: str = Field("", max_length=32, pattern=OPTIONAL_PHONE)

    # the citizen's e-mail or phone, to tell them what happens (400 contact_required)
    model_config = {
        "json_schema_extra": {
            "anyOf": [
                {"required": ["citizen_email"], "properties": {"citizen_email": {"minLength": 1}}},
                {"required": ["citizen_phone"], "properties": {"citizen_phone": {"minLength": 1}}},
            ]
        }
    }


class DraftOut(Schema):
    id: int
    network: str
    kind: str
    post_id: str
    author_handle: str
    text: str
    url: str
    status: str
    tracking_id: str | None
    created_at: dt.datetime


class ConvertIn(Schema):
    title: str = Field("", max_length=200)
    type: TypeName = "complaint"
    topic_id: int | None = None
    region_code: str | None = Field(None, max_length=13)
    is_anonymous: bool = False
    is_confidential: bool = False


class DismissIn(Schema):
    reason: str = Field("", max_length=300)


def _queue_user(request):
    """Who may read the queue: platform operators (all of it) and agency admins and liaisons (only
    the posts converted into reports in their scope, see ``social_list``)."""
    user = request_user(request)
    if not any(g.role in TRIAGE_ROLES for g in user_grants(user)):
        raise PermissionDenied(_("Hanya petugas yang dapat memilah pesan media sosial."))
    return user


def _triage_user(request):
    """Who triages: the platform's operators. Mentions and messages reach the national account and
    belong to no agency until a report is made of them and verified (like every new report)."""
    user = request_user(request)
    if not user_is_platform_admin(user):
        raise PermissionDenied(_("Hanya Admin Nasional yang memilah pesan media sosial."))
    return user


HIDDEN = "[disamarkan]"


def _draft_out(d: SocialDraft, viewer) -> dict:
    """A draft as this viewer may see it. The author's handle, the post's id and link identify the
    reporter: for a post made into an anonymous report nobody sees them here (platform operators reach
    the identity only through the audited reveal), and its text reads as the report's does for the
    viewer (projection: personal data and the name masked)."""
    out = {
        "id": d.pk,
        "network": d.network,
        "kind": d.kind,
        "post_id": d.post_id,
        "author_handle": d.author_handle,
        "text": d.text,
        "url": d.url,
        "status": d.status,
        "tracking_id": d.report.tracking_id if d.report_id else None,
        "created_at": d.created_at,
    }
    if d.report_id and d.report.is_anonymous:  # platform operators too: the identity only through the audited reveal
        out.update(post_id=HIDDEN, author_handle=HIDDEN, url="", text=lens_for(d.report, viewer).text(d.text))
    return out


@router.post(
    "/assisted",
    response={201: ReportCreatedOut},
    auth=STAFF_AUTH,
    summary="Staff file a report for a citizen (counter, call centre 112, letter, rumah aspirasi)",
)
def assisted_create(request, payload: AssistedIn):
    staff = request_user(request)
    report, secret = assisted_submit(
        staff=staff,
        consent=payload.consent,
        submission=Submission(
            title=payload.title,
            body=payload.body,
            type=payload.type,
            topic_id=payload.topic_id,
            region_code=payload.region_code,
            address=payload.address,
            incident_date=payload.incident_date,
            target_agency_id=payload.target_agency_id,
            channel=payload.channel,
            is_anonymous=payload.is_anonymous,
            is_confidential=payload.is_confidential,
            guest_name=payload.citizen_name,
            guest_email=payload.citizen_email,
            guest_phone=payload.citizen_phone,
        ),
    )
    # The secret is printed on the citizen's receipt so they can follow the report themselves.
    return Status(201, {**report_out(report, staff), "guest_secret": secret or None})


@router.get("/social", response=list[DraftOut], auth=STAFF_AUTH, summary="Social-media triage queue")
def social_list(request, status: str = "new", limit: int = 50):
    """Platform operators: the whole queue. Agency admins and liaisons: only the posts converted
    into reports in their scope (new and dismissed posts belong to no agency); for an anonymous
    report without the author's handle, the post's id or its link."""
    user = _queue_user(request)
    qs = SocialDraft.objects.filter(status=status).select_related("report__reporter", "report__region")
    if not user_is_platform_admin(user):
        qs = qs.filter(status=SocialDraft.Status.CONVERTED, report__in=report_qs_for(user).values("pk"))
    return [_draft_out(d, user) for d in qs[: max(1, min(limit, 200))]]


@router.post(
    "/social/{draft_id}/convert",
    response={201: ReportCreatedOut},
    auth=STAFF_AUTH,
    summary="Turn a social-media draft into a report",
)
def social_convert_view(request, draft_id: int, payload: ConvertIn):
    staff = _triage_user(request)
    report = social_convert(draft_id=draft_id, staff=staff, **payload.dict())
    return Status(201, report_out(report, staff))


@router.post("/social/{draft_id}/dismiss", response=DraftOut, auth=STAFF_AUTH, summary="Dismiss a social-media draft")
def social_dismiss_view(request, draft_id: int, payload: DismissIn):
    staff = _triage_user(request)
    draft = social_dismiss(draft_id=draft_id, staff=staff, reason=payload.reason)
    return _draft_out(draft, staff)
