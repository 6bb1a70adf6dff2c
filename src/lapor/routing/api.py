"""Machine triage over the API: duplicates, links, clusters, the spam/abuse triage queue,
routing and topic suggestions."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status
from pydantic import Field

from lapor.accounts.selectors import user_is_platform_admin
from lapor.api.auth import STAFF_AUTH, request_user
from lapor.api.types import text
from lapor.core.errors import PermissionDenied, ValidationFailed
from lapor.reports.models import Report, tracking_id_normalize
from lapor.reports.projection import lens_for, lens_public
from lapor.reports.selectors import report_get_for, report_public_qs, report_qs_for
from lapor.reports.services import Actor

from . import selectors, services
from .models import Cluster, ReportFlag

router = Router(tags=["routing"])


class SimilarOut(Schema):
    tracking_id: str
    title: str
    state: str
    similarity: float


class SimilarIn(Schema):
    title: str = Field("", max_length=200)
    body: str = Field(..., max_length=20000)
    region_code: str | None = Field(None, max_length=13)


class LinkIn(Schema):
    other: str


class ClusterIn(Schema):
    title: str = Field(..., max_length=200)
    tracking_ids: list[str] = Field(..., min_length=2, max_length=500)


class ClusterOut(Schema):
    id: int
    title: str
    tracking_ids: list[str]


class ClusterBodyIn(Schema):  # not "BodyIn": the schema's components are named by class
    body: str = text(10000)


class ClusterFollowUpOut(Schema):
    followed_up: list[str]
    skipped: list[str]


class FlagOut(Schema):
    id: int
    tracking_id: str
    kind: str
    detail: str
    created_at: str


@router.get(
    "/reports/{tracking_id}/duplicates",
    response=list[SimilarOut],
    auth=STAFF_AUTH,
    summary="Likely duplicates of a report among open reports in the caller's scope",
)
def report_duplicates(request, tracking_id: str):
    user = request_user(request)
    report = report_get_for(user, tracking_id_normalize(tracking_id))
    mine = lens_for(report, user)
    found = selectors.duplicates_find(
        qs=report_qs_for(user), title=mine.title, body=mine.body, region_code=report.region_id, exclude_id=report.pk
    )
    return [
        {"tracking_id": r.tracking_id, "title": lens_for(r, user).title, "state": r.state, "similarity": score}
        for r, score in found
    ]


@router.post(
    "/similar",
    response=list[SimilarOut],
    summary="Public reports similar to a text (for the submit form): as the public sees them",
)
def similar_public(request, payload: SimilarIn):
    """For a citizen about to file: "has this been reported already?". Open to guests, so it shows
    only public reports, through the public projection (``lens_public``: personal data and an
    anonymous reporter's name masked), and scores that projected text, never the stored one."""

    def public(r: Report) -> str:
        lens = lens_public(r)
        return f"{lens.title} {lens.body}"

    found = selectors.duplicates_find(
        qs=report_public_qs(), title=payload.title, body=payload.body, region_code=payload.region_code, text_of=public
    )
    return [
        {"tracking_id": r.tracking_id, "title": lens_public(r).title, "state": r.state, "similarity": score}
        for r, score in found
    ]


def _report(user, tracking_id: str) -> Report:
    return report_get_for(user, tracking_id_normalize(tracking_id))


@router.post(
    "/reports/{tracking_id}/links", response={201: SimilarOut}, auth=STAFF_AUTH, summary="Link a related report"
)
def report_link(request, tracking_id: str, payload: LinkIn):
    user = request_user(request)
    report, other = _report(user, tracking_id), _report(user, payload.other)
    link = services.report_link(report=report, other=other, actor=Actor(user=user))
    return Status(
        201,
        {
            "tracking_id": other.tracking_id,
            "title": lens_for(other, user).title,
            "state": other.state,
            "similarity": link.similarity or 0.0,
        },
    )


@router.post("/clusters", response={201: ClusterOut}, auth=STAFF_AUTH, summary="Group reports about one problem")
def cluster_create(request, payload: ClusterIn):
    user = request_user(request)
    reports = [_report(user, tid) for tid in payload.tracking_ids]
    cluster = services.cluster_create(title=payload.title, reports=reports, actor=Actor(user=user))
    return Status(201, {"id": cluster.pk, "title": cluster.title, "tracking_ids": [r.tracking_id for r in reports]})


@router.post(
    "/clusters/{cluster_id}/follow-up",
    response=ClusterFollowUpOut,
    auth=STAFF_AUTH,
    summary="Answer once: a follow-up on every report of the cluster",
)
def cluster_follow_up(request, cluster_id: int, payload: ClusterBodyIn):
    user = request_user(request)
    cluster = get_object_or_404(Cluster, pk=cluster_id)
    return services.cluster_follow_up(cluster=cluster, actor=Actor(user=user), body=payload.body)


@router.get("/triage", response=list[FlagOut], auth=STAFF_AUTH, summary="Flagged reports waiting for a person")
def triage_list(request):
    if not user_is_platform_admin(request_user(request)):
        raise PermissionDenied(_("Hanya Admin Nasional yang memproses antrean triase."))
    return [
        {
            "id": f.pk,
            "tracking_id": f.report.tracking_id,
            "kind": f.kind,
            "detail": f.detail,
            "created_at": f.created_at.isoformat(),
        }
        for f in selectors.flags_open()[:200]
    ]


@router.post("/flags/{flag_id}/resolve", response=FlagOut, auth=STAFF_AUTH)
def flag_resolve(request, flag_id: int):
    flag = get_object_or_404(ReportFlag.objects.select_related("report"), pk=flag_id)
    if flag.resolved_at:
        raise ValidationFailed(_("Tanda ini sudah diproses."), code="already_resolved")
    flag = services.flag_resolve(flag=flag, actor=Actor(user=request_user(request)))
    return {
        "id": flag.pk,
        "tracking_id": flag.report.tracking_id,
        "kind": flag.kind,
        "detail": flag.detail,
        "created_at": flag.created_at.isoformat(),
    }


class SuggestionOut(Schema):
    agency_id: int
    agency_name: str
    confidence: float
    reason: str
    source: str
    sure: bool = Field(..., description="offered as a one-tap choice: a rule, or the model at or above the floor")
    foreign: bool = Field(..., description="the agency is of another province/regency than the report's place")


class SuggestionsOut(Schema):
    status: str = Field(..., description="ok | rule | insufficient_history")
    model_version: str | None
    threshold: float | None = Field(None, description="auto-routing threshold (precision target on held-out history)")
    floor: float = Field(..., description="confidence under which a model suggestion is only a guess")
    suggestions: list[SuggestionOut]


class TopicTextIn(Schema):
    text: str = Field(..., max_length=5000)


class TopicSuggestionOut(Schema):
    topic_id: int
    name: str
    confidence: float


class ModelLiveOut(Schema):
    version: str
    current: bool
    trained_at: str | None
    n_train: int | None
    holdout_top1: float | None = Field(None, description="top-1 of its held-out twin on the newest training slice")
    auto_routed: int
    returned: int = Field(..., description="automatic routes the chosen agency returned as Bukan Wewenang")
    live_precision: float | None = Field(None, description="share of its automatic routes not returned")
    decisions: int = Field(..., description="routes by a person while its suggestions were shown")
    tapped: int = Field(..., description="of those, taken with a suggestion's own button")
    live_top1: float | None
    live_top3: float | None


class RetrainOut(Schema):
    at: dt.datetime
    label: str = Field(..., description="agency | topic: which model was retrained")
    status: str = Field(
        ...,
        description="trained | kept_previous | unchanged (no newly handled report since the current model: nothing written) | insufficient_history",
    )
    version: str | None = Field(None, description="the model version routing from then on (none: too little history)")
    reports: int | None = Field(None, description="handled reports it learnt from")
    needed: int | None = Field(None, description="with insufficient_history: the reports needed")
    compared: int = Field(..., description="newest reports neither model learnt from, on which the two were compared")
    new_top1: float | None
    current_top1: float | None
    why: str = Field(..., description="no_current_model | too_few_new_reports | unknown_training_period, or empty")


class AutorouteStatsOut(Schema):
    auto_routed: int
    by_model: int
    by_rule: int
    bounced_back: int
    bounce_rate: float | None
    current_version: str | None
    models: list[ModelLiveOut]
    retrain_seconds: int = Field(..., description="LAPOR_ROUTING_RETRAIN_SECONDS: how often the models retrain")
    retrains: list[RetrainOut] = Field(..., description="the newest retrain outcomes, newest first")


@router.get(
    "/reports/{tracking_id}/suggestions",
    response=SuggestionsOut,
    auth=STAFF_AUTH,
    summary="Top agencies for a report: a matching rule first, then the model with calibrated confidence",
)
def report_suggestions(request, tracking_id: str):
    from .suggest import routing_suggest  # heavy: scikit-learn only when asked for a suggestion or the stats

    report = report_get_for(request_user(request), tracking_id_normalize(tracking_id))
    return routing_suggest(report)


@router.post(
    "/topic-suggestions", response=list[TopicSuggestionOut], summary="The 3 likeliest topics for a text (submit form)"
)
def topic_suggestions(request, payload: TopicTextIn):
    from .suggest import topic_suggest  # heavy: scikit-learn only when asked for a suggestion or the stats

    return topic_suggest(payload.text)


@router.get(
    "/stats",
    response=AutorouteStatsOut,
    auth=STAFF_AUTH,
    summary="Automatic routing: how many, how many came back as Bukan Wewenang, and each model's live accuracy",
)
def autoroute_stats(request):
    from .suggest import routing_stats as stats  # heavy: scikit-learn only when asked for a suggestion or the stats

    if not user_is_platform_admin(request_user(request)):
        raise PermissionDenied(_("Hanya Admin Nasional yang dapat melihat statistik ini."))
    return stats()
