#!/usr/bin/env python3
"""Fault drill: restart PostgreSQL under load (one quick restart; the server is shared, so run it last).

    .venv/bin/python bench/drill_pg_restart.py [--seconds 30] [--restart-at 8]

Guests submit continuously (retrying with the same Idempotency-Key); at --restart-at seconds
`pg_ctlcluster --skip-systemctl-redirect 15 main restart` runs. Counted: answers by status, 500s
(must be 0), 503s with Retry-After, seconds until the first success after the restart. Then every
acknowledged report must exist exactly once with its submitted event and idempotency record.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/lapor_load")
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--restart-at", type=float, default=8)
    ap.add_argument("--clients", type=int, default=6)
    ap.add_argument("--port", type=int, default=8876)
    args = ap.parse_args()
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "LAPOR_DATA_DIR": "/tmp/load-var",
        "LAPOR_LOG_LEVEL": "ERROR",
        "LAPOR_RATE_SUBMIT": "off",
        "LAPOR_RATE_TRACK": "off",
        "LAPOR_BROKER_URL": "",
        "DJANGO_SETTINGS_MODULE": "lapor.settings",
    }
    server = subprocess.Popen(
        [
            str(VENV / "gunicorn"),
            "lapor.wsgi:application",
            "-b",
            f"127.0.0.1:{args.port}",
            "-w",
            "3",
            "--log-level",
            "critical",
        ],
        env=env,
    )
    run_id = str(int(time.time()))
    statuses: Counter = Counter()
    retry_after_missing = [0]
    acked: dict[str, str] = {}
    timeline: list[tuple[float, int]] = []
    lock = threading.Lock()
    stop = threading.Event()
    counter = iter(range(10**9))

    def client() -> None:
        while not stop.is_set():
            i = next(counter)
            key = f"pgr-{run_id}-{i}"
            body = json.dumps(
                {
                    "title": f"Drainase tersumbat {run_id}-{i}",
                    "guest_email": f"w{i}@example.org",
                    "body": f"Saluran air nomor {i} tersumbat sampah sejak minggu lalu.",
                    "channel": "web",
                }
            ).encode()
            while not stop.is_set():
                req = urllib.request.Request(
                    f"http://127.0.0.1:{args.port}/api/reports",
                    data=body,
                    method="POST",
                    headers={"Content-Type": "application/json", "Idempotency-Key": key},
                )
                try:
                    with urllib.request.urlopen(req, timeout=20) as response:
                        code = response.status
                        acked[key] = json.loads(response.read())["tracking_id"]
                except urllib.error.HTTPError as exc:
                    code = exc.code
                    if code == 503 and not exc.headers.get("Retry-After"):
                        retry_after_missing[0] += 1
                except OSError:
                    code = 0  # connection refused/reset
                with lock:
                    statuses[code] += 1
                    timeline.append((time.time(), code))
                if code in (200, 201):
                    break
                time.sleep(0.2)

    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    t0 = time.time()
    for t in threads:
        t.start()
    time.sleep(args.restart_at)
    restart_started = time.time()
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"], check=True)
    restart_done = time.time()
    time.sleep(max(0, args.seconds - (time.time() - t0)))
    stop.set()
    for t in threads:
        t.join(timeout=30)
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
    after = [ts for ts, code in timeline if ts > restart_started and code in (200, 201)]
    during = Counter(code for ts, code in timeline if restart_started <= ts <= (after[0] if after else ts))
    os.environ.update(env)
    import django

    django.setup()
    from django.db.models import Count

    from lapor.reports.models import IdempotencyRecord, Report, ReportEvent

    reports = Report.objects.filter(title__startswith=f"Drainase tersumbat {run_id}-")
    dupes = reports.values("title").annotate(n=Count("id")).filter(n__gt=1).count()
    tracking = set(reports.values_list("tracking_id", flat=True))
    missing = [t for t in acked.values() if t not in tracking]
    no_event = reports.exclude(pk__in=ReportEvent.objects.filter(kind="submitted").values("report_id")).count()
    no_key = reports.exclude(pk__in=IdempotencyRecord.objects.values("report_id")).count()
    result = {
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "statuses_during_outage": {str(k): v for k, v in during.items()},
        "restart_seconds": round(restart_done - restart_started, 1),
        "recovered_after_seconds": round(after[0] - restart_started, 1) if after else None,
        "server_errors_500": statuses.get(500, 0),
        "503_without_retry_after": retry_after_missing[0],
        "acknowledged": len(acked),
        "reports": reports.count(),
        "duplicates": dupes,
        "acknowledged_missing": len(missing),
        "reports_without_submitted_event": no_event,
        "reports_without_idempotency_record": no_key,
        "load_avg": os.getloadavg(),
    }
    result["ok"] = (
        result["server_errors_500"] == 0
        and bool(after)
        and not dupes
        and not missing
        and not no_event
        and not no_key
        and retry_after_missing[0] == 0
    )
    print("DRILL " + json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
