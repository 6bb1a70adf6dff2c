#!/usr/bin/env python3
"""Staff web inbox at a million reports: tab counts + the 100 rows of one tab, in-process, read-only.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lapor_bench LAPOR_DATA_DIR=/tmp/bench-var \
        .venv/bin/python bench/web_inbox_bench.py [--platform] [--runs 10]

The same calls as the /petugas/ view (lapor.web.views.staff.inbox) for the agency admin of the
"Dinas Kesehatan" with the most reports (or a platform admin with --platform). Prints p50/max per tab.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lapor.settings")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--platform", action="store_true")
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    import django

    django.setup()
    from django.db.models import Count

    from lapor.accounts.models import RoleAssignment
    from lapor.reports import selectors as rs
    from lapor.reports.selectors import ReportFilters
    from lapor.web import selectors

    if args.platform:
        grant = RoleAssignment.objects.filter(role="platform_admin").select_related("user").first()
    else:
        grant = (
            RoleAssignment.objects.filter(role="agency_admin", agency__name__icontains="Kesehatan")
            .select_related("agency", "user")
            .annotate(n=Count("agency__reports"))
            .order_by("-n")
            .first()
        )
    user = grant.user
    print("viewer:", grant.role, grant.agency.name if grant.agency_id else "(national)", "load", os.getloadavg())
    for tab in ["all", "agency", "overdue", "verify"]:
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            f = ReportFilters()
            filtered = rs.report_filter(rs.report_qs_for(user), f)
            counts = selectors.inbox_counts(filtered, user)
            if tab == "all":
                rows, _next = rs.report_list_page(user, f, cursor=None, limit=100, order="newest")
            else:
                rows = list(selectors.inbox_order(selectors.inbox_tab_qs(filtered, tab, user))[:100])
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"{tab:8s} p50 {statistics.median(times):6.0f} ms  max {max(times):6.0f} ms  rows {len(rows)}  counts {counts}"
        )


if __name__ == "__main__":
    main()
