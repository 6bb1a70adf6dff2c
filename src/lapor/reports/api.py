"""Report endpoints: thin — parse, call a selector or a service, render."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, TypeAlias

from django.conf import settings
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Status, File, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from lapor.agencies.models import Agency
from lapor.api.auth import OPTIONAL_AUTH, STAFF_AUTH, request_user
from lapor.api.render import rendered
from lapor.api.types import NONBLANK, Id, IsoDate, QueryFlag, text
from lapor.core.errors import NotFound, PermissionDenied, ValidationFailed
from lapor.core.ratelimit import limited_response, upload_limited

from . import lifecycle as lc
from . import selectors, services
from .attachments import attachment_add, attachment_path
from .models import ArchiveReason, Attachment, Channel, Report, ReportType, tracking_id_normalize
from .public_cache import public_page_response
from .projection import lens_for, public_report_out, report_out
from .schemas import (
    AttachmentOut,
    PublicReportOut,
    PublicReportPageOut,
    ReportCreatedOut,
    ReportIn,
    ReportOut,
    ReportPageOut,
    TimelineOut,
)
from .selectors import ReportFilters

router = Router(tags=["reports"])
public_router = Router(tags=["public"])

MAX_PAGE = 100
ORDER_HELP = (
    f"relevance (default when q is given): the newest {selectors.RANK_CANDIDATES} matches ranked by "
    "ts_rank; newest (default without q): every match, newest first"
)


# The schema is as strict as the server: the values the server knows, as enums. Built from the
# choices at import; a type checker cannot read such a Literal and sees the plain str they are.
if TYPE_CHECKING:
    StateName: TypeAlias = str
    ChannelName: TypeAlias = str
    TypeName: TypeAlias = str
    ArchiveReasonName: TypeAlias = str
else:
    StateName = Literal[tuple(lc.State.values)]
    ChannelName = Literal[tuple(Channel.values)]
    TypeName = Literal[tuple(ReportType.values)]
    ArchiveReasonName = Literal[tuple(ArchiveReason.values)]


class ListQuery(Schema):
    state: list[StateName] | None = None
    agency_id: int | None = None
    topic_id: int | None = None
    region_code: str | None = None
    channel: ChannelName | None = None
    type: TypeName | None = None
    submitted_from: IsoDate | None = None
    submitted_to: IsoDate | None = None
    overdue: QueryFlag | None = None
    q: str = Field("", max_length=200)
    order: Literal["relevance", "newest"] | None = Field(None, description=ORDER_HELP)
    cursor: str | None = None
    limit: int = Field(20, ge=1, le=MAX_PAGE)


def _filters(query: ListQuery) -> ReportFilters:
    data = query.dict()
    data.pop("cursor"), data.pop("limit"), data.pop("order")
    return ReportFilters(**data)


def _resolve(request: HttpRequest, tracking_id: str) -> tuple[Report, services.Actor]:
    """Find a report the caller may see: staff scope, own report, or a guest with the secret."""
    user = request_user(request)
    tid = tracking_id_normalize(tracking_id)
    secret = request.headers.get("X-Report-Secret", "")
    if secret:
        report = Report.objects.select_related("agency", "topic", "region", "reporter").filter(tracking_id=tid).first()
        if report is not None and services.guest_secret_matches(report, secret):
            return report, services.Actor(user=user, is_reporter=True)
        raise NotFound(_("Laporan tidak ditemukan."))
    report = selectors.report_get_for(user, tid)
    return report, services.Actor(user=user)


def _detail(request, report: Report, actor: services.Actor) -> dict:
    # one query for the row and what the answer names (agency, topic, region), not four
    report = Report.objects.select_related("agency", "topic", "region", "reporter", "target_agency").get(pk=report.pk)
    return report_out(report, actor.user, is_reporter=actor.is_reporter)


@router.post(
    "",
    response={201: ReportCreatedOut, 200: ReportCreatedOut},
    auth=OPTIONAL_AUTH,
    summary="Submit a report (guest or signed in); Idempotency-Key makes retries safe",
)
def report_create(request, payload: ReportIn):
    user = request_user(request)
    data = payload.dict()
    result = services.report_submit_once(
        submission=services.Submission(**data),
        reporter=user,
        key=request.headers.get("Idempotency-Key", ""),
        request_hash=services.idempotency_hash(data),
    )
    body = {**report_out(result.report, user, is_reporter=True), "guest_secret": result.guest_secret or None}
    return Status(200 if result.replayed else 201, body)


@router.get(
    "",
    response=ReportPageOut,
    auth=STAFF_AUTH,
    summary="Reports in the caller's scope (staff) or the caller's own reports",
)
def report_list(request, query: Query[ListQuery]):
    user = request_user(request)
    rows, next_cursor = selectors.report_list_page(
        user, _filters(query), cursor=query.cursor, limit=query.limit, order=query.order, light=True
    )
    return rendered(
        request, {"items": [report_out(r, user, with_reporter=False) for r in rows], "next_cursor": next_cursor}
    )


@router.get("/{tracking_id}", response=ReportOut, auth=OPTIONAL_AUTH)
def report_detail(request, tracking_id: str):
    report, actor = _resolve(request, tracking_id)
    return rendered(request, report_out(report, actor.user, is_reporter=actor.is_reporter))


@router.get(
    "/{tracking_id}/timeline",
    response=TimelineOut,
    auth=OPTIONAL_AUTH,
    summary="Events and messages; internal notes and staff details only for staff in scope",
)
def report_timeline(request, tracking_id: str):
    report, actor = _resolve(request, tracking_id)
    staff = selectors.viewer_is_staff_for(report, actor.user)
    lens = lens_for(report, actor.user, is_reporter=actor.is_reporter)
    events, messages = selectors.report_timeline(report, staff=staff)
    return {"events": [lens.event(e) for e in events], "messages": [lens.message(m) for m in messages]}


# --- Actions ------------------------------------------------------------------------------


class AgencyTargetIn(Schema):
    agency_id: Id
    reason: str = Field("", max_length=2000)


class ReasonIn(Schema):
    reason: str = Field("", max_length=2000)


class BodyIn(Schema):
    body: str = text(10000)


class ArchiveIn(Schema):
    reason: ArchiveReasonName = Field(
        ..., description="too_general | not_public_service | out_of_scope | duplicate | spam"
    )
    note: str = Field("", max_length=2000)
    duplicate_of: str | None = None

    # a duplicate names its original (the schema says so; the service checks it too)
    model_config = {
        "json_schema_extra": {
            "if": {"properties": {"reason": {"const": "duplicate"}}, "required": ["reason"]},
            "then": {"properties": {"duplicate_of": {"type": "string", "minLength": 1}}, "required": ["duplicate_of"]},
        }
    }


class RatingIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=500)
    reopen: bool = Field(False, description="Not satisfied: reopen the report (once); then a comment is required")

    # reopening says why (lifecycle: REOPEN needs a reason)
    model_config = {
        "json_schema_extra": {
            "if": {"properties": {"reopen": {"const": True}}, "required": ["reopen"]},
            "then": {"properties": {"comment": {"pattern": NONBLANK}}, "required": ["comment"]},
        }
    }


class PrivacyIn(Schema):
    is_anonymous: bool
    is_confidential: bool
    reason: str = Field("", max_length=2000)


class ReporterIdentityOut(Schema):
    name: str
    email: str
    phone: str


def _agency(agency_id: int) -> Agency:
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise NotFound(_("Instansi tidak ditemukan."), code="unknown_agency", detail={"field": "agency_id"})
    return agency


@router.post("/{tracking_id}/route", response=ReportOut, auth=STAFF_AUTH, summary="Verify and route (Verifikasi)")
def report_route(request, tracking_id: str, payload: AgencyTargetIn):
    report, actor = _resolve(request, tracking_id)
    services.report_route(report=report, actor=actor, agency=_agency(payload.agency_id), reason=payload.reason)
    return _detail(request, report, actor)


@router.post("/{tracking_id}/dispose", response=ReportOut, auth=STAFF_AUTH, summary="Dispose to a unit (Disposisi)")
def report_dispose(request, tracking_id: str, payload: AgencyTargetIn):
    report, actor = _resolve(request, tracking_id)
    services.report_dispose(report=report, actor=actor, unit=_agency(payload.agency_id), reason=payload.reason)
    return _detail(request, report, actor)


@router.post("/{tracking_id}/forward", response=ReportOut, auth=STAFF_AUTH, summary="Forward to another agency")
def report_forward(request, tracking_id: str, payload: AgencyTargetIn):
    report, actor = _resolve(request, tracking_id)
    services.report_forward(report=report, actor=actor, agency=_agency(payload.agency_id), reason=payload.reason)
    return _detail(request, report, actor)


@router.post("/{tracking_id}/not-authority", response=ReportOut, auth=STAFF_AUTH, summary="Bukan Wewenang")
def report_not_authority(request, tracking_id: str, payload: ReasonIn):
    report, actor = _resolve(request, tracking_id)
    services.report_not_authority(report=report, actor=actor, reason=payload.reason)
    return _detail(request, report, actor)


@router.post(
    "/{tracking_id}/follow-up", response={201: ReportOut}, auth=STAFF_AUTH, summary="Post a follow-up (Tindak lanjut)"
)
def report_follow_up(request, tracking_id: str, payload: BodyIn):
    report, actor = _resolve(request, tracking_id)
    services.report_follow_up(report=report, actor=actor, body=payload.body)
    return Status(201, _detail(request, report, actor))


class AnswerFlagOut(Schema):
    code: Literal["short", "boilerplate", "not_concrete", "off_topic"]
    reason: str


class AnswerSuggestionOut(Schema):
    body: str
    rating: int
    tracking_id: str


class AnswerReviewOut(Schema):
    flags: list[AnswerFlagOut]
    suggestions: list[AnswerSuggestionOut]


@router.post(
    "/{tracking_id}/follow-up/review",
    response=AnswerReviewOut,
    auth=STAFF_AUTH,
    summary="Rate a draft follow-up before sending it (writes nothing)",
)
def report_follow_up_review(request, tracking_id: str, payload: BodyIn):
    """Flags a draft answer that is very short, boilerplate, names no concrete action, date, place or
    contact, or does not address the report; with the agency's best-rated earlier answers on the
    same topic. Advice only: the follow-up can still be sent."""
    report, actor = _resolve(request, tracking_id)
    review = services.report_answer_review(report=report, actor=actor, body=payload.body)
    return {"flags": review.reasons, "suggestions": selectors.answer_suggestions(report=report)}


@router.post(
    "/{tracking_id}/replies",
    response={201: ReportOut},
    auth=OPTIONAL_AUTH,
    summary="The reporter replies or adds information (guests send X-Report-Secret)",
)
def report_reply(request, tracking_id: str, payload: BodyIn):
    report, actor = _resolve(request, tracking_id)
    services.report_reply(report=report, actor=actor, body=payload.body)
    return Status(201, _detail(request, report, actor))


@router.post(
    "/{tracking_id}/notes",
    response={201: ReportOut},
    auth=STAFF_AUTH,
    summary="Internal note (never shown to the reporter)",
)
def report_note(request, tracking_id: str, payload: BodyIn):
    report, actor = _resolve(request, tracking_id)
    note = services.report_note(report=report, actor=actor, body=payload.body)
    # a note leaves the report row as it was: the copy read under the note's lock is current
    return Status(201, report_out(note.report, actor.user, is_reporter=actor.is_reporter))


@router.post("/{tracking_id}/postpone", response=ReportOut, auth=STAFF_AUTH, summary="Tunda: pause the deadline clock")
def report_postpone(request, tracking_id: str, payload: ReasonIn):
    report, actor = _resolve(request, tracking_id)
    services.report_postpone(report=report, actor=actor, reason=payload.reason)
    return _detail(request, report, actor)


@router.post("/{tracking_id}/resume", response=ReportOut, auth=STAFF_AUTH)
def report_resume(request, tracking_id: str, payload: ReasonIn):
    report, actor = _resolve(request, tracking_id)
    services.report_resume(report=report, actor=actor, reason=payload.reason)
    return _detail(request, report, actor)


@router.post("/{tracking_id}/archive", response=ReportOut, auth=STAFF_AUTH, summary="Arsipkan, with a reason")
def report_archive(request, tracking_id: str, payload: ArchiveIn):
    report, actor = _resolve(request, tracking_id)
    original = None
    if payload.duplicate_of:
        original = Report.objects.filter(tracking_id=tracking_id_normalize(payload.duplicate_of)).first()
        if original is None:
            raise NotFound(_("Laporan asli tidak ditemukan."), code="unknown_report", detail={"field": "duplicate_of"})
    services.report_archive(report=report, actor=actor, reason=payload.reason, note=payload.note, duplicate_of=original)
    return _detail(request, report, actor)


@router.post(
    "/{tracking_id}/complete", response=ReportOut, auth=OPTIONAL_AUTH, summary="The reporter accepts the answer"
)
def report_complete(request, tracking_id: str):
    report, actor = _resolve(request, tracking_id)
    services.report_complete(report=report, actor=actor)
    return _detail(request, report, actor)


@router.post(
    "/{tracking_id}/rating", response=ReportOut, auth=OPTIONAL_AUTH, summary="Rate 1–5; reopen=true when not satisfied"
)
def report_rate(request, tracking_id: str, payload: RatingIn):
    report, actor = _resolve(request, tracking_id)
    services.report_rate(
        report=report, actor=actor, rating=payload.rating, comment=payload.comment, reopen=payload.reopen
    )
    return _detail(request, report, actor)


@router.put(
    "/{tracking_id}/privacy", response=ReportOut, auth=OPTIONAL_AUTH, summary="Set the anonymous/confidential switches"
)
def report_privacy(request, tracking_id: str, payload: PrivacyIn):
    report, actor = _resolve(request, tracking_id)
    services.report_privacy_set(
        report=report,
        actor=actor,
        is_anonymous=payload.is_anonymous,
        is_confidential=payload.is_confidential,
        reason=payload.reason,
    )
    return _detail(request, report, actor)


@router.get(
    "/{tracking_id}/reporter",
    response=ReporterIdentityOut,
    auth=STAFF_AUTH,
    summary="The reporter's identity: platform admins only, every view audited",
)
def report_reporter(request, tracking_id: str, reason: str = ""):
    report, actor = _resolve(request, tracking_id)
    return services.report_reporter_reveal(report=report, actor=actor, reason=reason[:500])


@router.post("/{tracking_id}/attachments", response={201: AttachmentOut}, auth=OPTIONAL_AUTH)
def report_attachment_add(request, tracking_id: str, file: File[UploadedFile], internal: QueryFlag = False):
    report, actor = _resolve(request, tracking_id)
    retry_after = upload_limited(request, user=actor.user, files=1)
    if retry_after:
        return limited_response(request, retry_after)
    if file.size and file.size > settings.LAPOR_MAX_UPLOAD_BYTES:
        raise ValidationFailed(_("Berkas terlalu besar."), code="file_too_large")
    att = attachment_add(report=report, actor=actor, name=file.name or "", data=file.read(), internal=internal)
    return Status(201, lens_for(report, actor.user, is_reporter=actor.is_reporter).attachment(att))


@router.get(
    "/{tracking_id}/attachments/{attachment_id}",
    auth=OPTIONAL_AUTH,
    response={200: None},
    summary="Download an attachment after a permission check",
)
def report_attachment_get(request, tracking_id: str, attachment_id: int):
    report, actor = _resolve(request, tracking_id)
    att = get_object_or_404(Attachment, pk=attachment_id, report=report)
    if att.is_internal and not selectors.viewer_is_staff_for(report, actor.user):
        raise PermissionDenied(_("Lampiran ini hanya untuk petugas."))
    path = attachment_path(att)
    if not path.exists():
        raise NotFound(_("Berkas tidak ditemukan."))
    name = lens_for(report, actor.user, is_reporter=actor.is_reporter).attachment_name(att)
    response = FileResponse(open(path, "rb"), content_type=att.content_type, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Public -------------------------------------------------------------------------------


class PublicQuery(Schema):
    topic_id: int | None = None
    region_code: str | None = None
    agency_id: int | None = None
    state: list[StateName] | None = None
    q: str = Field("", max_length=200)
    order: Literal["relevance", "newest"] | None = Field(None, description=ORDER_HELP)
    cursor: str | None = None
    limit: int = Field(20, ge=1, le=MAX_PAGE)


@public_router.get("/reports", response=PublicReportPageOut, summary="Public, non-confidential reports")
def public_report_list(request, query: Query[PublicQuery]):
    f = ReportFilters(
        topic_id=query.topic_id, region_code=query.region_code, agency_id=query.agency_id, state=query.state, q=query.q
    )

    def build() -> dict:
        rows, next_cursor = selectors.report_public_page(
            f, cursor=query.cursor, limit=query.limit, order=query.order, light=True
        )
        return {"items": [public_report_out(r) for r in rows], "next_cursor": next_cursor}

    return public_page_response(request, build)


@public_router.get("/reports/{tracking_id}", response=PublicReportOut)
def public_report_detail(request, tracking_id: str):
    report = (
        selectors.report_public_qs()
        .select_related("reporter")
        .filter(tracking_id=tracking_id_normalize(tracking_id))
        .first()
    )
    if report is None:
        raise NotFound(_("Laporan tidak ditemukan."))
    return public_report_out(report)
