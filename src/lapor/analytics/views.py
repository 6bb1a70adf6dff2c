"""Pages under /analytics/: thin views over the selectors; charts are server-side SVG."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lapor.accounts.readonly import user_is_read_only
from lapor.accounts.selectors import user_grants, user_is_platform_admin
from lapor.core.errors import DomainError
from lapor.reports.answers import answer_reasons
from lapor.reports.projection import view_for, view_public
from lapor.reports.selectors import report_page

from . import selectors as sel
from .answers import answer_quality_get

from .api import export_response, job_file_response, job_out, plans_for
from .charts import bar_chart, line_chart
from .exports import ExportTooLarge, sync_max_rows
from .forms import PlanForm, PlanProgressForm
from .jobs import keep_days
from .models import ActionPlan, Job
from .services import action_plan_create, action_plan_update, job_cancel, job_create


def _error(request, exc: DomainError):
    return render(request, "analytics/error.html", {"message": str(exc.message)}, status=exc.status)


def staff_page(view):
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user_grants(request.user):
            return render(
                request, "analytics/error.html", {"message": _("Halaman ini hanya untuk petugas.")}, status=403
            )
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return _error(request, exc)

    return wrapped


def _url(q: dict, public: bool = False) -> str:
    return ("/analytics/publik/laporan?" if public else "/analytics/laporan?") + urlencode(q)


def _decorate(d: dict, period: sel.Period, public: bool = False) -> dict:
    """Every number's drill-down URL from the ``drill`` parameters the selector put beside it."""
    for section in (
        "by_state",
        "by_type",
        "by_channel",
        "by_topic",
        "by_region",
        "top_topics",
        "trend_months",
        "trend_weeks",
        "alerts",
        "overdue_by_agency",
    ):
        for row in d[section]:
            for name in [k for k in row if k.endswith("drill")]:
                row[name.replace("drill", "url")] = _url(row[name], public)
    d["links"] = {k: _url(q, public) for k, q in d["drill"].items()}
    d["links"]["previous"] = _url(d["previous_drill"], public)
    today = timezone.localdate()
    this_month, this_week = today.replace(day=1), today - dt.timedelta(days=today.weekday())
    months, weeks = d["trend_months"], d["trend_weeks"]
    d["partial_month"] = bool(months) and months[-1]["month"] >= this_month
    d["partial_week"] = bool(weeks) and weeks[-1]["week"] >= this_week
    for r in months:
        r["partial"] = r["month"] >= this_month
    for r in weeks:
        r["partial"] = r["week"] >= this_week
    unit = _("laporan")
    d["charts"] = {
        "months": line_chart(
            [(date_format(r["month"], "M y"), r["received"], r["previous"]) for r in months],
            title=_("Laporan diterima per bulan"),
            unit=unit,
            partial_last=d["partial_month"],
        ),
        "weeks": line_chart(
            [(date_format(r["week"], "j M"), r["received"], r["previous"]) for r in weeks],
            title=_("Laporan diterima per minggu"),
            unit=unit,
            partial_last=d["partial_week"],
        ),
        "state": bar_chart([(r["label"], r["n"]) for r in d["by_state"]], title=_("Laporan menurut status"), unit=unit),
        "topic": bar_chart([(r["label"], r["n"]) for r in d["top_topics"]], title=_("Topik terbanyak"), unit=unit),
    }
    return d


@staff_page
def dashboard(request):
    scope = sel.scope_check(request.user, request.GET.get("scope"))
    period = sel.period_parse(request.GET.get("from"), request.GET.get("to"))
    d = _decorate(sel.dashboard_get(scope, period), period)
    return render(
        request, "analytics/dashboard.html", {"d": d, "public": False, "scopes": sel.scope_choices(request.user, scope)}
    )


def public_stats(request):
    try:
        period = sel.period_parse(request.GET.get("from"), request.GET.get("to"))
    except DomainError as exc:
        return _error(request, exc)
    d = _decorate(sel.dashboard_get(sel.PUBLIC, period), period, public=True)
    d["overdue_by_agency"] = []
    return render(request, "analytics/dashboard.html", {"d": d, "public": True})


