"""/api/partners/… (partner systems, bearer token of the partner's service user) and
/api/federation/… (staff: forward a report to a peer, see where it went)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Router, Schema, Status
from pydantic import Field

from lapor.accounts.selectors import user_is_staff
from lapor.api.auth import STAFF_AUTH, request_user, token_auth
from lapor.api.types import LOCATION_PAIR, NONBLANK, Latitude, Longitude, text
from lapor.core.errors import PermissionDenied
from lapor.reports.models import tracking_id_normalize
from lapor.reports.selectors import report_get_for
from lapor.reports.services import Actor

from . import federation, partners
from .models import FederationLink, Peer

router = Router()
partners_router = Router(tags=["partners"])
federation_router = Router(tags=["federation"])


class PartnerReportIn(Schema):
    type: Literal["complaint", "suggestion", "information"] = "complaint"
    title: str = text(200)
    body: str = text(20000)
    topic_id: int | None = None
    region_code: str | None = Field(None, max_length=13)
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    address: str = Field("", max_length=300)
    incident_date: dt.date | None = None
    is_anonymous: bool = False
    is_confidential: bool = False
    external_ref: str = Field("", max_length=100, description="The partner's own id for this report")

    model_config = {"json_schema_extra": LOCATION_PAIR}


class PartnerReportOut(Schema):
    tracking_id: str
    external_ref: str
    state: str
    state_label: str
    status: str = Field(..., description="open | closed (as in Open311)")
    agency: str | None
    status_notes: str
    due_at: str | None
    updated_at: str | None
    rating: int | None = None


class PartnerReplyIn(Schema):
    # as a reporter's own reply (reports.services.MESSAGE_MAX): the schema said 20,000 and an empty
    # text was schema-valid, both refused by the service with 400 (found by the partner role's fuzz)
    body: str = text(10000, description="The citizen's answer, as they wrote it")


class PartnerRatingIn(Schema):
    rating: int = Field(..., ge=1, le=5, description="1–5")
    comment: str = Field("", max_length=500)
    satisfied: bool = Field(True, description="false reopens the report (once); the comment is then required")

    # not satisfied says why (lifecycle: REOPEN needs a reason), as RatingIn's reopen
    model_config = {
        "json_schema_extra": {
            "if": {"properties": {"satisfied": {"const": False}}, "required": ["satisfied"]},
            "then": {"properties": {"comment": {"pattern": NONBLANK}}, "required": ["comment"]},
        }
    }


@partners_router.post(
    "/reports",
    response={201: PartnerReportOut, 200: PartnerReportOut},
    auth=[token_auth],
    summary="Submit a report from a partner system; Idempotency-Key makes retries safe",
)
def partner_report_create(request, payload: PartnerReportIn):
    partner = partners.partner_for(request_user(request))
    data = payload.dict()
    external_ref = data.pop("external_ref")
    result = partners.partner_report_submit(
        partner=partner, data=data, external_ref=external_ref, key=request.headers.get("Idempotency-Key", "")
    )
    report = partners.partner_report_get(partner=partner, tracking_id=result.report.tracking_id)
    return Status(200 if result.replayed else 201, partners.partner_report_out(report))


@partners_router.get(
    "/reports/{tracking_id}",
    response=PartnerReportOut,
    auth=[token_auth],
    summary="The status of one of the partner's reports",
)
def partner_report_detail(request, tracking_id: str):
    partner = partners.partner_for(request_user(request))
    report = partners.partner_report_get(partner=partner, tracking_id=tracking_id_normalize(tracking_id))
    return partners.partner_report_out(report)


@partners_router.post(
    "/reports/{tracking_id}/replies",
    response={201: PartnerReportOut, 200: PartnerReportOut},
    auth=[token_auth],
    summary="Relay the citizen's reply to a follow-up (the same text again is a retry: 200)",
)
def partner_report_reply(request, tracking_id: str, payload: PartnerReplyIn):
    partner = partners.partner_for(request_user(request))
    report = partners.partner_report_get(partner=partner, tracking_id=tracking_id_normalize(tracking_id))
    _message, created = partners.partner_report_reply(partner=partner, report=report, body=payload.body)
    report = partners.partner_report_get(partner=partner, tracking_id=report.tracking_id)
    return Status(201 if created else 200, partners.partner_report_out(report))


@partners_router.post(
    "/reports/{tracking_id}/rating",
    response=PartnerReportOut,
    auth=[token_auth],
    summary="Relay the citizen's rating 1–5; satisfied=false reopens the report",
)
def partner_report_rate(request, tracking_id: str, payload: PartnerRatingIn):
    partner = partners.partner_for(request_user(request))
    report = partners.partner_report_get(partner=partner, tracking_id=tracking_id_normalize(tracking_id))
    partners.partner_report_rate(
        partner=partner, report=report, rating=payload.rating, comment=payload.comment, satisfied=payload.satisfied
    )
    report = partners.partner_report_get(partner=partner, tracking_id=report.tracking_id)
    return partners.partner_report_out(report)


class ForwardIn(Schema):
    peer: str = Field(..., max_length=60, description="The peer's slug")
    reason: str = Field(..., max_length=2000)


class LinkOut(Schema):
    peer: str
    peer_name: str
    direction: str
    remote_tracking_id: str | None
    remote_state: str | None
    remote_state_label: str | None
    remote_status: str | None
    remote_agency: str | None
    remote_notes: str | None
    remote_updated_at: dt.datetime | None
    created_at: dt.datetime


class PeerOut(Schema):
    slug: str
    name: str
    base_url: str
    direction: str
    is_active: bool


@federation_router.get("/peers", response=list[PeerOut], auth=STAFF_AUTH, summary="Known peers (staff)")
def peer_list(request):
    if not user_is_staff(request_user(request)):
        raise PermissionDenied("Hanya petugas.")
    return list(Peer.objects.all())


@federation_router.post(
    "/reports/{tracking_id}/forward",
    response={201: LinkOut},
    auth=STAFF_AUTH,
    summary="Forward a report to another lapor deployment (signed, retried by the outbox)",
)
def report_federate(request, tracking_id: str, payload: ForwardIn):
    user = request_user(request)
    report = report_get_for(user, tracking_id_normalize(tracking_id))
    link = federation.report_federate(
        report=report, actor=Actor(user=user), peer=federation.peer_get(payload.peer), reason=payload.reason
    )
    return Status(201, federation.link_out(link))


@federation_router.get(
    "/reports/{tracking_id}/links",
    response=list[LinkOut],
    auth=STAFF_AUTH,
    summary="Where a report went (or came from) and its status there",
)
def report_links(request, tracking_id: str):
    user = request_user(request)
    report = report_get_for(user, tracking_id_normalize(tracking_id))
    if not user_is_staff(user):
        raise PermissionDenied("Hanya petugas.")
    links = FederationLink.objects.filter(report=report).select_related("peer")
    return [federation.link_out(link) for link in links]


router.add_router("/partners", partners_router)
router.add_router("/federation", federation_router)
