"""/api/analytics: dashboards, league table, connectivity, drill-downs, exports, action plans,
and the public statistics (no sign-in)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from lapor.accounts.audit import audit_record
from lapor.accounts.selectors import user_grants, user_scope_q
from lapor.agencies.models import Agency
from lapor.api.auth import STAFF_AUTH, request_user
from lapor.api.types import MONTH, SCOPE
from lapor.core.errors import Conflict, NotFound, PermissionDenied
from lapor.reports.schemas import public_report_out, report_out
from lapor.reports.selectors import report_page

from . import selectors as sel
from .answers import answer_quality_get
from .exports import CONTENT_TYPES, export_small, file_name
from .jobs import job_file, job_page_url
from .models import ActionPlan, Job
from .opendata import opendata_path
from .pdf import agency_month_pdf, month_check, month_is_current, pdf_path
from .services import action_plan_create, action_plan_update, job_cancel, job_create

router = Router(tags=["analytics"])


PERIOD = "YYYY-MM; from is not after to, at most 120 months apart (400 invalid_period)"
DrillDim = Literal[tuple(sorted(sel.DRILL_DIMS))]
LeagueSort = Literal[tuple(sorted(sel.LEAGUE_SORTS)) + tuple(f"-{s}" for s in sorted(sel.LEAGUE_SORTS))]
AgencyKind = Literal[tuple(Agency.Kind.values)]


class PeriodQuery(Schema):
    scope: str | None = Field(None, pattern=SCOPE, description="n | a:<agency id> | r:<province/regency code> | p")
    from_month: str | None = Field(None, alias="from", pattern=MONTH, description=PERIOD)
    to_month: str | None = Field(None, alias="to", pattern=MONTH, description=PERIOD)


class DrillQuery(PeriodQuery):
    dim: DrillDim = "received"
    key: str = ""


def _staff(request):
    user = request_user(request)
    if not user_grants(user):
        raise PermissionDenied(_("Halaman ini hanya untuk petugas."))
    return user


@router.get("/dashboard", auth=STAFF_AUTH, summary="Dashboard for a scope and period (from roll-ups)")
def dashboard(request, q: Query[PeriodQuery]):
    user = _staff(request)
    scope = sel.scope_check(user, q.scope)
    return sel.dashboard_get(scope, sel.period_parse(q.from_month, q.to_month))


@router.get("/league", auth=STAFF_AUTH, summary="Agency league table (rapor kepatuhan)")
def league(
    request,
    from_month: str | None = Query(None, alias="from", pattern=MONTH, description=PERIOD),
    to_month: str | None = Query(None, alias="to", pattern=MONTH, description=PERIOD),
    sort: LeagueSort = "grade",
    kind: AgencyKind | None = None,
    parent: int | None = None,
    grade: Literal["good", "fair", "poor", "unrated"] | None = None,
):
    """``sort=-grade``: the worst first; ``grade=poor``: one grade only."""
    user = _staff(request)
    return sel.league_table(
        user, sel.period_parse(from_month, to_month), sort=sort, kind=kind, parent_id=parent, grade=grade
    )


@router.get("/answers", auth=STAFF_AUTH, summary="Answer quality per agency: flagged share, rating, reopen rate")
def answers(
    request,
    from_month: str | None = Query(None, alias="from", pattern=MONTH, description=PERIOD),
    to_month: str | None = Query(None, alias="to", pattern=MONTH, description=PERIOD),
):
    """Each report once, by its first follow-up in the period; flagged by the answer checker or not;
    with its reporter's rating and whether it was reopened (docs/answer-quality.md)."""
    user = _staff(request)
    return answer_quality_get(user, sel.period_parse(from_month, to_month))


@router.get("/connectivity", auth=STAFF_AUTH, summary="Connected agencies by kind and year; active ones")
def connectivity(request):
    _staff(request)
    return sel.connectivity_get()


@router.get("/reports", auth=STAFF_AUTH, summary="The reports behind a number (drill-down)")
def drill(request, q: Query[DrillQuery], cursor: str | None = None, limit: int = 50):
    """Under the public scope ``p`` each item is the public projection of the report (what
    ``/api/public/reports`` shows); under the viewer's own scopes, the staff projection."""
    user = _staff(request)
    scope = sel.scope_check(user, q.scope)
    qs = sel.drill_qs(user, scope=scope, period=sel.period_parse(q.from_month, q.to_month), dim=q.dim, key=q.key)
    rows, next_cursor = report_page(qs.select_related("reporter"), cursor=cursor, limit=max(1, min(limit, 200)))
    if scope == sel.PUBLIC:
        return {"items": [public_report_out(r) for r in rows], "next_cursor": next_cursor}
    return {"items": [report_out(r, user) for r in rows], "next_cursor": next_cursor}