def _report_list(request, *, public: bool):
    scope = sel.PUBLIC if public else sel.scope_check(request.user, request.GET.get("scope"))
    period = sel.period_parse(request.GET.get("from"), request.GET.get("to"))
    dim, key = request.GET.get("dim", "received"), request.GET.get("key", "")
    qs = sel.drill_qs(None if public else request.user, scope=scope, period=period, dim=dim, key=key)
    fmt = request.GET.get("format")
    too_large = None
    if fmt and not public:
        try:
            return export_response(qs, scope, request.user, fmt)
        except ExportTooLarge as exc:  # offer the background export instead (never a cut file)
            too_large = exc.message
    rows, next_cursor = report_page(qs, cursor=request.GET.get("cursor"), limit=50)
    # the public scope: every report as the public sees it; the viewer's own scope: an anonymous
    # reporter's data masked (reports/projection.py)
    rows = [view_public(r) if public or scope == sel.PUBLIC else view_for(r, request.user) for r in rows]
    params = request.GET.copy()
    params.pop("cursor", None)
    params.pop("format", None)
    count = qs.count()
    return render(
        request,
        "analytics/reports.html",
        {
            "rows": rows,
            "public": public,
            "count": count,
            "public_links": public or scope == sel.PUBLIC,
            "label": sel.drill_label(dim, key),
            "next_url": f"?{params.urlencode()}&cursor={next_cursor}" if next_cursor else None,
            "small": count <= sync_max_rows(),
            "too_large": too_large,
            "job": {
                "scope": scope,
                "from": period.start.strftime("%Y-%m"),
                "to": period.end.strftime("%Y-%m"),
                "dim": dim,
                "key": key,
            },
            "csv_url": f"?{params.urlencode()}&format=csv",
            "xlsx_url": f"?{params.urlencode()}&format=xlsx",
        },
        status=400 if too_large else 200,
    )


@staff_page
def reports(request):
    return _report_list(request, public=False)


def public_reports(request):
    try:
        return _report_list(request, public=True)
    except DomainError as exc:
        return _error(request, exc)


LEAGUE_PAGE = 50  # rows a page: the whole network is ~700 agencies, a phone reads a page (docs/web.md: weight)


