"""Pages under /analytics/: thin views over the selectors; charts are server-side SVG."""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils.translation import gettext as _

from lapor.accounts.selectors import user_grants
from lapor.core.errors import DomainError
from lapor.reports.projection import view_for, view_public
from lapor.reports.selectors import report_page

from . import selectors as sel
from .api import export_response, plans_for
from .charts import bar_chart, line_chart


def _error(request, exc: DomainError):
    return render(request, "analytics/error.html", {"message": str(exc.message)}, status=exc.status)


def staff_page(view):
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user_grants(request.user):
            return render(request, "analytics/error.html", {"message": _("Halaman ini hanya untuk petugas.")}, status=403)
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return _error(request, exc)
    return wrapped


def _url(q: dict, public: bool = False) -> str:
    return ("/analytics/publik/laporan?" if public else "/analytics/laporan?") + urlencode(q)


def _decorate(d: dict, period: sel.Period, public: bool = False) -> dict:
    """Every number's drill-down URL from the ``drill`` parameters the selector put beside it."""
    for section in ("by_state", "by_type", "by_channel", "by_topic", "by_region", "top_topics", "trend_months",
                    "trend_weeks", "alerts", "overdue_by_agency"):
        for row in d[section]:
            for name in [k for k in row if k.endswith("drill")]:
                row[name.replace("drill", "url")] = _url(row[name], public)
    d["links"] = {k: _url(q, public) for k, q in d["drill"].items()}
    d["links"]["previous"] = _url(d["previous_drill"], public)
    d["charts"] = {
        "months": line_chart([(r["month"].strftime("%m/%y"), r["received"], r["previous"]) for r in d["trend_months"]],
                             title=_("Laporan per bulan")),
        "weeks": line_chart([(r["week"].strftime("%d/%m"), r["received"], r["previous"]) for r in d["trend_weeks"]],
                            title=_("Laporan per minggu")),
        "state": bar_chart([(r["label"], r["n"]) for r in d["by_state"]], title=_("Menurut status")),
        "topic": bar_chart([(r["label"], r["n"]) for r in d["top_topics"]], title=_("Topik terbanyak")),
    }
    return d


@staff_page
def dashboard(request):
    scope = sel.scope_check(request.user, request.GET.get("scope"))
    period = sel.period_parse(request.GET.get("from"), request.GET.get("to"))
    d = _decorate(sel.dashboard_get(scope, period), period)
    return render(request, "analytics/dashboard.html",
                  {"d": d, "public": False, "scopes": sel.scope_choices(request.user, scope)})


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
    if fmt and not public:
        return export_response(qs, request.user, fmt)
    rows, next_cursor = report_page(qs, cursor=request.GET.get("cursor"), limit=50)
    # the public see every report's personal data masked; staff an anonymous reporter's (reports/projection.py)
    rows = [view_public(r) if public else view_for(r, request.user) for r in rows]
    params = request.GET.copy()
    params.pop("cursor", None)
    return render(request, "analytics/reports.html", {
        "rows": rows, "public": public, "count": qs.count(), "label": f"{dim} {key}".strip(),
        "next_url": f"?{params.urlencode()}&cursor={next_cursor}" if next_cursor else None,
        "csv_url": f"?{params.urlencode()}&format=csv", "xlsx_url": f"?{params.urlencode()}&format=xlsx"})


@staff_page
def reports(request):
    return _report_list(request, public=False)


def public_reports(request):
    try:
        return _report_list(request, public=True)
    except DomainError as exc:
        return _error(request, exc)


@staff_page
def league(request):
    period = sel.period_parse(request.GET.get("from"), request.GET.get("to"))
    data = sel.league_table(request.user, period, sort=request.GET.get("sort", "grade"), kind=request.GET.get("kind") or None)
    for row in data["rows"]:
        row["urls"] = {k: _url(q) for k, q in row["drill"].items()}
        row["urls"]["dashboard"] = "/analytics/?" + urlencode({"scope": f"a:{row['agency_id']}", "from": period.start.strftime("%Y-%m"),
                                                               "to": period.end.strftime("%Y-%m")})
    return render(request, "analytics/league.html", {"data": data, "period": period})


@staff_page
def connectivity(request):
    data = sel.connectivity_get()
    data["chart"] = bar_chart([(str(r["year"]), r["cumulative"]) for r in data["by_year"]], title=_("Instansi terhubung"))
    return render(request, "analytics/connectivity.html", {"data": data})


@staff_page
def plans(request):
    return render(request, "analytics/plans.html", {"plans": plans_for(request.user)[:500]})
