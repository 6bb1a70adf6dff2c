"""Reads for monitoring and evaluation: dashboards, league table, connectivity, drill-downs.

Every number comes from the roll-ups (``StatCell``) and is paired with a drill-down filter that
selects exactly the reports behind it from ``report_qs_for(viewer)``.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from lapor.accounts.models import User
from lapor.accounts.selectors import user_grants
from lapor.agencies.models import Agency, Region, Topic
from lapor.core.errors import NotFound, PermissionDenied, ValidationFailed
from lapor.reports import lifecycle as lc
from lapor.reports.deadlines import tz
from lapor.reports.models import Report, ReportEvent
from lapor.reports.selectors import ReportFilters, report_filter, report_public_qs, report_qs_for

from . import stats
from .models import ActionPlan, RollupRun, StatCell
from .rollup import NATIONAL, PUBLIC, month_next, month_start, week_start

DURATION_DIMS = ("verify_days", "follow_up_days", "complete_days")
DEFAULT_GRADES = {"good": {"completion": 0.8, "timeliness": 0.7, "satisfaction": 3.5},
                  "fair": {"completion": 0.5, "timeliness": 0.4, "satisfaction": 2.5}, "min_reports": 5}


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


def _month_parse(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(f"{value[:7]}-01")
    except ValueError as exc:
        raise ValidationFailed(_("Bulan tidak valid (format YYYY-MM): %(v)s") % {"v": value[:20]},
                               code="invalid_month", detail={"field": name}) from exc


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
    if kind == "a" and ident.isdigit() and Agency.objects.filter(pk=int(ident)).exists():
        return value
    if kind == "r" and ident.count(".") <= 1 and Region.objects.filter(code=ident).exists():
        return value
    raise ValidationFailed(_("Cakupan tidak dikenal: %(v)s (n, p, a:<id instansi>, r:<kode provinsi/kabupaten>)")
                           % {"v": value[:40]}, code="invalid_scope")


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


def data_as_of() -> dt.datetime | None:
    run = RollupRun.objects.filter(finished_at__isnull=False).only("started_at").first()
    return run.started_at if run else None


# --- Cells ------------------------------------------------------------------------------------

def cells_sum(scope: str, period: Period, dims: tuple[str, ...]) -> dict[str, Counter]:
    rows = (StatCell.objects.filter(scope=scope, dim__in=dims, month__gte=period.start, month__lte=period.end)
            .values_list("dim", "key").annotate(total=Sum("n")).order_by())
    out: dict[str, Counter] = defaultdict(Counter)
    for dim, key, total in rows:
        out[dim][key] = total
    return out


def cells_by_month(scope: str, period: Period, dim: str) -> Counter:
    rows = (StatCell.objects.filter(scope=scope, dim=dim, month__gte=period.start, month__lte=period.end)
            .values_list("month").annotate(total=Sum("n")).order_by())
    return Counter({m: t for m, t in rows})


def _totals(c: dict[str, Counter]) -> dict:
    received = c["received"][""]
    done = c["state"][lc.State.DONE]
    rating_n = sum(c["rating"].values())
    rating_sum = sum(int(k) * v for k, v in c["rating"].items())
    in_time, late = c["in_time"]["1"], c["in_time"]["0"]
    return {
        "received": received, "done": done, "completion_rate": stats.ratio(done, received),
        "done_in_time": in_time, "done_late": late, "in_time_rate": stats.ratio(in_time, in_time + late),
        "overdue": c["overdue"][""], "bounced": c["bounced"][""], "bounce_rate": stats.ratio(c["bounced"][""], received),
        "reopened": c["reopened"][""], "reopen_rate": stats.ratio(c["reopened"][""], done + c["reopened"][""]),
        "rating_n": rating_n, "rating_avg": round(rating_sum / rating_n, 2) if rating_n else None,
        "satisfied_rate": stats.ratio(c["rating"]["4"] + c["rating"]["5"], rating_n),
    }


def _durations(c: dict[str, Counter]) -> dict:
    out = {}
    for dim in DURATION_DIMS:
        hist = {int(k): v for k, v in c[dim].items()}
        out[dim.removesuffix("_days")] = {"n": sum(hist.values()), "median": stats.percentile(hist, 0.5),
                                          "p90": stats.percentile(hist, 0.9)}
    return out


def _labelled(counter: Counter, labels: dict[str, str]) -> list[dict]:
    return [{"key": k, "label": labels.get(k, k or "-"), "n": n} for k, n in counter.most_common()]


def _topic_names() -> dict[str, str]:
    names = {str(pk): name for pk, name in Topic.objects.values_list("pk", "name")}
    names["0"] = _("Tanpa topik")
    return names


def _region_names(codes) -> dict[str, str]:
    names = dict(Region.objects.filter(code__in=[c for c in codes if c]).values_list("code", "name"))
    names[""] = _("Tanpa wilayah")
    return names


def dashboard_get(scope: str, period: Period) -> dict:
    dims = ("received", "state", "type", "channel", "topic", "province", "regency", "in_time", "overdue", "bounced",
            "reopened", "rating", *DURATION_DIMS)
    c = cells_sum(scope, period, dims)
    prev_period = period.previous()
    prev = cells_sum(scope, prev_period, ("received", "topic"))
    region_dim = "regency" if scope.startswith("r:") else "province"
    topic_names = _topic_names()
    return {
        "scope": scope, "scope_label": scope_label(scope), "data_as_of": data_as_of(),
        "period": {"from": period.start, "to": period.end}, "previous_period": {"from": prev_period.start, "to": prev_period.end},
        "totals": _totals(c), "previous_received": prev["received"][""], "durations": _durations(c),
        "by_state": _labelled(c["state"], {s.value: str(s.label) for s in lc.State}),
        "by_type": _labelled(c["type"], dict(Report._meta.get_field("type").flatchoices)),
        "by_channel": _labelled(c["channel"], dict(Report._meta.get_field("channel").flatchoices)),
        "by_topic": _labelled(c["topic"], topic_names),
        "by_region": [dict(r, dim=region_dim) for r in _labelled(c[region_dim], _region_names(c[region_dim]))],
        "top_topics": topics_top(c["topic"], prev["topic"], topic_names, scope),
        "trend_months": trend_months(scope, period),
        "trend_weeks": trend_weeks(scope, period),
        "overdue_by_agency": overdue_by_agency(scope),
        "alerts": alerts_get(period) if scope == NATIONAL else [],
    }


def topics_top(now: Counter, before: Counter, names: dict[str, str], scope: str, limit: int = 10) -> list[dict]:
    top = now.most_common(limit)
    plans = defaultdict(list)
    plan_qs = ActionPlan.objects.filter(topic_id__in=[int(k) for k, _n in top if k != "0"]).select_related("agency")
    if scope.startswith("a:"):
        agency = Agency.objects.get(pk=int(scope[2:]))
        plan_qs = plan_qs.filter(agency__path__startswith=agency.path)
    for plan in plan_qs:
        plans[str(plan.topic_id)].append({"id": plan.pk, "title": plan.title, "agency": plan.agency.name,
                                          "progress": plan.progress, "status": plan.status, "due_date": plan.due_date})
    return [{"key": k, "label": names.get(k, k), "n": n, "previous": before[k], "change": stats.change(n, before[k]),
             "plans": plans.get(k, [])} for k, n in top]


def trend_months(scope: str, period: Period) -> list[dict]:
    prev_period = period.previous()
    now, before = cells_by_month(scope, period, "received"), cells_by_month(scope, prev_period, "received")
    done = cells_sum(scope, period, ("state",))  # only for totals; per-month completions below
    del done
    done_by_month = Counter(dict(
        StatCell.objects.filter(scope=scope, dim="state", key=lc.State.DONE, month__gte=period.start, month__lte=period.end)
        .values_list("month").annotate(t=Sum("n")).order_by()))
    return [{"month": m, "received": now[m], "done": done_by_month[m], "previous_month": p, "previous": before[p]}
            for m, p in zip(period.months, prev_period.months)]


def trend_weeks(scope: str, period: Period, weeks: int = 12) -> list[dict]:
    """The last ``weeks`` weeks of the period beside the ``weeks`` weeks before them."""
    last = week_start(min(period.date_to, timezone.now().astimezone(tz()).date()))
    starts = [last - dt.timedelta(weeks=i) for i in range(2 * weeks - 1, -1, -1)]
    window = Period(month_start(starts[0]), month_start(last))
    counts = cells_sum(scope, window, ("week",))["week"]
    return [{"week": w, "received": counts[w.isoformat()], "previous_week": p, "previous": counts[p.isoformat()]}
            for p, w in zip(starts[:weeks], starts[weeks:])]


def overdue_by_agency(scope: str, limit: int = 15) -> list[dict]:
    if scope.startswith("a:"):
        agencies = Agency.objects.filter(parent_id=int(scope[2:]))
    elif scope == NATIONAL:
        agencies = Agency.objects.filter(parent__isnull=True)
    else:
        return []
    names = dict(agencies.values_list("pk", "name"))
    rows = (StatCell.objects.filter(scope__in=[f"a:{pk}" for pk in names], dim="overdue")
            .values_list("scope").annotate(t=Sum("n")).order_by("-t")[:limit])
    return [{"agency_id": int(s[2:]), "agency": names[int(s[2:])], "overdue": t} for s, t in rows if t]


def alerts_get(period: Period) -> list[dict]:
    last = week_start(min(period.date_to, timezone.now().astimezone(tz()).date()))
    weeks = [(last - dt.timedelta(weeks=i)).isoformat() for i in range(stats.ALERT_WEEKS, -1, -1)]
    window = Period(month_start(dt.date.fromisoformat(weeks[0])), month_start(last))
    c = cells_sum(NATIONAL, window, ("topic_week", "regency_week"))
    out = []
    for dim, kind, names in (("topic_week", "topic", _topic_names()), ("regency_week", "regency", None)):
        series: dict[str, dict[str, int]] = defaultdict(dict)
        for key, n in c[dim].items():
            ident, _sep, week = key.partition("|")
            series[ident][week] = n
        found = stats.alerts_detect(series, weeks)
        if names is None:
            names = _region_names([a.key for a in found])
        out += [{"kind": kind, "key": a.key, "label": names.get(a.key, a.key), "week": weeks[-1], "count": a.count,
                 "baseline": a.baseline, "z": a.z} for a in found]
    return sorted(out, key=lambda a: -a["z"])


# --- League table (rapor kepatuhan) -------------------------------------------------------------

def grades_config() -> dict:
    conf = {**DEFAULT_GRADES, **getattr(settings, "LAPOR_ANALYTICS_GRADES", {})}
    return conf


def grade_for(row: dict, conf: dict) -> str:
    if row["received"] < conf["min_reports"]:
        return "unrated"
    metrics = {"completion": row["completion_rate"], "timeliness": row["in_time_rate"], "satisfaction": row["rating_avg"]}
    measured = {k: v for k, v in metrics.items() if v is not None}
    if any(v < conf["fair"][k] for k, v in measured.items()):
        return "poor"
    if all(v >= conf["good"][k] for k, v in measured.items()):
        return "good"
    return "fair"


GRADE_LABELS = {"good": "Baik", "fair": "Sedang", "poor": "Kurang", "unrated": "Belum dinilai"}
LEAGUE_SORTS = {"name", "received", "completion_rate", "in_time_rate", "rating_avg", "overdue", "grade"}


def league_table(user: User | None, period: Period, *, sort: str = "grade", kind: str | None = None,
                 parent_id: int | None = None) -> dict:
    desc = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in LEAGUE_SORTS:
        raise ValidationFailed(_("Urutan tidak dikenal: %(v)s") % {"v": sort[:30]}, code="invalid_sort")
    agencies = Agency.objects.all()
    grants = user_grants(user)
    if not any(g.path is None for g in grants):
        paths = [g.path for g in grants]
        if not paths:
            raise PermissionDenied(_("Halaman ini hanya untuk petugas."))
        q = Q()
        for p in paths:
            q |= Q(path__startswith=p)
        agencies = agencies.filter(q)
    if kind:
        agencies = agencies.filter(kind=kind)
    if parent_id:
        agencies = agencies.filter(parent_id=parent_id)
    info = {pk: (name, k) for pk, name, k in agencies.values_list("pk", "name", "kind")}
    cells = (StatCell.objects.filter(scope__startswith="a:", month__gte=period.start, month__lte=period.end)
             .filter(Q(dim__in=("received", "in_time", "rating", "overdue")) | Q(dim="state", key=lc.State.DONE))
             .values_list("scope", "dim", "key").annotate(t=Sum("n")).order_by())
    per: dict[int, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for scope, dim, k, t in cells:
        pk = int(scope[2:])
        if pk in info:
            per[pk][dim][k] = t
    conf = grades_config()
    rows = []
    for pk, c in per.items():
        row = {"agency_id": pk, "name": info[pk][0], "kind": info[pk][1], **_totals(c)}
        row["grade"] = grade_for(row, conf)
        row["grade_label"] = GRADE_LABELS[row["grade"]]
        rows.append(row)
    order = {"good": 0, "fair": 1, "poor": 2, "unrated": 3}

    def sort_key(r):
        v = order[r["grade"]] if key == "grade" else r[key]
        return (v is None, v if v is not None else 0, r["name"])
    rows.sort(key=sort_key, reverse=desc)
    if desc:  # keep missing values last either way
        rows.sort(key=lambda r: (order[r["grade"]] if key == "grade" else r[key]) is None)
    return {"data_as_of": data_as_of(), "period": {"from": period.start, "to": period.end}, "sort": sort,
            "thresholds": conf, "rows": rows}


# --- Connectivity -----------------------------------------------------------------------------

def connectivity_get(*, now: dt.datetime | None = None, active_days: int = 30) -> dict:
    now = now or timezone.now()
    active_ids = set(ReportEvent.objects.filter(action=lc.Action.FOLLOW_UP, created_at__gte=now - dt.timedelta(days=active_days),
                                                agency__isnull=False).values_list("agency_id", flat=True).distinct())
    by_kind: dict[str, dict] = {}
    by_year: Counter = Counter()
    labels = dict(Agency.Kind.choices)
    for pk, kind, joined in Agency.objects.filter(is_active=True).values_list("pk", "kind", "joined_on"):
        row = by_kind.setdefault(kind, {"kind": kind, "label": str(labels.get(kind, kind)), "connected": 0, "active": 0})
        row["connected"] += 1
        row["active"] += pk in active_ids
        if joined:
            by_year[joined.year] += 1
    years, total = [], 0
    for year in sorted(by_year):
        total += by_year[year]
        years.append({"year": year, "joined": by_year[year], "cumulative": total})
    return {"as_of": now, "active_days": active_days, "by_kind": sorted(by_kind.values(), key=lambda r: -r["connected"]),
            "by_year": years, "connected": sum(r["connected"] for r in by_kind.values()),
            "active": sum(r["active"] for r in by_kind.values())}


# --- Drill-down: the reports behind a number ---------------------------------------------------

DRILL_DIMS = {"received", "state", "type", "channel", "topic", "province", "regency", "in_time", "overdue", "bounced",
              "reopened", "rating", "week", "verify_days", "follow_up_days", "complete_days"}


def drill_qs(user: User | None, *, scope: str, period: Period, dim: str = "received", key: str = "") -> QuerySet[Report]:
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
    qs = qs.filter(submitted_at__gte=dt.datetime.combine(start, dt.time(), tzinfo=zone),
                                     submitted_at__lt=dt.datetime.combine(end, dt.time(), tzinfo=zone))
    return _drill_dim(qs, dim, key)


def region_q(code: str) -> Q:
    # Not Region.subtree_q(code, "region_id"): a prefix lookup on the FK column is refused by Django.
    return Q(region__code=code) | Q(region__code__startswith=code + ".")


def _drill_dim(qs: QuerySet[Report], dim: str, key: str) -> QuerySet[Report]:
    if dim in ("state", "type", "channel"):
        return qs.filter(**{dim: key})
    if dim == "topic":
        return qs.filter(topic__isnull=True) if key in ("", "0") else qs.filter(topic_id=int(key) if key.isdigit() else -1)
    if dim in ("province", "regency"):
        return qs.filter(region__isnull=True) if not key else qs.filter(region_q(key))
    if dim == "in_time":
        base = qs.filter(state=lc.State.DONE, completed_at__isnull=False, completion_due_at__isnull=False)
        return base.filter(completed_at__lte=F("completion_due_at")) if key == "1" else base.filter(completed_at__gt=F("completion_due_at"))
    if dim == "overdue":
        return qs.filter(is_overdue=True)
    if dim == "bounced":
        return qs.filter(bounce_count__gt=0)
    if dim == "reopened":
        return qs.filter(reopen_count__gt=0)
    if dim == "rating":
        return qs.filter(rating=int(key)) if key.isdigit() else qs.filter(rating__isnull=False)
    if dim == "week":
        try:
            start = dt.date.fromisoformat(key)
        except ValueError as exc:
            raise ValidationFailed(_("Minggu tidak valid."), code="invalid_week") from exc
        zone = tz()
        return qs.filter(submitted_at__gte=dt.datetime.combine(start, dt.time(), tzinfo=zone),
                         submitted_at__lt=dt.datetime.combine(start + dt.timedelta(days=7), dt.time(), tzinfo=zone))
    field = {"verify_days": "verified_at", "follow_up_days": "first_follow_up_at", "complete_days": "completed_at"}.get(dim)
    if field:  # every report with the duration measured (the histogram's whole population)
        return qs.filter(**{f"{field}__isnull": False})
    return qs
