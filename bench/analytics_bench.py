"""Analytics benchmark: dashboard, agency dashboard and league table latency (p50/p95) and the
export's peak memory, against whatever database DATABASE_URL points at.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lapor_bench LAPOR_DATA_DIR=/tmp/stats-var \\
        .venv/bin/python bench/analytics_bench.py [--refresh] [--runs 30] [--export-rows 100000]

--refresh rebuilds the roll-ups first (full) and reports how long that took. The export is run
in a child process so its peak RSS (ru_maxrss) is its own.
"""
from __future__ import annotations

import argparse
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


def timed(fn, runs: int) -> dict:
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return {"p50_ms": round(statistics.median(samples), 1),
            "p95_ms": round(samples[min(len(samples) - 1, int(0.95 * len(samples)))], 1), "runs": runs}


def export_child(rows: int) -> None:
    _setup()
    from lapor.analytics.exports import HEADER, csv_stream, report_rows
    from lapor.accounts.models import User
    from lapor.reports.models import Report

    viewer = User.objects.filter(role_assignments__role="platform_admin").first()
    t = time.perf_counter()
    size = 0
    qs = Report.objects.order_by("-submitted_at", "-id")[:rows]
    for chunk in csv_stream(HEADER, report_rows(qs, viewer)):
        size += len(chunk)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"export_csv rows={rows} bytes={size} seconds={time.perf_counter() - t:.1f} peak_rss_mb={rss_mb:.0f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--refresh", action="store_true")
    ap.add_argument("--export-rows", type=int, default=100_000)
    ap.add_argument("--export-child", type=int)
    ap.add_argument("--from", dest="from_month", help="YYYY-MM (default: 12 months to now)")
    ap.add_argument("--to", dest="to_month", help="YYYY-MM")
    args = ap.parse_args()
    if args.export_child:
        return export_child(args.export_child)
    _setup()
    from django.db import connection
    from django.db.models import Count

    from lapor.agencies.models import Agency
    from lapor.analytics import selectors as sel
    from lapor.analytics.rollup import rollup_refresh
    from lapor.accounts.models import User
    from lapor.reports.models import Report

    print(f"database={connection.vendor} reports={Report.objects.count()}")
    if args.refresh:
        t = time.perf_counter()
        run = rollup_refresh(full=True)
        print(f"full refresh: {run.months} months, {run.reports} reports, {time.perf_counter() - t:.1f}s")
    period = sel.period_parse(args.from_month, args.to_month)
    busiest = (Report.objects.filter(agency__isnull=False).values("agency_id").annotate(n=Count("id"))
               .order_by("-n").first())
    agency = Agency.objects.get(pk=busiest["agency_id"])
    admin = User.objects.filter(role_assignments__role="platform_admin").first()
    results = {
        "national_dashboard": timed(lambda: sel.dashboard_get("n", period), args.runs),
        f"agency_dashboard (a:{agency.pk} {agency.name[:30]})": timed(lambda: sel.dashboard_get(f"a:{agency.pk}", period), args.runs),
        "league_table": timed(lambda: sel.league_table(admin, period), max(5, args.runs // 3)),
    }
    for name, r in results.items():
        print(f"{name}: p50={r['p50_ms']} ms p95={r['p95_ms']} ms (runs={r['runs']})")
    # Roll-up vs a direct count over the raw table, for the period.
    d = sel.dashboard_get("n", period)
    from lapor.analytics.rollup import month_bounds

    direct = Report.objects.filter(submitted_at__gte=month_bounds(period.start)[0],
                                   submitted_at__lt=month_bounds(period.end)[1]).count()
    done = Report.objects.filter(submitted_at__gte=month_bounds(period.start)[0], submitted_at__lt=month_bounds(period.end)[1],
                                 state="done").count()
    print(f"check: received rollup={d['totals']['received']} direct={direct}; done rollup={d['totals']['done']} direct={done}")
    if args.export_rows:
        out = subprocess.run([sys.executable, __file__, "--export-child", str(args.export_rows)], capture_output=True, text=True)
        print(out.stdout.strip() or out.stderr[-2000:])


if __name__ == "__main__":
    main()