@router.get("/export", auth=STAFF_AUTH, summary="A small drill-down list as CSV or XLSX, whole (larger: POST /exports)")
def export(request, q: Query[DrillQuery], format: Literal["csv", "xlsx"] = "csv"):
    """At most ``LAPOR_EXPORT_SYNC_MAX_ROWS`` reports (5,000 by default), built whole and sent with
    its length; a larger list is refused with 400 ``export_too_large``: start a job instead."""
    user = _staff(request)
    scope = sel.scope_check(user, q.scope)
    qs = sel.drill_qs(user, scope=scope, period=sel.period_parse(q.from_month, q.to_month), dim=q.dim, key=q.key)
    return export_response(qs, scope, user, format)


def export_response(qs, scope: str, user, fmt: str) -> HttpResponse:
    data = export_small(qs, scope=scope, viewer=user, fmt=fmt)
    resp = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    resp["Content-Disposition"] = f'attachment; filename="{file_name(scope, fmt)}"'
    resp["Content-Length"] = str(len(data))
    return resp


# --- Background jobs: long exports and other long work ------------------------------------------


class JobIn(Schema):
    kind: Literal["reports", "monthly_pdfs", "opendata", "routing_train"] = "reports"
    scope: str | None = Field(None, pattern=SCOPE, description="reports: n | p | a:<agency id> | r:<code>")
    from_month: str | None = Field(None, alias="from", pattern=MONTH, description="reports: " + PERIOD)
    to_month: str | None = Field(None, alias="to", pattern=MONTH, description="reports: " + PERIOD)
    dim: DrillDim = "received"
    key: str = ""
    format: Literal["csv", "xlsx"] = Field("csv", description="reports: csv | xlsx")
    month: str | None = Field(None, pattern=MONTH, description="monthly_pdfs: YYYY-MM (default: last month)")
    agency_id: int | None = Field(None, ge=1, description="monthly_pdfs: only this agency's subtree")
    label: Literal["agency", "topic", "both"] | None = Field(None, description="routing_train: agency | topic | both")


def job_out(job: Job) -> dict:
    done = job.state == Job.State.DONE and bool(job.file_path)
    return {
        "id": str(job.pk),
        "kind": job.kind,
        "kind_label": str(Job.Kind(job.kind).label),
        "params": job.params,
        "state": job.state,
        "state_label": str(Job.State(job.state).label),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "file_name": job.file_name or None,
        "size": job.size if done else None,
        "file_url": f"/api/analytics/exports/{job.pk}/file" if done else None,
        "page_url": job_page_url(job),
        "result": job.result,
        "error": job.error or None,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "expires_at": job.expires_at if done else None,
    }


@router.post(
    "/exports",
    auth=STAFF_AUTH,
    response={202: dict},
    summary="Start a background job (an export of any size...); 202 with the job, then poll it",
)
def jobs_create(request, payload: JobIn, response: HttpResponse):
    user = _staff(request)
    params = payload.dict(by_alias=True, exclude={"kind"})
    job = job_create(
        user=user,
        kind=payload.kind,
        params={k: v for k, v in params.items() if v is not None},
        language=request.LANGUAGE_CODE,
    )
    response["Location"] = f"/api/analytics/exports/{job.pk}"
    return Status(202, job_out(job))


@router.get("/exports", auth=STAFF_AUTH, summary="My background jobs, newest first")
def jobs_list(request):
    return {"items": [job_out(j) for j in sel.jobs_for(_staff(request))]}


@router.get("/exports/{job_id}", auth=STAFF_AUTH, summary="A job's state and progress (done/total)")
def jobs_get(request, job_id: str):
    return job_out(sel.job_get_for(_staff(request), job_id))


@router.delete("/exports/{job_id}", auth=STAFF_AUTH, summary="Cancel a job, or delete a finished job's file")
def jobs_cancel(request, job_id: str):
    user = _staff(request)
    return job_out(job_cancel(user=user, job=sel.job_get_for(user, job_id)))


@router.get(
    "/exports/{job_id}/file", auth=STAFF_AUTH, summary="Download a finished job's file (requester or platform admin)"
)
def jobs_file(request, job_id: str):
    user = _staff(request)
    return job_file_response(user, sel.job_get_for(user, job_id))


