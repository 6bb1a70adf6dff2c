#!/usr/bin/env python3
"""Cost of one request of each kind in the load benchmark's mix, in one process (no HTTP, no wrk).

    .venv/bin/python bench/request_cost.py [--requests 300] [--only submit,track]

The kind "fanout" is not a request: it is a worker expanding one submission's deferred
notifications (its "fanout" outbox row) into the messages, after the submissions above.

Runs against the load benchmark's database (`lapor_load`, prepared by
`bench/load_bench.py --setup --prepare-only`) through Django's full stack (middleware, Ninja,
rendering) with the Django test client, and prints for each kind the wall time, the Python CPU
time and the PostgreSQL backend's CPU time per request, and the SQL statements of one request.
The two CPU figures survive a busy machine; wall time adds waiting. Writes: the submissions and notes it makes.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("LAPOR_DATA_DIR", "/tmp/load-var"))
os.environ.update(
    {
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lapor_load"),
        "LAPOR_DATA_DIR": str(DATA_DIR),
        "DJANGO_SETTINGS_MODULE": "benchsite.settings",
        "LAPOR_BROKER_URL": os.environ.get("LAPOR_BROKER_URL", "redis://127.0.0.1:6379/9"),
        "LAPOR_CACHE_URL": os.environ.get("LAPOR_CACHE_URL", "redis://127.0.0.1:6379/10"),  # as load_bench
        "LAPOR_LOG_LEVEL": "WARNING",
        "LAPOR_RATE_SUBMIT": "off",
        "LAPOR_RATE_TRACK": "off",
    }
)
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench")]

WORDS = ["jalan", "sampah", "air", "lampu", "puskesmas"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--only", default="", help="comma-separated kinds")
    ap.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also print each kind's N costliest functions (cProfile); slows the run",
    )
    ap.add_argument("--sort", default="tottime", help="pstats order for --profile: tottime or cumulative")
    args = ap.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test import Client

    lua = (DATA_DIR / "data.lua").read_text()
    token = re.search(r'staff_token = "([^"]+)"', lua).group(1)
    topic_id = int(re.search(r"topic_id = (\d+)", lua).group(1))
    tracked = re.findall(r'\{"([^"]+)", "([^"]+)"\}', lua)
    noted = re.findall(r'^  "([^"]+)",$', lua, re.M)
    staff = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    c = Client()
    base = int(time.time() * 10) % 10_000_000 * 1000

    def submission(i: int) -> str:
        n = base + i
        return json.dumps(
            {
                "title": f"Jalan rusak di RT {n % 50}",
                "topic_id": topic_id,
                "region_code": "13.74",
                "body": f"Lubang besar di jalan nomor {n} belum diperbaiki, membahayakan pengendara motor.",
                "channel": "web",
                "guest_phone": f"0813{n % 100_000_000:08d}",
                "guest_name": f"Warga {n}",
            }
        )

    kinds = {
        "ping": lambda i: c.post("/bench/ping", "", content_type="application/json"),
        "submit": lambda i: c.post("/api/reports", submission(i), content_type="application/json"),
        # the submission's database work alone, in hand-written SQL (bench/benchsite/floor.py)
        "floor": lambda i: c.post("/bench/floor", submission(i), content_type="application/json"),
        "floor1": lambda i: c.post("/bench/floor1", submission(i), content_type="application/json"),
        "track": lambda i: c.get(
            f"/api/reports/{tracked[i % len(tracked)][0]}", HTTP_X_REPORT_SECRET=tracked[i % len(tracked)][1]
        ),
        "public_list": lambda i: c.get("/api/public/reports?limit=20"),
        "public_search": lambda i: c.get(f"/api/public/reports?q={WORDS[i % 5]}"),
        "staff_inbox": lambda i: c.get("/api/reports?limit=20", **staff),
        "staff_search": lambda i: c.get(f"/api/reports?q={WORDS[i % 5]}", **staff),
        "note": lambda i: c.post(
            f"/api/reports/{noted[i % len(noted)]}/notes",
            json.dumps({"body": f"Sudah dicek ke lapangan, tindak lanjut {i}."}),
            content_type="application/json",
            **staff,
        ),
        # not a request: a worker's share of one submission, expanding its "fanout" outbox row into the
        # six messages (the submissions above left theirs pending: no worker runs here)
        "fanout": lambda i: fanout_deliver(),
    }
    from lapor.notifications.models import OutboxMessage
    from lapor.notifications.services import outbox_deliver

    class _Done:
        status_code = 200

    def fanout_deliver():
        pk = (
            OutboxMessage.objects.filter(channel="fanout", status="pending")
            .order_by("-id")
            .values_list("pk", flat=True)
            .first()
        )
        assert pk is not None, "no pending fanout row: run the submit kind first (with a broker configured)"
        outbox_deliver(message_id=pk)
        return _Done

    def backend_cpu() -> float:
        """CPU seconds of this connection's PostgreSQL backend so far (the server runs on this
        machine: its /proc entry), i.e. the database's share of each request (parse, plan, execute)."""
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    only = set(filter(None, args.only.split(",")))
    done = 0
    for kind, call in kinds.items():
        if only and kind not in only:
            continue
        for i in range(20):  # warm up; every answer must be a success
            response = call(done + i)
            assert response.status_code < 300, (kind, response.status_code, response.content[:300])
        done += 20
        settings.DEBUG = True
        reset_queries()
        call(done)
        statements = len(connection.queries)
        settings.DEBUG = False
        done += 1
        pg = backend_cpu()
        wall, cpu = time.perf_counter(), time.process_time()
        for i in range(args.requests):
            call(done + i)
        done += args.requests
        wall, cpu, pg = time.perf_counter() - wall, time.process_time() - cpu, backend_cpu() - pg
        print(
            json.dumps(
                {
                    "kind": kind,
                    "wall_ms": round(wall / args.requests * 1000, 2),
                    "cpu_ms": round(cpu / args.requests * 1000, 2),
                    "pg_cpu_ms": round(pg / args.requests * 1000, 2),
                    "statements": statements,
                }
            ),
            flush=True,
        )
        if args.profile:  # a separate pass: the profiler's overhead must not touch the figures above
            profiler = cProfile.Profile()
            profiler.enable()
            for i in range(args.requests):
                call(done + i)
            profiler.disable()
            done += args.requests
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.profile)


if __name__ == "__main__":
    main()
