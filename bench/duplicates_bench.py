"""Duplicate check latency on a large database (issue 5: ≤ 50 ms p95 at 1,000,000 reports).

For N new texts taken from recent open reports (lightly perturbed), time
lapor.routing.selectors.duplicates_find over all reports — the call the submit form and the
staff routing screen make. Read-only.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lapor_bench LAPOR_DATA_DIR=/tmp/bench-var \\
        .venv/bin/python bench/duplicates_bench.py --runs 200
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lapor.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from lapor.reports import lifecycle as lc  # noqa: E402
from lapor.reports.models import Report  # noqa: E402
from lapor.routing.selectors import duplicates_find  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    total = Report.objects.count()
    samples = list(
        Report.objects.filter(state__in=lc.OPEN_STATES)
        .order_by("-submitted_at")
        .values("title", "body", "region_id")[:5000]
    )
    rng.shuffle(samples)
    timings, found = [], 0
    for sample in samples[: args.runs]:
        words = sample["body"].split()
        rng.shuffle(words)  # same words, another order: a new report about the same problem
        start = time.perf_counter()
        result = duplicates_find(
            qs=Report.objects.all(), title=sample["title"], body=" ".join(words), region_code=sample["region_id"]
        )
        timings.append((time.perf_counter() - start) * 1000)
        found += bool(result)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"database={connection.vendor} reports={total} runs={len(timings)} with_candidates={found}")
    print(f"duplicates_find ms: p50={statistics.median(timings):.1f} p95={p95:.1f} max={timings[-1]:.1f}")
    print(f"load average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