def job_file_response(user, job: Job) -> FileResponse:
    """The whole file with its length, in one short request (it was written before)."""
    path = job_file(job)
    if job.state != Job.State.DONE or path is None:
        if job.is_active:
            raise Conflict(
                _("Berkas belum siap (%(done)s dari %(total)s).") % {"done": job.done, "total": job.total or "?"},
                code="job_not_ready",
            )
        raise NotFound(_("Berkas ini tidak tersedia lagi (kedaluwarsa, dibatalkan, atau gagal)."), code="job_file_gone")
    try:
        handle = open(path, "rb")
    except FileNotFoundError as exc:
        raise NotFound(
            _("Berkas ini tidak tersedia lagi (kedaluwarsa, dibatalkan, atau gagal)."), code="job_file_gone"
        ) from exc
    audit_record(action="job_download", actor=user, target=job, detail={"size": job.size})
    return FileResponse(handle, as_attachment=True, filename=job.file_name, content_type=job.content_type)


@router.get("/pdf/{agency_id}/{month}", auth=STAFF_AUTH, summary="Monthly agency report (PDF)")
def monthly_pdf(request, agency_id: int, month: str = Path(..., pattern=MONTH)):
    user = _staff(request)
    sel.scope_check(user, f"a:{agency_id}")
    first = month_check(sel.period_parse(month, month).start)  # a month not begun: 404 month_not_begun
    path = pdf_path(agency_id, first)
    if not path.exists() or month_is_current(first):  # the month under way is rebuilt on each request
        path = agency_month_pdf(Agency.objects.get(pk=agency_id), first)
    return FileResponse(open(path, "rb"), content_type="application/pdf", filename=path.name)


# --- Action plans -----------------------------------------------------------------------------


class PlanIn(Schema):
    agency_id: int
    topic_id: int | None = None
    title: str = Field(..., max_length=200)
    owner: str = Field(..., max_length=150)
    due_date: dt.date
    progress: int = Field(0, ge=0, le=100)
    status: str = "planned"


class PlanPatch(Schema):
    title: str | None = Field(None, max_length=200)
    owner: str | None = Field(None, max_length=150)
    due_date: dt.date | None = None
    progress: int | None = Field(None, ge=0, le=100)
    status: str | None = None


def plan_out(p: ActionPlan) -> dict:
    return {
        "id": p.pk,
        "agency": {"id": p.agency_id, "name": p.agency.name},
        "topic": {"id": p.topic_id, "name": p.topic.name} if p.topic_id else None,
        "title": p.title,
        "owner": p.owner,
        "due_date": p.due_date,
        "progress": p.progress,
        "status": p.status,
        "status_label": str(ActionPlan.Status(p.status).label),
        "updated_at": p.updated_at,
    }


def plans_for(user):
    qs = ActionPlan.objects.select_related("agency", "topic")
    scope = user_scope_q(user, "agency__path")
    return qs if scope is None else qs.filter(scope)


@router.get("/plans", auth=STAFF_AUTH, summary="Action plans (rencana aksi) in the viewer's scope")
def plans_list(request, topic_id: int | None = None, agency_id: int | None = None):
    qs = plans_for(_staff(request))
    if topic_id:
        qs = qs.filter(topic_id=topic_id)
    if agency_id:
        qs = qs.filter(agency_id=agency_id)
    return [plan_out(p) for p in qs[:500]]


@router.post("/plans", auth=STAFF_AUTH, response={201: dict}, summary="Create an action plan")
def plans_create(request, payload: PlanIn):
    plan = action_plan_create(user=_staff(request), **payload.dict())
    return Status(201, plan_out(plan))


@router.patch("/plans/{plan_id}", auth=STAFF_AUTH, summary="Update an action plan (progress, status, ...)")
def plans_update(request, plan_id: int, payload: PlanPatch):
    plan = action_plan_update(user=_staff(request), plan_id=plan_id, **payload.dict())
    return plan_out(plan)


# --- Public statistics and open data (no sign-in) -----------------------------------------------


@router.get("/public/stats", auth=None, summary="Public statistics over non-confidential reports")
def public_stats(
    request,
    from_month: str | None = Query(None, alias="from", pattern=MONTH, description=PERIOD),
    to_month: str | None = Query(None, alias="to", pattern=MONTH, description=PERIOD),
):
    data = sel.dashboard_get(sel.PUBLIC, sel.period_parse(from_month, to_month))
    data.pop("overdue_by_agency", None)
    for topic in data["top_topics"]:
        topic["plans"] = [{k: v for k, v in p.items() if k != "id"} for p in topic["plans"]]
    return data


@router.get("/public/dataset.csv.gz", auth=None, summary="Open data: public reports, personal data masked (daily)")
def public_dataset(request):
    path = opendata_path()
    if not path.exists():
        raise NotFound(_("Data terbuka belum dibuat; coba lagi besok."))
    return FileResponse(open(path, "rb"), content_type="application/gzip", filename=path.name)