@staff_page
def league(request):
    g = request.GET
    period = sel.period_parse(g.get("from"), g.get("to"))
    sort, kind, grade = g.get("sort") or "grade", g.get("kind") or None, g.get("grade") or None
    data = sel.league_table(request.user, period, sort=sort, kind=kind, grade=grade)
    page = max(1, _int(g.get("page")) or 1)
    pages = max(1, -(-len(data["rows"]) // LEAGUE_PAGE))
    page = min(page, pages)
    total = len(data["rows"])
    data["rows"] = data["rows"][(page - 1) * LEAGUE_PAGE : page * LEAGUE_PAGE]
    months = {"from": period.start.strftime("%Y-%m"), "to": period.end.strftime("%Y-%m")}
    for row in data["rows"]:
        row["urls"] = {k: _url(q) for k, q in row["drill"].items()}
        row["urls"]["dashboard"] = "/analytics/?" + urlencode({"scope": f"a:{row['agency_id']}", **months})
    keep = {k: v for k, v in {**months, "sort": sort, "kind": kind or "", "grade": grade or ""}.items() if v}
    sorted_by = lambda key: "?" + urlencode({**keep, "sort": key})  # noqa: E731
    return render(
        request,
        "analytics/league.html",
        {
            "data": data,
            "period": period,
            "sort": sort,
            "kind": kind or "",
            "grade": grade or "",
            "total": total,
            "grades": [(k, str(v)) for k, v in sel.GRADE_LABELS.items()],
            "kinds": sel.league_kinds(),
            "sorts": [
                ("-grade", _("Nilai terburuk dulu")),
                ("grade", _("Nilai terbaik dulu")),
                ("-overdue", _("Terlambat terbanyak")),
                ("-received", _("Laporan terbanyak")),
                ("completion_rate", _("Penyelesaian terendah")),
                ("in_time_rate", _("Ketepatan waktu terendah")),
                ("rating_avg", _("Kepuasan terendah")),
                ("name", _("Nama instansi")),
            ],
            "sort_urls": {
                k.lstrip("-"): sorted_by(k)
                for k in ("name", "-received", "-completion_rate", "-in_time_rate", "-rating_avg", "-overdue", "-grade")
            },
            "page": page,
            "pages": pages,
            "prev_url": "?" + urlencode({**keep, "page": page - 1}) if page > 1 else "",
            "next_url": "?" + urlencode({**keep, "page": page + 1}) if page < pages else "",
            "months": months,
        },
    )


def _int(value) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


@staff_page
def answers(request):
    period = sel.period_parse(request.GET.get("from"), request.GET.get("to"))
    data = answer_quality_get(request.user, period)
    sides = [(data["flagged"], _("Ditandai pemeriksa")), (data["unflagged"], _("Tidak ditandai"))]
    return render(
        request, "analytics/answers.html", {"data": data, "period": period, "reasons": answer_reasons(), "sides": sides}
    )


@staff_page
def connectivity(request):
    data = sel.connectivity_get()
    data["chart"] = bar_chart(
        [(str(r["year"]), r["cumulative"]) for r in data["by_year"]],
        title=_("Instansi terhubung (kumulatif)"),
        unit=_("instansi"),
    )
    return render(request, "analytics/connectivity.html", {"data": data})


@staff_page
def plans(request):
    """GET: the plans in scope, each with its progress form where the viewer may edit. POST: a new
    plan (``services.action_plan_create``, which decides who may)."""
    form = PlanForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                plan = action_plan_create(
                    user=request.user,
                    agency_id=int(d["agency"]),
                    topic_id=int(d["topic"]) if d["topic"] else None,
                    title=d["title"],
                    owner=d["owner"],
                    due_date=d["due_date"],
                    progress=d["progress"],
                    status=d["status"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("Rencana aksi “%(title)s” tersimpan.") % {"title": plan.title})
                return redirect("analytics:plans")
        else:
            status = 400
    return _plans_page(request, form, status=status)


def _plans_page(request, form, *, status: int = 200, errors: dict | None = None):
    rows = list(plans_for(request.user)[:500])
    editable = {int(pk) for pk, _name in form.fields["agency"].choices if pk}
    return render(
        request,
        "analytics/plans.html",
        {
            "plans": [
                {"plan": p, "editable": p.agency_id in editable, "error": (errors or {}).get(p.pk)} for p in rows
            ],
            "form": form,
            "can_create": bool(editable),
            "statuses": ActionPlan.Status.choices,
        },
        status=status,
    )


@staff_page
def plan_update(request, plan_id: int):
    if request.method != "POST":
        return redirect("analytics:plans")
    form = PlanProgressForm(request.POST)
    if not form.is_valid():
        return _plans_page(
            request, PlanForm(user=request.user), status=400, errors={plan_id: _("Kemajuan harus 0–100%.")}
        )
    try:
        plan = action_plan_update(user=request.user, plan_id=plan_id, **form.cleaned_data)
    except DomainError as exc:
        return _plans_page(request, PlanForm(user=request.user), status=exc.status, errors={plan_id: exc.message})
    messages.success(request, _("Rencana aksi “%(title)s” diperbarui.") % {"title": plan.title})
    return redirect("analytics:plans")


# --- Background jobs: the requester's list, the progress page, the download ----------------------

JOB_FIELDS = ("scope", "from", "to", "dim", "key", "format", "month", "agency_id", "label")


@staff_page
def jobs(request):
    """GET: my jobs. POST: start one (from the report list's export buttons) and go to its page."""
    if request.method == "POST":
        params = {k: request.POST[k] for k in JOB_FIELDS if request.POST.get(k, "") != ""}
        job = job_create(
            user=request.user,
            kind=request.POST.get("kind") or Job.Kind.REPORTS,
            params=params,
            language=request.LANGUAGE_CODE,
        )
        return redirect("analytics:job", job_id=job.pk)
    return render(
        request,
        "analytics/jobs.html",
        {
            "jobs": sel.jobs_for(request.user),
            "keep_days": keep_days(),
            "platform": user_is_platform_admin(request.user),
        },
    )


@staff_page
def job(request, job_id):
    """The progress bar: reloads itself every few seconds without JavaScript (a refresh inside
    <noscript>), and with it polls the API and moves the bar in place."""
    job = sel.job_get_for(request.user, job_id)
    scope = (job.params or {}).get("scope")
    # an overseer may ask for a job (a read) but not cancel one (accounts/readonly.py): no button that answers 403
    return render(
        request,
        "analytics/job.html",
        {
            "job": job,
            "out": job_out(job),
            "scope_label": sel.scope_label(scope) if scope else "",
            "read_only": user_is_read_only(request.user),
        },
    )


@staff_page
def job_download(request, job_id):
    return job_file_response(request.user, sel.job_get_for(request.user, job_id))


@staff_page
def job_stop(request, job_id):
    if request.method != "POST":
        return render(
            request, "analytics/error.html", {"message": _("Gunakan tombol di halaman pekerjaan.")}, status=405
        )
    job = job_cancel(user=request.user, job=sel.job_get_for(request.user, job_id))
    return redirect("analytics:job", job_id=job.pk)
