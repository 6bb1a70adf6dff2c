"""/api/analytics: dashboards, league table, connectivity, drill-downs, exports, action plans,
and the public statistics (no sign-in)."""
from __future__ import annotations

import datetime as dt

from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from lapor.accounts.selectors import user_grants, user_scope_q
from lapor.api.auth import STAFF_AUTH, request_user
from lapor.core.errors import NotFound, PermissionDenied, ValidationFailed
from lapor.reports.schemas import report_out
from lapor.reports.selectors import report_page

from . import selectors as sel
from .exports import HEADER, csv_stream, report_rows, xlsx_stream
from .models import ActionPlan
from .opendata import opendata_path
from .services import action_plan_create, action_plan_update

router = Router(tags=["analytics"])
EXPORT_MAX_ROWS = 1_000_000


class PeriodQuery(Schema):
    scope: str | None = Field(None, description="n | a:<agency id> | r:<province/regency code> | p")
    from_month: str | None = Field(None, alias="from", description="YYYY-MM")
    to_month: str | None = Field(None, alias="to", description="YYYY-MM")


class DrillQuery(PeriodQuery):
    dim: str = "received"
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
def league(request, from_month: str | None = Query(None, alias="from"), to_month: str | None = Query(None, alias="to"),
           sort: str = "grade", kind: str | None = None, parent: int | None = None):
    user = _staff(request)
    return sel.league_table(user, sel.period_parse(from_month, to_month), sort=sort, kind=kind, parent_id=parent)


@router.get("/connectivity", auth=STAFF_AUTH, summary="Connected agencies by kind and year; active ones")
def connectivity(request):
    _staff(request)
    return sel.connectivity_get()


@router.get("/reports", auth=STAFF_AUTH, summary="The reports behind a number (drill-down)")
def drill(request, q: Query[DrillQuery], cursor: str | None = None, limit: int = 50):
    user = _staff(request)
    scope = sel.scope_check(user, q.scope)
    qs = sel.drill_qs(user, scope=scope, period=sel.period_parse(q.from_month, q.to_month), dim=q.dim, key=q.key)
    rows, next_cursor = report_page(qs.select_related("reporter"), cursor=cursor, limit=max(1, min(limit, 200)))
    return {"items": [report_out(r, user) for r in rows], "next_cursor": next_cursor}


@router.get("/export", auth=STAFF_AUTH, summary="Stream the drill-down list as CSV or XLSX")
def export(request, q: Query[DrillQuery], format: str = "csv"):
    user = _staff(request)
    scope = sel.scope_check(user, q.scope)
    qs = sel.drill_qs(user, scope=scope, period=sel.period_parse(q.from_month, q.to_month), dim=q.dim, key=q.key)
    return export_response(qs, user, format)


def export_response(qs, user, fmt: str) -> StreamingHttpResponse:
    stamp = dt.date.today().isoformat()
    rows = report_rows(qs.order_by("-submitted_at", "-id")[:EXPORT_MAX_ROWS], user)
    if fmt == "csv":
        resp = StreamingHttpResponse(csv_stream(HEADER, rows), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        resp = StreamingHttpResponse(
            xlsx_stream(HEADER, rows), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        raise ValidationFailed(_("Format ekspor tidak dikenal (csv, xlsx)."), code="invalid_format")
    resp["Content-Disposition"] = f'attachment; filename="laporan-{stamp}.{fmt}"'
    return resp


@router.get("/pdf/{agency_id}/{month}", auth=STAFF_AUTH, summary="Monthly agency report (PDF)")
def monthly_pdf(request, agency_id: int, month: str):
    from lapor.agencies.models import Agency

    from .pdf import agency_month_pdf, pdf_path

    user = _staff(request)
    sel.scope_check(user, f"a:{agency_id}")
    first = sel.period_parse(month, month).start
    path = pdf_path(agency_id, first)
    if not path.exists():
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
    return {"id": p.pk, "agency": {"id": p.agency_id, "name": p.agency.name},
            "topic": {"id": p.topic_id, "name": p.topic.name} if p.topic_id else None, "title": p.title,
            "owner": p.owner, "due_date": p.due_date, "progress": p.progress, "status": p.status,
            "status_label": str(ActionPlan.Status(p.status).label), "updated_at": p.updated_at}


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
def public_stats(request, from_month: str | None = Query(None, alias="from"), to_month: str | None = Query(None, alias="to")):
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
