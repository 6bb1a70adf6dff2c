#!/usr/bin/env python3
"""Load benchmark: gunicorn on PostgreSQL, wrk on loopback, bounded in time (see docs/benchmarks.md).

    .venv/bin/python bench/load_bench.py --setup            # (re)create database lapor_load first
    .venv/bin/python bench/load_bench.py --workers 3 --seconds 20 --rounds 3

Runs, in one server session: the bare endpoint (POST /bench/ping, one INSERT), the full submission
(POST /api/reports) and the mixed workload (and, with ``--scenarios ping,floor,submit``, the
submission's database work alone in hand-written SQL: bench/benchsite/floor.py), ``--rounds`` times interleaved, and prints the medians,
the ratio submission/bare, the CPU each request cost the server's workers, PostgreSQL, Redis and
wrk (from /proc: where the two cores go), the load average and every worker's RSS after the load.
The load generator (wrk) runs on the same 2 cores as the server.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV = ROOT / ".venv" / "bin"
DB = os.environ.get("LOAD_DB", "lapor_load")
DATA_DIR = Path(os.environ.get("LAPOR_DATA_DIR", "/tmp/load-var"))
ENV = {
    **os.environ,
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
    "LAPOR_DATA_DIR": str(DATA_DIR),
    "PYTHONPATH": f"{ROOT / 'src'}:{BENCH}",  # this checkout's code, whatever the venv was installed from
    "DJANGO_SETTINGS_MODULE": "benchsite.settings",
    "LAPOR_BROKER_URL": os.environ.get("LAPOR_BROKER_URL", "redis://127.0.0.1:6379/9"),
    # a shared cache, as every production deployment has (deploy/compose.yaml): rate-limit counters,
    # reference-data version stamps and the few seconds' cache of anonymous public lists
    "LAPOR_CACHE_URL": os.environ.get("LAPOR_CACHE_URL", "redis://127.0.0.1:6379/10"),
    "LAPOR_LOG_LEVEL": "WARNING",
    # one loopback source stands in for thousands of citizens: the per-source limits are off
    "LAPOR_RATE_SUBMIT": "off",
    "LAPOR_RATE_TRACK": "off",
    # each worker keeps its database connection for the whole run (production: 60 s), so every
    # PostgreSQL backend lives through a round and the CPU split below counts all of its work
    "LAPOR_DB_CONN_MAX_AGE": os.environ.get("LAPOR_DB_CONN_MAX_AGE", "3600"),
    "WRK_DIR": str(BENCH / "wrk"),
    "WRK_DATA": str(DATA_DIR / "data.lua"),
}


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=ENV, check=True, **kw)


def setup_database() -> None:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB])
    run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB])
    run([str(VENV / "lapor"), "migrate", "-v0"])
    run([str(VENV / "lapor"), "demo", "load", "--no-villages"], stdout=subprocess.DEVNULL)


def prepare(tracked: int = 300) -> None:
    """Fixtures for the mixed workload: a staff token and guest reports with their secrets."""
    os.environ.update(ENV)  # also when run by hand with --prepare-only
    sys.path[:0] = [str(ROOT / "src"), str(BENCH)]
    os.environ["LAPOR_BROKER_URL"] = ""  # the fixtures' notifications are not part of the load
    import django

    django.setup()
    from lapor.accounts.models import ApiToken, User
    from lapor.agencies.models import Topic
    from lapor.reports.services import Submission, report_submit

    topic = Topic.objects.get(slug="jalan-jembatan")
    staff = User.objects.get(email="pupr@lapor.example")
    _token, raw = ApiToken.issue(user=staff, name="load bench")
    rows = []
    for i in range(tracked):
        report, secret = report_submit(
            submission=Submission(
                title=f"Lampu jalan mati di gang {i}",
                body=f"Lampu penerangan jalan nomor {i} sudah mati sejak bulan lalu.",
                topic_id=topic.pk,
                region_code="13.74",
                guest_phone=f"0857{i:08d}",
                channel="web",
            )
        )
        report.refresh_from_db()
        rows.append((report.tracking_id, secret, report.agency_id is not None))
    lua = [f"topic_id = {topic.pk}", 'region_code = "13.74"', f'staff_token = "{raw}"', "tracked = {"]
    lua += [f'  {{"{t}", "{s}"}},' for t, s, _ in rows] + ["}", "noted = {"]
    from lapor.reports.selectors import report_qs_for

    in_scope = list(report_qs_for(staff).order_by("-id").values_list("tracking_id", flat=True)[:200])
    lua += [f'  "{t}",' for t in in_scope] + ["}", f"seed = {int(time.time()) % 100000 * 1000}"]
    (DATA_DIR / "data.lua").write_text("\n".join(lua) + "\n")
    from django.db import connection

    with connection.cursor() as cursor:  # what autovacuum would have done (it is off on this machine's
        cursor.execute("VACUUM (ANALYZE)")  # PostgreSQL): statistics, and the GIN pending list merged
    print(f"prepared {len(rows)} tracked reports, {len(in_scope)} in the staff member's scope")
    if not in_scope:
        raise SystemExit("no report in the staff member's scope: run the submit scenario once first")


def wait_up(port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
            return
        except Exception:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not come up")


def wrk(script: str, port: int, seconds: int, connections: int, threads: int = 1) -> dict:
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "-s",
            str(BENCH / "wrk" / script),
            f"http://127.0.0.1:{port}",
        ],
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(row for row in out.splitlines() if row.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def cpu_by_process() -> dict[tuple[str, str], float]:
    """CPU seconds used so far, per process, by the server's workers, PostgreSQL and Redis (every
    process on this machine whose command line names them), and by this script's finished children
    (wrk), keyed by (name, pid)."""
    tick, totals = os.sysconf("SC_CLK_TCK"), {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        for name in ("gunicorn", "postgres", "redis"):
            if name.encode() in cmdline:
                totals[(name, pid)] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
                break
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    totals[("wrk", "")] = children.ru_utime + children.ru_stime
    return totals


def cpu_used(before: dict[tuple[str, str], float], after: dict[tuple[str, str], float]) -> dict[str, float]:
    """CPU seconds by name between two readings. A process that started in between counts from
    zero; one that ended in between (a PostgreSQL backend whose connection closed) is left out, as
    its pid may have been reused: never a negative figure, at worst a slight undercount."""
    used = {"gunicorn": 0.0, "postgres": 0.0, "redis": 0.0, "wrk": 0.0}
    for (name, pid), seconds in after.items():
        used[name] += max(seconds - before.get((name, pid), 0.0), 0.0)
    return used


def worker_rss(master_pid: int) -> list[float]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    rss = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss.append(round(int(line.split()[1]) / 1024, 1))
    return rss


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--setup", action="store_true", help="drop and recreate the database first")
    ap.add_argument("--prepare-only", action="store_true")
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--worker-class", default="sync")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--port", type=int, default=8871)
    ap.add_argument("--scenarios", default="ping,submit,mixed")
    args = ap.parse_args()
    if args.setup:
        setup_database()
    else:
        run([str(VENV / "lapor"), "migrate", "-v0"])  # the schema may have moved on since the set-up
    if args.prepare_only:
        prepare()
        return
    run([str(VENV / "python"), __file__, "--prepare-only"])
    cmd = [
        str(VENV / "gunicorn"),
        "lapor.wsgi:application",
        "-b",
        f"127.0.0.1:{args.port}",
        "-w",
        str(args.workers),
        "-k",
        args.worker_class,
        "--threads",
        str(args.threads),
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(cmd, env=ENV)
    results: dict[str, list[dict]] = {}
    try:
        wait_up(args.port)
        scenarios = args.scenarios.split(",")
        for name in scenarios:  # warm every worker and code path
            wrk(f"{name}.lua", args.port, 3, args.connections)
        load_before = os.getloadavg()
        for _round in range(args.rounds):
            for name in scenarios:
                before = cpu_by_process()
                r = wrk(f"{name}.lua", args.port, args.seconds, args.connections)
                used = cpu_used(before, cpu_by_process())  # the gunicorn workers live on: their CPU is counted
                r["cpu_ms_per_request"] = {k: round(v / max(r["requests"], 1) * 1000, 3) for k, v in used.items()}
                results.setdefault(name, []).append(r)
                print(f"{name:7s} {json.dumps(r)}", flush=True)
        load_after = os.getloadavg()
        rss = worker_rss(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    med = {
        n: {k: statistics.median(r[k] for r in rs) for k in ("rps", "p50_ms", "p99_ms")}
        | {
            "errors": sum(r["non2xx"] + r["connect_err"] + r["read_err"] + r["write_err"] + r["timeouts"] for r in rs),
            "requests": sum(r["requests"] for r in rs),
            "cpu_ms_per_request": {
                k: statistics.median(r["cpu_ms_per_request"][k] for r in rs) for k in rs[0]["cpu_ms_per_request"]
            },
        }
        for n, rs in results.items()
    }
    summary = {
        "config": vars(args),
        "median": med,
        "load_avg_before": load_before,
        "load_avg_after": load_after,
        "worker_rss_mb": rss,
        "cpus": os.cpu_count(),
    }
    if "ping" in med:  # throughput of each scenario over the bare endpoint's, same run
        summary["ratio_to_bare"] = {n: round(m["rps"] / med["ping"]["rps"], 3) for n, m in med.items() if n != "ping"}
    if "ping" in med and "submit" in med:
        summary["ratio_submit_to_bare"] = summary["ratio_to_bare"]["submit"]
    print("SUMMARY " + json.dumps(summary))


if __name__ == "__main__":
    main()
