"""Reads for monitoring and evaluation: dashboards, league table, connectivity, drill-downs.

Every number comes from the roll-ups (``StatCell``) and is paired with a drill-down filter that
selects exactly the reports behind it from ``report_qs_for(viewer)``.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lapor.accounts.models import User
from lapor.accounts.selectors import user_grants, user_is_platform_admin
from lapor.agencies.models import Agency, Region, Topic
from lapor.core.cacheversion import cache_key
from lapor.core.errors import NotFound, PermissionDenied, ValidationFailed
from lapor.reports import lifecycle as lc
from lapor.reports.deadlines import tz
from lapor.reports.models import Report, ReportEvent
from lapor.reports.selectors import ReportFilters, report_filter, report_public_qs, report_qs_for

from . import stats
from .models import ActionPlan, Job, RollupRun, StatCell
from .rollup import NATIONAL, PUBLIC, month_next, month_start, week_start

DURATION_DIMS = ("verify_days", "follow_up_days", "complete_days")
DEFAULT_GRADES = {
    "good": {"completion": 0.8, "timeliness": 0.7, "satisfaction": 3.5},
    "fair": {"completion": 0.5, "timeliness": 0.4, "satisfaction": 2.5},
    "min_reports": 5,
}


# --- Periods and scopes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: dt.date  # first month
    end: dt.date  # last month (inclusive)

    @property
    def months(self) -> list[dt.date]:
        out, m = [], self.start
        while m <= self.end:
            out.append(m)
            m = month_next(m)
        return out

    def previous(self) -> "Period":
        n = len(self.months)
        start = self.start
        for _i in range(n):
            start = month_start(start - dt.timedelta(days=1))
        return Period(start, month_start(self.start - dt.timedelta(days=1)))

    @property
    def date_to(self) -> dt.date:
        return month_next(self.end) - dt.timedelta(days=1)


YEARS = range(1900, 9000)  # month and week arithmetic (previous period, trend weeks) never leaves date's range


def _digits(value: str) -> bool:
    """ASCII digits that fit a database integer: ``str.isdigit`` also accepts "²", which ``int`` refuses."""
    return value.isascii() and value.isdigit() and len(value) <= 18


def _month_parse(value: str, name: str) -> dt.date:
    try:
        month = dt.date.fromisoformat(f"{value[:7]}-01")
        if month.year not in YEARS:
            raise ValueError(value)
        return month
    except ValueError as exc:
        raise ValidationFailed(
            _("Bulan tidak valid (format YYYY-MM): %(v)s") % {"v": value[:20]},
            code="invalid_month",
            detail={"field": name},
        ) from exc


def period_parse(from_month: str | None, to_month: str | None, *, today: dt.date | None = None) -> Period:
    """Whole calendar months; default the last 12 months including the current one."""
    today = today or timezone.now().astimezone(tz()).date()
    end = _month_parse(to_month, "to") if to_month else month_start(today)
    if from_month:
        start = _month_parse(from_month, "from")
    else:
        start = end
        for _i in range(11):
            start = month_start(start - dt.timedelta(days=1))
    if start > end:
        raise ValidationFailed(_("Awal periode setelah akhir periode."), code="invalid_period")
    if (end.year - start.year) * 12 + end.month - start.month > 120:
        raise ValidationFailed(_("Periode paling panjang 10 tahun."), code="invalid_period")
    return Period(start, end)


def scope_parse(value: str | None) -> str:
    value = (value or NATIONAL).strip()
    if value in (NATIONAL, PUBLIC):
        return value
    kind, _sep, ident = value.partition(":")
    if kind == "a" and _digits(ident) and Agency.objects.filter(pk=int(ident)).exists():
        return value
    if kind == "r" and ident.count(".") <= 1 and Region.objects.filter(code=ident).exists():
        return value
    if kind in ("a", "r") and (_digits(ident) if kind == "a" else re.fullmatch(r"[0-9]{2}(\.[0-9]{2})?", ident)):
        raise NotFound(
            _("Instansi atau wilayah cakupan tidak ditemukan: %(v)s") % {"v": value[:40]}, code="unknown_scope"
        )
    raise ValidationFailed(
        _("Cakupan tidak dikenal: %(v)s (n, p, a:<id instansi>, r:<kode provinsi/kabupaten>)") % {"v": value[:40]},
        code="invalid_scope",
    )


def scope_allowed(user: User | None, scope: str) -> bool:
    if scope == PUBLIC:
        return True
    grants = user_grants(user)
    if any(g.path is None for g in grants):
        return True
    if scope.startswith("a:"):
        agency = Agency.objects.filter(pk=int(scope[2:])).only("path").first()
        return bool(agency) and any(agency.path.startswith(g.path) for g in grants)
    return False


def scope_default(user: User | None) -> str:
    grants = user_grants(user)
    if not grants:
        raise PermissionDenied(_("Halaman ini hanya untuk petugas."))
    if any(g.path is None for g in grants):
        return NATIONAL
    return f"a:{grants[0].agency_id}"


def scope_choices(user: User | None, current: str) -> list[tuple[str, str]]:
    """(scope, label) a staff member can pick from on the dashboard, the current one included:
    national and public for national grants, each granted agency otherwise (deeper agencies are
    reached through the dashboard's links)."""
    grants = user_grants(user)
    if any(g.path is None for g in grants):
        scopes = [NATIONAL, PUBLIC]
    else:
        scopes = list(dict.fromkeys(f"a:{g.agency_id}" for g in grants))
    if current not in scopes:
        scopes.append(current)
    return [(scope, scope_label(scope)) for scope in scopes]


def scope_check(user: User | None, scope: str | None) -> str:
    scope = scope_parse(scope) if scope else scope_default(user)
    if not scope_allowed(user, scope):
        raise PermissionDenied(_("Anda tidak berwenang melihat cakupan ini."))
    return scope


def scope_label(scope: str) -> str:
    if scope == NATIONAL:
        return _("Nasional")
    if scope == PUBLIC:
        return _("Nasional (laporan publik)")
    if scope.startswith("a:"):
        return Agency.objects.filter(pk=int(scope[2:])).values_list("name", flat=True).first() or scope
    return Region.objects.filter(code=scope[2:]).values_list("name", flat=True).first() or scope


def _last_run() -> RollupRun | None:
    return RollupRun.objects.filter(finished_at__isnull=False).only("pk", "started_at").first()


def data_as_of() -> dt.datetime | None:
    run = _last_run()
    return run.started_at if run else None


def _cache_key(kind: str, *parts) -> str:
    run = parts[0]
    stamp = f"{run.pk}.{run.started_at.timestamp()}" if run else "none"
    return cache_key("analytics", kind, stamp, *parts[1:])  # a new roll-up run: a new version


# --- Cells ------------------------------------------------------------------------------------


def cells_sum(scope: str, period: Period, dims: tuple[str, ...]) -> dict[str, Counter]:
    rows = (
        StatCell.objects.filter(scope=scope, dim__in=dims, month__gte=period.start, month__lte=period.end)
        .values_list("dim", "key")
        .annotate(total=Sum("n"))
        .order_by()
    )
    out: dict[str, Counter] = defaultdict(Counter)
    for dim, key, total in rows:
        out[dim][key] = total
    return out


def _totals(c: dict[str, Counter]) -> dict:
    received = c["received"][""]
    done = c["state"][lc.State.DONE]
    rating_n = sum(c["rating"].values())
    rating_sum = sum(int(k) * v for k, v in c["rating"].items())
    in_time, late = c["in_time"]["1"], c["in_time"]["0"]
    return {
        "received": received,
        "done": done,
        "completion_rate": stats.ratio(done, received),
        "done_in_time": in_time,
        "done_late": late,
        "in_time_rate": stats.ratio(in_time, in_time + late),
        "overdue": c["overdue"][""],
        "bounced": c["bounced"][""],
        "bounce_rate": stats.ratio(c["bounced"][""], received),
        "reopened": c["reopened"][""],
        "reopen_rate": stats.ratio(c["reopened"][""], done + c["reopened"][""]),
        "rating_n": rating_n,
        "rating_avg": round(rating_sum / rating_n, 2) if rating_n else None,
        "satisfied_rate": stats.ratio(c["rating"]["4"] + c["rating"]["5"], rating_n),
    }


def _durations(c: dict[str, Counter]) -> dict:
    out = {}
    for dim in DURATION_DIMS:
        hist = {int(k): v for k, v in c[dim].items()}
        out[dim.removesuffix("_days")] = {
            "n": sum(hist.values()),
            "median": stats.percentile(hist, 0.5),
            "p90": stats.percentile(hist, 0.9),
        }
    return out


def drill_params(scope: str, period: Period, dim: str = "received", key: str = "") -> dict:
    """The drill-down query (``/api/analytics/reports``, ``/analytics/laporan``) behind a number."""
    return {
        "scope": scope,
        "from": period.start.strftime("%Y-%m"),
        "to": period.end.strftime("%Y-%m"),
        "dim": dim,
        "key": key,
    }


def _labelled(counter: Counter, labels: dict[str, str], scope: str, period: Period, dim: str) -> list[dict]:
    return [
        {"key": k, "label": labels.get(k, k or "-"), "n": n, "drill": drill_params(scope, period, dim, k)}
        for k, n in counter.most_common()
    ]


def _topic_names() -> dict[str, str]:
    english = (translation.get_language() or "").startswith("en")  # the dashboard's cache key holds the language
    names = {
        str(pk): (name_en or name) if english else name
        for pk, name, name_en in Topic.objects.values_list("pk", "name", "name_en")
    }
    names["0"] = _("Tanpa topik")
    return names


def _region_names(codes) -> dict[str, str]:
    names = dict(Region.objects.filter(code__in=[c for c in codes if c]).values_list("code", "name"))
    names[""] = _("Tanpa wilayah")
    return names


MAIN_DIMS = (
    "received",
    "state",
    "type",
    "channel",
    "topic",
    "province",
    "regency",
    "in_time",
    "overdue",
    "bounced",
    "reopened",
    "rating",
    *DURATION_DIMS,
)
DASHBOARD_CACHE_SECONDS = 6 * 3600  # the key holds the roll-up run: a refresh makes a new entry anyway
TREND_WEEKS = 12


@dataclass(frozen=True)
class _Windows:
    """Every month range a dashboard reads, derived from the period and today."""

    period: Period
    previous: Period
    weeks: list[dt.date]  # 2 x TREND_WEEKS week starts, oldest first
    week_months: Period
    alert_weeks: list[dt.date]  # ALERT_WEEKS trailing weeks, then the current week
    alert_months: Period

    @classmethod
    def of(cls, period: Period, today: dt.date) -> "_Windows":
        last = week_start(min(period.date_to, today))
        # The last week's days in the next month count too (today may be Friday the 1st of a
        # week that began in the old month), as far as the period reaches.
        end = month_start(min(last + dt.timedelta(days=6), period.date_to))
        weeks = [last - dt.timedelta(weeks=i) for i in range(2 * TREND_WEEKS - 1, -1, -1)]
        alert_weeks = [last - dt.timedelta(weeks=i) for i in range(stats.ALERT_WEEKS, -1, -1)]
        return cls(
            period,
            period.previous(),
            weeks,
            Period(month_start(weeks[0]), end),
            alert_weeks,
            Period(month_start(alert_weeks[0]), end),
        )


def _series(scope: str, w: _Windows) -> dict[str, dict[tuple[dt.date, str], int]]:
    """One query for every per-month cell a dashboard needs beyond the period sums."""

    def within(p: Period) -> Q:
        return Q(month__gte=p.start, month__lte=p.end)

    q = (
        (Q(dim="received") & (within(w.previous) | within(w.period)))
        | (Q(dim="state", key=lc.State.DONE) & within(w.period))
        | (Q(dim="topic") & within(w.previous))
        | (Q(dim="week") & within(w.week_months))
        | (Q(dim__in=("topic_week", "regency_week")) & within(w.alert_months))
    )
    out: dict[str, dict[tuple[dt.date, str], int]] = defaultdict(dict)
    for dim, month, key, n in StatCell.objects.filter(q, scope=scope).values_list("dim", "month", "key", "n"):
        out[dim][(month, key)] = n
    return out


def _sum_keys(cells: dict[tuple[dt.date, str], int], p: Period) -> Counter:
    out: Counter = Counter()
    for (month, key), n in cells.items():
        if p.start <= month <= p.end:
            out[key] += n
    return out


def _sum_months(cells: dict[tuple[dt.date, str], int], key: str = "") -> Counter:
    out: Counter = Counter()
    for (month, k), n in cells.items():
        if k == key:
            out[month] += n
    return out


def dashboard_get(scope: str, period: Period, *, today: dt.date | None = None) -> dict:
    """The dashboard of a scope and period, from the roll-ups. Cached per (scope, period, today,
    roll-up run, language): a refresh starts a new cache entry; action plans are read fresh."""
    today = today or timezone.now().astimezone(tz()).date()
    run = _last_run()
    key = _cache_key("dashboard", run, scope, period.start, period.end, today)
    data = cache.get(key)
    if data is None:
        data = _dashboard_build(scope, period, today, run)
        cache.set(key, data, DASHBOARD_CACHE_SECONDS)
    _plans_attach(data["top_topics"], scope)
    return data


def _dashboard_build(scope: str, period: Period, today: dt.date, run: RollupRun | None) -> dict:
    w = _Windows.of(period, today)
    c = cells_sum(scope, period, MAIN_DIMS)
    series = _series(scope, w)
    region_dim = "regency" if scope.startswith("r:") else "province"
    topic_names = _topic_names()
    drill = {
        k: drill_params(scope, period, dim, key)
        for k, dim, key in (
            ("received", "received", ""),
            ("done", "state", "done"),
            ("in_time", "in_time", "1"),
            ("late", "in_time", "0"),
            ("overdue", "overdue", ""),
            ("bounced", "bounced", ""),
            ("reopened", "reopened", ""),
            ("rating", "rating", ""),
            ("verify", "verify_days", ""),
            ("follow_up", "follow_up_days", ""),
            ("complete", "complete_days", ""),
        )
    }
    return {
        "scope": scope,
        "scope_label": scope_label(scope),
        "data_as_of": run.started_at if run else None,
        "period": {"from": period.start, "to": period.end},
        "previous_period": {"from": w.previous.start, "to": w.previous.end},
        "totals": _totals(c),
        "previous_received": sum(_sum_keys(series["received"], w.previous).values()),
        "drill": drill,
        "previous_drill": drill_params(scope, w.previous),
        "durations": _durations(c),
        "by_state": _labelled(c["state"], {s.value: str(s.label) for s in lc.State}, scope, period, "state"),
        "by_type": _labelled(c["type"], dict(Report._meta.get_field("type").flatchoices), scope, period, "type"),
        "by_channel": _labelled(
            c["channel"], dict(Report._meta.get_field("channel").flatchoices), scope, period, "channel"
        ),
        "by_topic": _labelled(c["topic"], topic_names, scope, period, "topic"),
        "by_region": [
            dict(r, dim=region_dim)
            for r in _labelled(c[region_dim], _region_names(c[region_dim]), scope, period, region_dim)
        ],
        "top_topics": topics_top(c["topic"], _sum_keys(series["topic"], w.previous), topic_names, scope, w),
        "trend_months": trend_months(scope, w, series),
        "trend_weeks": trend_weeks(scope, w, series),
        "overdue_by_agency": overdue_by_agency(scope, period),
        "alerts": alerts_get(scope, w, series, topic_names),
    }


def topics_top(
    now: Counter, before: Counter, names: dict[str, str], scope: str, w: _Windows, limit: int = 10
) -> list[dict]:
    return [
        {
            "key": k,
            "label": names.get(k, k),
            "n": n,
            "previous": before[k],
            "change": stats.change(n, before[k]),
            "drill": drill_params(scope, w.period, "topic", k),
            "previous_drill": drill_params(scope, w.previous, "topic", k),
        }
        for k, n in now.most_common(limit)
    ]


def _plans_attach(top: list[dict], scope: str) -> None:
    """Action plans beside the topics they address (inside an agency scope: that subtree's plans)."""
    plans = defaultdict(list)
    ids = [int(t["key"]) for t in top if t["key"] not in ("", "0") and t["key"].isdigit()]
    plan_qs = ActionPlan.objects.filter(topic_id__in=ids).select_related("agency") if ids else ActionPlan.objects.none()
    if scope.startswith("a:") and ids:
        path = Agency.objects.filter(pk=int(scope[2:])).values_list("path", flat=True).first() or "-"
        plan_qs = plan_qs.filter(agency__path__startswith=path)
    for plan in plan_qs:
        plans[str(plan.topic_id)].append(
            {
                "id": plan.pk,
                "title": plan.title,
                "agency": plan.agency.name,
                "progress": plan.progress,
                "status": plan.status,
                "due_date": plan.due_date,
            }
        )
    for t in top:
        t["plans"] = plans.get(t["key"], [])


def trend_months(scope: str, w: _Windows, series: dict) -> list[dict]:
    now, done = _sum_months(series["received"]), _sum_months(series["state"], lc.State.DONE)
    return [
        {
            "month": m,
            "received": now[m],
            "done": done[m],
            "previous_month": p,
            "previous": now[p],
            "drill": drill_params(scope, Period(m, m)),
            "done_drill": drill_params(scope, Period(m, m), "state", "done"),
            "previous_drill": drill_params(scope, Period(p, p)),
        }
        for m, p in zip(w.period.months, w.previous.months)
    ]


def trend_weeks(scope: str, w: _Windows, series: dict) -> list[dict]:
    """The last TREND_WEEKS weeks of the period beside the TREND_WEEKS weeks before them (a week
    counts the reports of the period's months that fall in it)."""
    counts = _sum_keys(series["week"], w.week_months)
    return [
        {
            "week": wk,
            "received": counts[wk.isoformat()],
            "previous_week": p,
            "previous": counts[p.isoformat()],
            "drill": drill_params(scope, w.week_months, "week", wk.isoformat()),
            "previous_drill": drill_params(scope, w.week_months, "week", p.isoformat()),
        }
        for p, wk in zip(w.weeks[:TREND_WEEKS], w.weeks[TREND_WEEKS:])
    ]


def overdue_by_agency(scope: str, period: Period, limit: int = 15) -> list[dict]:
    """Overdue now among the period's reports, per child agency of the scope (top-level agencies
    for the national scope)."""
    if scope.startswith("a:"):
        agencies = Agency.objects.filter(parent_id=int(scope[2:]))
    elif scope == NATIONAL:
        agencies = Agency.objects.filter(parent__isnull=True)
    else:
        return []
    names = dict(agencies.values_list("pk", "name"))
    rows = (
        StatCell.objects.filter(
            scope__in=[f"a:{pk}" for pk in names], dim="overdue", month__gte=period.start, month__lte=period.end
        )
        .values_list("scope")
        .annotate(t=Sum("n"))
        .order_by("-t", "scope")[:limit]
    )
    return [
        {
            "agency_id": int(s[2:]),
            "agency": names[int(s[2:])],
            "overdue": t,
            "drill": drill_params(s, period, "overdue"),
        }
        for s, t in rows
        if t
    ]


def alerts_get(scope: str, w: _Windows, series: dict, topic_names: dict[str, str]) -> list[dict]:
    """Topics and regencies whose count this week is unusual against the trailing weeks
    (``stats.alerts_detect``), inside the scope. A regency scope has topic alerts only."""
    weeks = [d.isoformat() for d in w.alert_weeks]
    out = []
    for dim, kind in (("topic_week", "topic"), ("regency_week", "regency")):
        by_key: dict[str, dict[str, int]] = defaultdict(dict)
        for key, n in _sum_keys(series[dim], w.alert_months).items():
            ident, _sep, week = key.partition("|")
            by_key[ident][week] = n
        found = stats.alerts_detect(by_key, weeks)
        names = topic_names if kind == "topic" else _region_names([a.key for a in found])
        out += [
            {
                "kind": kind,
                "key": a.key,
                "label": names.get(a.key, a.key),
                "week": weeks[-1],
                "count": a.count,
                "baseline": a.baseline,
                "z": a.z,
                "drill": drill_params(scope, w.alert_months, dim, f"{a.key}|{weeks[-1]}"),
            }
            for a in found
        ]
    return sorted(out, key=lambda a: (-a["z"], a["kind"], a["key"]))


# --- League table (rapor kepatuhan) -------------------------------------------------------------


def grades_config() -> dict:
    conf = {**DEFAULT_GRADES, **settings.LAPOR_ANALYTICS_GRADES}
    return conf


def grade_for(row: dict, conf: dict) -> str:
    if row["received"] < conf["min_reports"]:
        return "unrated"
    metrics = {
        "completion": row["completion_rate"],
        "timeliness": row["in_time_rate"],
        "satisfaction": row["rating_avg"],
    }
    measured = {k: v for k, v in metrics.items() if v is not None}
    if any(v < conf["fair"][k] for k, v in measured.items()):
        return "poor"
    if all(v >= conf["good"][k] for k, v in measured.items()):
        return "good"
    return "fair"


# Kemendagri's grades, in the viewer's language (the league's cache key holds the language).
GRADE_LABELS = {
    "good": gettext_lazy("Baik"),
    "fair": gettext_lazy("Sedang"),
    "poor": gettext_lazy("Kurang"),
    "unrated": gettext_lazy("Belum dinilai"),
}
LEAGUE_SORTS = {"name", "received", "completion_rate", "in_time_rate", "rating_avg", "overdue", "grade"}


def _league_all(period: Period, conf: dict) -> dict:
    """Every agency's row (cached per period, roll-up run, thresholds and language)."""
    run = _last_run()
    key = _cache_key("league", run, period.start, period.end, sorted(conf.items()))
    data = cache.get(key)
    if data is not None:
        return data
    info = {
        pk: (name, kind, path, parent)
        for pk, name, kind, path, parent in Agency.objects.values_list("pk", "name", "kind", "path", "parent_id")
    }
    cells = (
        StatCell.objects.filter(scope__in=[f"a:{pk}" for pk in info], month__gte=period.start, month__lte=period.end)
        .filter(Q(dim__in=("received", "in_time", "rating", "overdue")) | Q(dim="state", key=lc.State.DONE))
        .values_list("scope", "dim", "key")
        .annotate(t=Sum("n"))
        .order_by()
    )
    per: dict[int, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for scope, dim, k, t in cells:
        per[int(scope[2:])][dim][k] = t
    rows = []
    for pk, c in per.items():
        name, kind, path, parent = info[pk]
        row = {"agency_id": pk, "name": name, "kind": kind, "parent_id": parent, "path": path, **_totals(c)}
        row["grade"] = grade_for(row, conf)
        row["grade_label"] = str(GRADE_LABELS[row["grade"]])
        row["drill"] = {
            k: drill_params(f"a:{pk}", period, dim, key)
            for k, dim, key in (
                ("received", "received", ""),
                ("done", "state", "done"),
                ("in_time", "in_time", "1"),
                ("overdue", "overdue", ""),
                ("rating", "rating", ""),
            )
        }
        rows.append(row)
    data = {"data_as_of": run.started_at if run else None, "rows": rows}
    cache.set(key, data, DASHBOARD_CACHE_SECONDS)
    return data


def league_table(
    user: User | None,
    period: Period,
    *,
    sort: str = "grade",
    kind: str | None = None,
    parent_id: int | None = None,
    grade: str | None = None,
) -> dict:
    """Every agency in the viewer's scope with its grade. ``sort`` by a column ("-" for descending);
    "grade" puts the best first and "-grade" the worst first, the unrated last either way;
    ``grade`` keeps one grade only."""
    desc = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in LEAGUE_SORTS:
        raise ValidationFailed(_("Urutan tidak dikenal: %(v)s") % {"v": sort[:30]}, code="invalid_sort")
    grants = user_grants(user)
    if not grants:
        raise PermissionDenied(_("Halaman ini hanya untuk petugas."))
    paths = None if any(g.path is None for g in grants) else tuple(g.path for g in grants)
    conf = grades_config()
    data = _league_all(period, conf)
    if grade and grade not in GRADE_LABELS:
        raise ValidationFailed(_("Nilai tidak dikenal: %(v)s") % {"v": grade[:30]}, code="invalid_grade")
    rows = [
        r
        for r in data["rows"]
        if (paths is None or r["path"].startswith(paths))
        and (not kind or r["kind"] == kind)
        and (not parent_id or r["parent_id"] == parent_id)
        and (not grade or r["grade"] == grade)
    ]
    order = {"good": 0, "fair": 1, "poor": 2, "unrated": None}  # unrated: no grade, last either way

    def sort_key(r):
        v = order[r["grade"]] if key == "grade" else r[key]
        return (v is None, v if v is not None else 0, r["name"])

    rows.sort(key=sort_key, reverse=desc)
    if desc:  # keep missing values last either way
        rows.sort(key=lambda r: (order[r["grade"]] if key == "grade" else r[key]) is None)
    return {
        "data_as_of": data["data_as_of"],
        "period": {"from": period.start, "to": period.end},
        "sort": sort,
        "thresholds": conf,
        "rows": [{k: v for k, v in r.items() if k != "path"} for r in rows],
    }


def league_kinds() -> list[tuple[str, str]]:
    """The kinds of agency a league table can be narrowed to (units are graded inside their agency)."""
    return [(k, str(label)) for k, label in Agency.Kind.choices if k not in (Agency.Kind.PLATFORM, Agency.Kind.UNIT)]


# --- Connectivity -----------------------------------------------------------------------------


def connectivity_get(*, now: dt.datetime | None = None, active_days: int = 30) -> dict:
    now = now or timezone.now()
    active_ids = set(
        ReportEvent.objects.filter(
            action=lc.Action.FOLLOW_UP, created_at__gte=now - dt.timedelta(days=active_days), agency__isnull=False
        )
        .values_list("agency_id", flat=True)
        .distinct()
    )
    by_kind: dict[str, dict] = {}
    by_year: Counter = Counter()
    labels = dict(Agency.Kind.choices)
    for pk, kind, joined in Agency.objects.filter(is_active=True).values_list("pk", "kind", "joined_on"):
        row = by_kind.setdefault(
            kind, {"kind": kind, "label": str(labels.get(kind, kind)), "connected": 0, "active": 0}
        )
        row["connected"] += 1
        row["active"] += pk in active_ids
        if joined:
            by_year[joined.year] += 1
    years, total = [], 0
    for year in sorted(by_year):
        total += by_year[year]
        years.append({"year": year, "joined": by_year[year], "cumulative": total})
    return {
        "as_of": now,
        "active_days": active_days,
        "by_kind": sorted(by_kind.values(), key=lambda r: -r["connected"]),
        "by_year": years,
        "connected": sum(r["connected"] for r in by_kind.values()),
        "active": sum(r["active"] for r in by_kind.values()),
    }


# --- Drill-down: the reports behind a number ---------------------------------------------------

DRILL_DIMS = {
    "received",
    "state",
    "type",
    "channel",
    "topic",
    "province",
    "regency",
    "in_time",
    "overdue",
    "bounced",
    "reopened",
    "rating",
    "week",
    "verify_days",
    "follow_up_days",
    "complete_days",
    "topic_week",
    "regency_week",
}


def drill_qs(
    user: User | None, *, scope: str, period: Period, dim: str = "received", key: str = ""
) -> QuerySet[Report]:
    """Exactly the reports counted in cell (scope, period, dim, key), as far as the viewer may see."""
    if dim not in DRILL_DIMS:
        raise ValidationFailed(_("Dimensi tidak dikenal: %(v)s") % {"v": dim[:30]}, code="invalid_dim")
    f = ReportFilters()
    if scope.startswith("a:"):
        f.agency_id = int(scope[2:])
    start, end = period.start, month_next(period.end)
    zone = tz()
    qs = report_public_qs() if scope == PUBLIC else report_qs_for(user)
    qs = report_filter(qs, f)
    if scope.startswith("r:"):
        qs = qs.filter(region_q(scope[2:]))
    qs = qs.filter(
        submitted_at__gte=dt.datetime.combine(start, dt.time(), tzinfo=zone),
        submitted_at__lt=dt.datetime.combine(end, dt.time(), tzinfo=zone),
    )
    return _drill_dim(qs, dim, key)


def region_q(code: str) -> Q:
    # Not Region.subtree_q(code, "region_id"): a prefix lookup on the FK column is refused by Django.
    return Q(region__code=code) | Q(region__code__startswith=code + ".")


def _week_filter(qs: QuerySet[Report], key: str) -> QuerySet[Report]:
    try:
        start = dt.date.fromisoformat(key)
        if start.year not in YEARS:
            raise ValueError(key)
    except ValueError:
        return qs.none()  # a drill-down key names a cell; no week by that name has no reports behind it
    zone = tz()
    return qs.filter(
        submitted_at__gte=dt.datetime.combine(start, dt.time(), tzinfo=zone),
        submitted_at__lt=dt.datetime.combine(start + dt.timedelta(days=7), dt.time(), tzinfo=zone),
    )


def _drill_dim(qs: QuerySet[Report], dim: str, key: str) -> QuerySet[Report]:
    if dim in ("state", "type", "channel"):
        return qs.filter(**{dim: key})
    if dim == "topic":
        return (
            qs.filter(topic__isnull=True) if key in ("", "0") else qs.filter(topic_id=int(key) if _digits(key) else -1)
        )
    if dim in ("province", "regency"):
        return qs.filter(region__isnull=True) if not key else qs.filter(region_q(key))
    if dim == "in_time":
        base = qs.filter(state=lc.State.DONE, completed_at__isnull=False, completion_due_at__isnull=False)
        return (
            base.filter(completed_at__lte=F("completion_due_at"))
            if key == "1"
            else base.filter(completed_at__gt=F("completion_due_at"))
        )
    if dim == "overdue":
        return qs.filter(is_overdue=True)
    if dim == "bounced":
        return qs.filter(bounce_count__gt=0)
    if dim == "reopened":
        return qs.filter(reopen_count__gt=0)
    if dim == "rating":
        return qs.filter(rating=int(key)) if _digits(key) else qs.filter(rating__isnull=False)
    if dim == "week":
        return _week_filter(qs, key)
    if dim in ("topic_week", "regency_week"):  # "<topic id or regency code>|<week start>": an alert's count
        ident, _sep, week = key.partition("|")
        return _week_filter(_drill_dim(qs, dim.removesuffix("_week"), ident), week)
    field = {"verify_days": "verified_at", "follow_up_days": "first_follow_up_at", "complete_days": "completed_at"}.get(
        dim
    )
    if field:  # every report with the duration measured (the histogram's whole population)
        return qs.filter(**{f"{field}__isnull": False})
    return qs


def drill_label(dim: str, key: str) -> str:
    """What the reports behind a number are, in words ("Status: Selesai", "Selesai tepat waktu"),
    never the query's codes."""
    if dim in ("topic_week", "regency_week"):
        ident, _sep, week = key.partition("|")
        return _("%(what)s, minggu mulai %(week)s") % {
            "what": drill_label(dim.removesuffix("_week"), ident),
            "week": week,
        }
    if dim in ("state", "type", "channel"):
        field = Report._meta.get_field(dim)
        heading = {"state": _("Status"), "type": _("Jenis"), "channel": _("Kanal")}[dim]
        return f"{heading}: {dict(field.flatchoices).get(key, key)}"
    if dim == "topic":
        return _("Topik: %(name)s") % {"name": _topic_names().get(key or "0", key)}
    if dim in ("province", "regency"):
        return _("Wilayah: %(name)s") % {"name": _region_names([key]).get(key, key)}
    if dim == "rating":
        return _("Penilaian %(n)s dari 5") % {"n": key} if _digits(key) else _("Laporan yang diberi penilaian")
    if dim == "week":
        return _("Diterima pada minggu mulai %(week)s") % {"week": key}
    words = {
        "received": _("Laporan diterima"),
        "overdue": _("Melewati batas waktu"),
        "bounced": _("Pernah dikembalikan: bukan wewenang"),
        "reopened": _("Dibuka kembali"),
        "verify_days": _("Laporan yang sudah diverifikasi"),
        "follow_up_days": _("Laporan yang sudah ditindaklanjuti"),
        "complete_days": _("Laporan yang sudah selesai"),
    }
    if dim == "in_time":
        return _("Selesai tepat waktu") if key == "1" else _("Selesai terlambat")
    return words.get(dim, _("Laporan diterima"))


# --- Background jobs --------------------------------------------------------------------------


def jobs_for(user: User | None, *, limit: int = 50) -> list:
    """The user's own jobs, newest first."""
    if user is None or not user.is_authenticated:
        return []
    return list(Job.objects.filter(requested_by=user)[:limit])


def job_get_for(user: User | None, job_id) -> "Job":
    """A job its requester (or a platform admin) may see; anyone else gets "not found", not a hint
    that it exists. The requester must still be staff: someone whose roles were withdrawn no longer
    downloads what they exported."""
    try:
        pk = uuid.UUID(str(job_id))
    except ValueError:
        pk = None
    job = Job.objects.select_related("requested_by").filter(pk=pk).first() if pk else None
    if job is None or not user_grants(user) or (job.requested_by_id != user.pk and not user_is_platform_admin(user)):
        raise NotFound(_("Pekerjaan tidak ditemukan."))
    return job


def alerts_for(scope: str, *, today: dt.date | None = None) -> list[dict]:
    """This week's emerging issues of a scope, as the dashboard shows them (the alert job sends them)."""
    today = today or timezone.now().astimezone(tz()).date()
    w = _Windows.of(Period(month_start(today), month_start(today)), today)
    return alerts_get(scope, w, _series(scope, w), _topic_names())
