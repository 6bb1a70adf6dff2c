"""Analytics benchmark: roll-up refresh time, dashboard / agency dashboard / league table latency
(p50/p95, uncached and cached) and the streamed exports' peak memory, against whatever database
DATABASE_URL points at.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lapor_bench LAPOR_DATA_DIR=/tmp/analytics-var \\
        nice -n 10 .venv/bin/python bench/analytics_bench.py [--refresh] [--incremental] [--runs 30] \\
        [--export-rows 100000] [--formats csv,xlsx] [--from YYYY-MM --to YYYY-MM] [--agency ID]

--refresh rebuilds the roll-ups first (full) and says how long that took; --incremental then times
an incremental refresh. Each timing is the selector plus its JSON encoding. "uncached" runs delete the one cache entry of that dashboard first (nothing
else in the cache is touched), so they time the whole computation from the roll-up cells. Each export
runs in a child process so its peak RSS (ru_maxrss) is its own; it streams the national drill-down
list exactly as /api/analytics/export does. The agency measured is the one whose subtree received
the most reports in the period (or --agency).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lapor.settings")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))


def _setup():
    import django

    django.setup()


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(fn, runs: int, before=None) -> dict:
    if before:
        before()
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        if before:
            before()
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[min(len(samples) - 1, int(0.95 * len(samples)))], 1),
        "max_ms": round(samples[-1], 1),
        "runs": runs,
    }


def export_child(rows: int, fmt: str) -> None:
    """The newest ``rows`` reports of the national list written to a file by the export job's code
    (keyset batches, the staff projection, CSV or constant-memory XLSX), as a worker does it."""
    _setup()
    import itertools
    import tempfile

    from lapor.accounts.models import User
    from lapor.analytics import selectors as sel
    from lapor.analytics.exports import csv_write, reports_iter, rows_for, xlsx_write

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    viewer = User.objects.filter(role_assignments__role="platform_admin").first()
    everything = sel.Period(dt.date(2000, 1, 1), sel.period_parse(None, None).end)
    qs = sel.drill_qs(viewer, scope="n", period=everything)
    t, cpu = time.perf_counter(), time.process_time()
    header, out_rows = rows_for("n", itertools.islice(reports_iter(qs, scope="n"), rows), viewer)
    with tempfile.NamedTemporaryFile(suffix=f".{fmt}") as tmp:
        if fmt == "csv":
            with open(tmp.name, "w", encoding="utf-8", newline="") as out:
                n = csv_write(out, header, out_rows)
        else:
            n = xlsx_write(tmp.name, header, out_rows)
        size = os.path.getsize(tmp.name)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"export_{fmt} rows={n} bytes={size} seconds={time.perf_counter() - t:.1f} "
        f"cpu_seconds={time.process_time() - cpu:.1f} peak_rss_mb={rss:.0f} (after start-up {rss0:.0f})"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--refresh", action="store_true", help="full roll-up refresh first (timed)")
    ap.add_argument("--incremental", action="store_true", help="time an incremental refresh too")
    ap.add_argument("--export-rows", type=int, default=100_000, help="0: no export")
    ap.add_argument("--formats", default="csv,xlsx")
    ap.add_argument("--export-child", type=int)
    ap.add_argument("--format", default="csv")
    ap.add_argument("--from", dest="from_month", help="YYYY-MM (default: 12 months to now)")
    ap.add_argument("--to", dest="to_month", help="YYYY-MM")
    ap.add_argument("--agency", type=int, help="agency id for the agency dashboard (default: biggest subtree)")
    args = ap.parse_args()
    if args.export_child:
        return export_child(args.export_child, args.format)
    _setup()
    from django.core.cache import cache
    from django.core.serializers.json import DjangoJSONEncoder
    from django.db import connection
    from django.db.models import Sum
    from django.utils import timezone

    from lapor.accounts.models import User
    from lapor.agencies.models import Agency
    from lapor.analytics import selectors as sel
    from lapor.analytics.models import StatCell
    from lapor.analytics.rollup import month_bounds, rollup_refresh
    from lapor.reports.deadlines import tz
    from lapor.reports.models import Report

    print(f"database={connection.vendor} reports={Report.objects.count()} load={load()}")
    if args.refresh:
        t = time.perf_counter()
        run = rollup_refresh(full=True)
        print(
            f"full refresh: {run.months} months, {run.reports} reports, {StatCell.objects.count()} cells, "
            f"{time.perf_counter() - t:.1f}s load={load()}"
        )
    if args.incremental:
        t = time.perf_counter()
        run = rollup_refresh()
        print(
            f"incremental refresh: {run.months} months, {run.reports} reports, {time.perf_counter() - t:.1f}s load={load()}"
        )
    period = sel.period_parse(args.from_month, args.to_month)
    if args.agency:
        agency = Agency.objects.get(pk=args.agency)
    else:
        top = (
            StatCell.objects.filter(
                scope__startswith="a:", dim="received", month__gte=period.start, month__lte=period.end
            )
            .values("scope")
            .annotate(t=Sum("n"))
            .order_by("-t")
            .first()
        )
        agency = Agency.objects.get(pk=int(top["scope"][2:]))
    ascope = f"a:{agency.pk}"
    admin = User.objects.filter(role_assignments__role="platform_admin").first()
    today = timezone.now().astimezone(tz()).date()

    def forget(scope):
        return lambda: cache.delete(
            sel._cache_key("dashboard", sel._last_run(), scope, period.start, period.end, today)
        )

    def forget_league():
        cache.delete(
            sel._cache_key("league", sel._last_run(), period.start, period.end, sorted(sel.grades_config().items()))
        )

    print(f"period {period.start:%Y-%m}..{period.end:%Y-%m}; agency {ascope} {agency.name}")

    def dash(scope):  # the selector plus the JSON the API would send
        return lambda: json.dumps(sel.dashboard_get(scope, period), cls=DjangoJSONEncoder)

    def league():
        return json.dumps(sel.league_table(admin, period), cls=DjangoJSONEncoder)

    results = {
        "national dashboard, uncached": timed(dash("n"), args.runs, forget("n")),
        "national dashboard, cached": timed(dash("n"), args.runs),
        "agency dashboard, uncached": timed(dash(ascope), args.runs, forget(ascope)),
        "agency dashboard, cached": timed(dash(ascope), args.runs),
        "league table, uncached": timed(league, args.runs, forget_league),
        "league table, cached": timed(league, args.runs),
    }
    for name, r in results.items():
        print(f"{name}: p50={r['p50_ms']} ms p95={r['p95_ms']} ms max={r['max_ms']} ms (runs={r['runs']})")
    print(f"load={load()}")
    # Roll-up vs a direct count over the raw table, for the period.
    lo, hi = month_bounds(period.start)[0], month_bounds(period.end)[1]
    raw = Report.objects.filter(submitted_at__gte=lo, submitted_at__lt=hi)
    for scope, qs in (("n", raw), (ascope, raw.filter(agency__path__startswith=agency.path))):
        d = sel.dashboard_get(scope, period)
        print(
            f"check {scope}: received rollup={d['totals']['received']} direct={qs.count()}; "
            f"done rollup={d['totals']['done']} direct={qs.filter(state='done').count()}; "
            f"overdue rollup={d['totals']['overdue']} direct={qs.filter(is_overdue=True).count()}"
        )
    for fmt in [f for f in args.formats.split(",") if f] if args.export_rows else []:
        out = subprocess.run(
            [sys.executable, __file__, "--export-child", str(args.export_rows), "--format", fmt],
            capture_output=True,
            text=True,
        )
        print((out.stdout.strip() or out.stderr[-2000:]) + f" load={load()}")


if __name__ == "__main__":
    main()
