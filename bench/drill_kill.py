#!/usr/bin/env python3
"""Fault drill: kill -9 web workers (and the Celery worker) in the middle of N submissions.

    .venv/bin/python bench/drill_kill.py --setup --submissions 5000 --celery     # the bench (PostgreSQL)
    .venv/bin/python bench/drill_kill.py --database-url sqlite:////tmp/x.sqlite3 --setup --submissions 200

The client retries every submission with the same Idempotency-Key until it gets a 2xx. Deliveries go
to an idempotent receiver on loopback (HTTP for SMS, SMTP for e-mail) that de-duplicates on the
X-Lapor-Delivery id. Afterwards: every acknowledged report exists exactly once, and every outbox row
of the run is sent and was received exactly once after de-duplication. Exit status 0 = all held.
Everything listens on 127.0.0.1 and is bounded by --deadline seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import http.server
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
RECEIVED: Counter = Counter()  # delivery id -> times received (the receiver stores each once)
LOCK = threading.Lock()


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with LOCK:
            RECEIVED[self.headers.get("X-Lapor-Delivery", "")] += 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


class SmtpSink:
    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        for line in envelope.content.decode("utf-8", "replace").splitlines():
            if line.lower().startswith("x-lapor-delivery:"):
                with LOCK:
                    RECEIVED[line.split(":", 1)[1].strip()] += 1
        return "250 OK"


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):  # every thread of the master may have forked
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def main() -> int:
    ap = argparse.ArgumentParser()
    # its own database: the load bench's leaves its undelivered outbox behind (no worker runs during
    # it), and the drill's flush would queue behind that backlog
    ap.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/lapor_drill")
    ap.add_argument("--data-dir", default="/tmp/load-var")
    ap.add_argument("--setup", action="store_true", help="migrate and load the demo network first")
    ap.add_argument("--submissions", type=int, default=5000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--kill-every", type=float, default=2.0, help="seconds between kill -9 of a web worker")
    ap.add_argument("--max-kills", type=int, default=10**6, help="stop killing web workers after this many")
    ap.add_argument(
        "--first-kill",
        type=float,
        default=None,
        help="seconds before the first kill (default --kill-every; small for the quick test)",
    )
    ap.add_argument("--celery", action="store_true", help="deliver through Redis db 9 and a Celery worker (killed too)")
    ap.add_argument("--port", type=int, default=8872)
    ap.add_argument("--deadline", type=int, default=900)
    ap.add_argument(
        "--drain",
        type=int,
        default=600,
        help="seconds to wait after the load for retries and expired send leases (≥ 120 s lease + backoff)",
    )
    ap.add_argument(
        "--fast-forward-leases",
        action="store_true",
        help="drain as if the 120 s send lease of killed senders had expired (for the quick test)",
    )
    args = ap.parse_args()
    started = time.time()
    run_id = f"{int(started)}{random.randint(100, 999)}"
    recv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=recv.serve_forever, daemon=True).start()
    from aiosmtpd.controller import Controller

    import socket

    with socket.socket() as probe:  # a free port for the SMTP sink
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    smtp = Controller(SmtpSink(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "LAPOR_DATA_DIR": args.data_dir,
        "LAPOR_LOG_LEVEL": "ERROR",
        "LAPOR_SMS_GATEWAY_URL": f"http://127.0.0.1:{recv.server_address[1]}/sms",
        "LAPOR_SMTP_HOST": "127.0.0.1",
        "LAPOR_SMTP_PORT": str(smtp_port),
        "LAPOR_BROKER_URL": "redis://127.0.0.1:6379/9" if args.celery else "",
        "LAPOR_OUTBOX_BACKOFF_SECONDS": "1",
        "LAPOR_RATE_SUBMIT": "off",
        "LAPOR_RATE_TRACK": "off",
        "DJANGO_SETTINGS_MODULE": "lapor.settings",
        "PYTHONPATH": str(ROOT / "src"),
    }  # this checkout's code, whatever the venv was installed from
    Path(args.data_dir).mkdir(parents=True, exist_ok=True)
    if args.setup:
        if args.database_url.startswith("postgres"):  # created if missing
            name = args.database_url.rsplit("/", 1)[1]
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], stderr=subprocess.DEVNULL)
        subprocess.run([str(VENV / "lapor"), "migrate", "-v0"], env=env, check=True)
        subprocess.run(
            [str(VENV / "lapor"), "demo", "load", "--no-villages"], env=env, check=True, stdout=subprocess.DEVNULL
        )
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from lapor.agencies.models import Topic

    topic_id = Topic.objects.get(slug="jalan-jembatan").pk
    server = subprocess.Popen(
        [
            str(VENV / "gunicorn"),
            "lapor.wsgi:application",
            "-b",
            f"127.0.0.1:{args.port}",
            "-w",
            str(args.workers),
            "--preload",
            "--log-level",
            "critical",
            "--graceful-timeout",
            "1",
        ],
        env=env,
    )
    celery = None

    def celery_start():
        return subprocess.Popen(
            [
                str(VENV / "celery"),
                "-A",
                "lapor",
                "worker",
                "-c",
                "2",
                "-l",
                "ERROR",
                "-Q",
                "celery",
                "--without-gossip",
                "--without-mingle",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    if args.celery:
        subprocess.run(["redis-cli", "-n", "9", "flushdb"], check=True, stdout=subprocess.DEVNULL)
        celery = celery_start()
    url = f"http://127.0.0.1:{args.port}/api/reports"
    acked: dict[int, str] = {}
    retries = Counter()
    last_error = [""]
    stop = threading.Event()
    kills = Counter()

    def submit(i: int) -> None:
        body = json.dumps(
            {
                "title": f"Jembatan retak {run_id}-{i}",
                "channel": "web",
                "topic_id": topic_id,
                "region_code": "13.74",
                "guest_phone": f"0819{int(run_id) % 10000:04d}{i:04d}",
                "body": f"Drill {run_id} laporan {i}: retakan besar di jembatan dekat sekolah dasar.",
            }
        ).encode()
        while time.time() - started < args.deadline:
            request = urllib.request.Request(
                url,
                data=body,
                method="POST",
                headers={"Content-Type": "application/json", "Idempotency-Key": f"drill-{run_id}-{i}"},
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    acked[i] = json.loads(response.read())["tracking_id"]
                    return
            except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
                # a worker killed mid-answer: refused, reset, or a truncated body — retry, same key
                retries[i] += 1
                last_error[0] = f"{type(exc).__name__}: {exc}"[:300]
                time.sleep(0.05 * min(retries[i], 20))

    def killer() -> None:
        nonlocal celery
        first = args.kill_every if args.first_kill is None else args.first_kill
        while not stop.wait(args.kill_every if kills["web"] else first) and kills["web"] < args.max_kills:
            victims = children(server.pid)
            if victims:
                os.kill(random.choice(victims), signal.SIGKILL)
                kills["web"] += 1
            if celery is not None and kills["web"] % 3 == 0:
                targets = children(celery.pid) if kills["web"] % 2 else [celery.pid]
                for pid in targets:
                    os.kill(pid, signal.SIGKILL)
                kills["celery"] += 1
                if celery.poll() is not None or targets == [celery.pid]:
                    celery.wait()
                    celery = celery_start()

    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    threading.Thread(target=killer, daemon=True).start()
    t0 = started = time.time()  # the deadline bounds the drill itself, not the set-up
    with ThreadPoolExecutor(args.clients) as pool:
        list(pool.map(submit, range(args.submissions)))
    elapsed = time.time() - t0
    stop.set()
    drain_started = time.time()
    result = verify(run_id, acked, args, started, celery)
    result["drain_seconds"] = round(time.time() - drain_started, 1)
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
    if celery is not None:
        celery.terminate()
        celery.wait(timeout=30)
    smtp.stop()
    result.update(
        {
            "submissions": args.submissions,
            "seconds": round(elapsed, 1),
            "kills": dict(kills),
            "client_retries": sum(retries.values()),
            "last_client_error": last_error[0],
            "load_avg": os.getloadavg(),
        }
    )
    print("DRILL " + json.dumps(result))
    return 0 if result["ok"] else 1


def verify(run_id: str, acked: dict[int, str], args, started: float, celery) -> dict:
    from django.db.models import Count

    from lapor.notifications.models import OutboxMessage, WebNotification
    from lapor.notifications.services import LEASE_SECONDS, outbox_flush
    from lapor.reports.models import IdempotencyRecord, Report

    reports = Report.objects.filter(title__startswith=f"Jembatan retak {run_id}-")
    per_title = reports.values("title").annotate(n=Count("id"))
    duplicates = [r["title"] for r in per_title if r["n"] != 1]
    tracking = set(reports.values_list("tracking_id", flat=True))
    missing = [t for t in acked.values() if t not in tracking]
    keys = IdempotencyRecord.objects.filter(key__startswith=f"drill-{run_id}-").count()
    outbox = OutboxMessage.objects.filter(report__in=reports)
    # Drain: rows orphaned by a killed sender are picked up by the flush once their lease expires.
    drain_until = time.time() + args.drain  # > the 120 s send lease of a killed sender + retry backoff
    while outbox.exclude(status=OutboxMessage.Status.SENT).exists() and time.time() < drain_until:
        if args.fast_forward_leases:
            from unittest import mock

            from django.utils import timezone

            later = timezone.now() + dt.timedelta(seconds=LEASE_SECONDS + 1)
            with mock.patch("lapor.notifications.services.timezone.now", return_value=later):
                outbox_flush(limit=2000)
        else:
            outbox_flush(limit=2000)  # what the periodic flush task does
        time.sleep(2)
    external = list(outbox.filter(channel__in=["sms", "email"]).values_list("delivery_id", flat=True))
    web = list(outbox.filter(channel="web").values_list("delivery_id", flat=True))
    web_rows = WebNotification.objects.filter(delivery_id__in=web).values("delivery_id").annotate(n=Count("id"))
    with LOCK:
        not_received = [str(d) for d in external if RECEIVED[str(d)] == 0]
        resent = sum(RECEIVED[str(d)] - 1 for d in external if RECEIVED[str(d)] > 1)
    statuses = dict(Counter(outbox.values_list("status", flat=True)))
    # every report told the same people (one routing rule): a lost or half-run fan-out shows as a gap
    per_report = Counter(
        outbox.exclude(channel="fanout").values("report").annotate(n=Count("id")).values_list("n", flat=True)
    )
    ok = (
        len(acked) == args.submissions
        and not duplicates
        and not missing
        and reports.count() == args.submissions
        and keys == args.submissions
        and not not_received
        and statuses.keys() <= {"sent"}
        and len(web_rows) == len(web)
        and all(r["n"] == 1 for r in web_rows)
        and len(per_report) == 1
        and sum(per_report.values()) == args.submissions
    )
    return {
        "ok": ok,
        "acknowledged": len(acked),
        "reports": reports.count(),
        "duplicate_reports": len(duplicates),
        "acknowledged_missing": len(missing),
        "idempotency_records": keys,
        "outbox": statuses,
        "fanout_rows": outbox.filter(channel="fanout").count(),
        "messages_per_report": dict(per_report),
        "external_deliveries": len(external),
        "not_received": len(not_received),
        "redelivered_then_deduplicated": resent,
        "web_notifications": len(web_rows),
    }


if __name__ == "__main__":
    sys.exit(main())
