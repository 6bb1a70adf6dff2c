#!/usr/bin/env python3
"""Search and inbox latency over the 1,000,000-report database (read-only; see bench/demo_generate.sh).

    .venv/bin/python bench/search_bench.py [--db lapor_bench] [--requests 200]

In-process through Django's full request stack (middleware, Ninja, JSON rendering), no HTTP:
GET /api/reports?q=… (PostgreSQL full text, ``indonesian`` configuration, ranked by relevance by
default, with filters) as a platform admin (the widest scope) and as an agency admin,
GET /api/public/reports?q=…, and the staff inbox GET /api/reports for a platform admin, a city admin
(the largest subtree) and an agency admin (a department), first pages and a deeper page. Nothing is
written: the bearer token lookup is replaced in-process by a fixed user, so no token or session row
is created. ``--only`` runs the scenarios whose names contain any of the given words.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

WORDS = [
    "jalan rusak",
    "sampah",
    "air bersih",
    "lampu jalan",
    "puskesmas",
    "banjir",
    "sekolah",
    "pelayanan lambat",
    "ktp",
    "bansos",
    "parkir liar",
    "drainase",
    "listrik padam",
    "pungutan liar",
    "antrean",
]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="lapor_bench")
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--only", nargs="*", default=[])
    args = ap.parse_args()
    os.environ.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}",
            "LAPOR_DATA_DIR": "/tmp/load-var",
            "DJANGO_SETTINGS_MODULE": "lapor.settings",
            "LAPOR_LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from lapor.accounts.models import Role, RoleAssignment
    from lapor.agencies.models import Topic

    platform = RoleAssignment.objects.filter(role=Role.PLATFORM_ADMIN).select_related("user").first().user
    admins = RoleAssignment.objects.filter(role=Role.AGENCY_ADMIN, agency__isnull=False).select_related(
        "user", "agency"
    )
    agency_ra = admins.order_by("-agency__depth", "agency_id").first()  # a department (Dinas Kesehatan)
    city_ra = admins.order_by("agency__depth", "agency_id").first()  # the city: the largest subtree
    users = {"platform": platform, "agency": agency_ra.user, "city": city_ra.user}
    import lapor.api.auth as auth

    auth.api_token_authenticate = lambda raw: users.get(raw)  # read-only: no token rows
    topics = list(Topic.objects.filter(parent__isnull=True).values_list("pk", flat=True))
    client = Client()
    rng = random.Random(7)

    def deep(who: str, pages: int = 5) -> str:
        """The cursor of page ``pages`` + 1 of a staff member's inbox (read once, before timing)."""
        cursor = None
        for _ in range(pages):
            cursor = client.get(
                "/api/reports",
                {"limit": 20, **({"cursor": cursor} if cursor else {})},
                HTTP_AUTHORIZATION=f"Bearer {who}",
            ).json()["next_cursor"]
        return cursor

    deep_agency = deep("agency")
    states = ["routed", "in_progress", "followed_up", "done"]
    scenarios = {
        "search_staff": lambda: ("/api/reports", {"q": rng.choice(WORDS), "limit": 20}, "platform"),
        "search_staff_newest": lambda: (
            "/api/reports",
            {"q": rng.choice(WORDS), "order": "newest", "limit": 20},
            "platform",
        ),
        "search_staff_filtered": lambda: (
            "/api/reports",
            {"q": rng.choice(WORDS), "topic_id": rng.choice(topics), "state": "submitted", "limit": 20},
            "platform",
        ),
        "search_agency": lambda: ("/api/reports", {"q": rng.choice(WORDS), "limit": 20}, "agency"),
        "search_city": lambda: ("/api/reports", {"q": rng.choice(WORDS), "limit": 20}, "city"),
        "search_public": lambda: ("/api/public/reports", {"q": rng.choice(WORDS), "limit": 20}, None),
        "inbox_platform": lambda: ("/api/reports", {"limit": 20}, "platform"),
        "inbox_city": lambda: ("/api/reports", {"limit": 20}, "city"),
        "inbox_agency": lambda: ("/api/reports", {"limit": 20}, "agency"),
        "inbox_agency_page6": lambda: ("/api/reports", {"limit": 20, "cursor": deep_agency}, "agency"),
        "inbox_agency_state": lambda: ("/api/reports", {"limit": 20, "state": rng.choice(states)}, "agency"),
    }
    if args.only:
        scenarios = {k: v for k, v in scenarios.items() if any(word in k for word in args.only)}
    out = {
        "reports": connection.cursor().execute("select count(*) from reports_report").fetchone()[0],
        "agency": agency_ra.agency.name,
        "city": city_ra.agency.name,
        "load_avg_before": os.getloadavg(),
    }
    for name, make in scenarios.items():
        times, errors = [], 0
        for i in range(args.requests + 10):
            path, params, who = make()
            headers = {"HTTP_AUTHORIZATION": f"Bearer {who}"} if who else {}
            started = time.perf_counter()
            response = client.get(path, params, **headers)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                errors += 1
            if i >= 10:  # the first ten warm the caches
                times.append(elapsed)
        out[name] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(pct(times, 95), 1),
            "p99_ms": round(pct(times, 99), 1),
            "errors": errors,
            "n": len(times),
        }
        print(name, json.dumps(out[name]), flush=True)
    out["load_avg_after"] = os.getloadavg()
    print("SEARCH " + json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
