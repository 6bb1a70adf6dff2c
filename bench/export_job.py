"""A whole-country export through the API as a background job, checked byte for byte (issue 15).

Against a running server (gunicorn, `lapor serve`, with or without a Celery worker) on the database
in DATABASE_URL: start the job (POST /api/analytics/exports), poll its progress every second, download
the file in one request, then check it: its length is the size the job reported and the
Content-Length, it ends with a whole line, every line parses, and its rows are exactly the reports
of the filter (count from the database, each tracking id once). Meanwhile the peak RSS of the
processes that may run the job (matched by their command line) is sampled from /proc, and every
request's time is recorded.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lapor_exports LAPOR_DATA_DIR=/tmp/lapor_exports-var \\
    PYTHONPATH=src python bench/export_job.py --base http://127.0.0.1:8131 --from 2024-12 --to 2026-12 \\
        --format csv --match "gunicorn" --match "celery"
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import threading
import time
import urllib.request


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lapor.settings")
    import django

    django.setup()


def _token() -> tuple[str, object]:
    from lapor.accounts.models import ApiToken, Role, RoleAssignment

    grant = RoleAssignment.objects.filter(role=Role.PLATFORM_ADMIN).select_related("user").order_by("id").first()
    _tok, raw = ApiToken.issue(user=grant.user, name="bench export")
    return raw, grant.user


def _procs(patterns: list[str]) -> list[int]:
    me = os.getuid()
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            if os.stat(f"/proc/{name}").st_uid != me:
                continue
            cmd = open(f"/proc/{name}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(p in cmd for p in patterns) and "export_job.py" not in cmd:
            out.append(int(name))
    return out


def _status(pid: int) -> dict[str, int]:
    out = {}
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1]) // 1024  # MB
    except OSError:
        pass
    return out


class Sampler(threading.Thread):
    def __init__(self, patterns):
        super().__init__(daemon=True)
        self.patterns, self.peak, self.start_rss, self.stop = patterns, {}, {}, threading.Event()

    def run(self):
        while not self.stop.wait(0.5):
            for pid in _procs(self.patterns):
                rss = _status(pid).get("VmRSS", 0)
                self.start_rss.setdefault(pid, rss)
                self.peak[pid] = max(self.peak.get(pid, 0), rss)


def _call(method: str, url: str, token: str, body: dict | None = None, timings: list | None = None):
    req = urllib.request.Request(
        url,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    t = time.monotonic()
    with urllib.request.urlopen(req, timeout=120) as res:
        data = res.read()
        headers = dict(res.headers)
        status = res.status
    if timings is not None:
        timings.append((method, url.split("/api/")[-1][:60], time.monotonic() - t))
    return status, headers, data


def _pcts(values: list[float]) -> list[float]:
    values = sorted(values) or [0.0]
    return [
        round(values[len(values) // 2], 3),
        round(values[min(len(values) - 1, int(len(values) * 0.99))], 3),
        round(values[-1], 3),
    ]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8131")
    ap.add_argument("--scope", default="n")
    ap.add_argument("--from", dest="from_month", required=True)
    ap.add_argument("--to", dest="to_month", required=True)
    ap.add_argument("--format", default="csv", choices=["csv", "xlsx"])
    ap.add_argument("--match", action="append", default=[], help="command-line substring of processes to sample")
    ap.add_argument("--out", default="/tmp/export_job_download")
    args = ap.parse_args()
    _setup()
    from lapor.analytics.selectors import drill_qs, period_parse

    token, user = _token()
    expected = drill_qs(user, scope=args.scope, period=period_parse(args.from_month, args.to_month)).count()
    sampler = Sampler(args.match or ["gunicorn", "celery"])
    sampler.start()
    time.sleep(1.2)
    timings: list = []
    t0 = time.monotonic()
    status, headers, data = _call(
        "POST",
        f"{args.base}/api/analytics/exports",
        token,
        {"scope": args.scope, "from": args.from_month, "to": args.to_month, "format": args.format},
        timings,
    )
    job = json.loads(data)
    assert status == 202 and headers.get("Location") == f"/api/analytics/exports/{job['id']}", (status, headers)
    progress = []
    while job["state"] in ("queued", "running"):
        time.sleep(1)
        _s, _h, data = _call("GET", f"{args.base}/api/analytics/exports/{job['id']}", token, timings=timings)
        job = json.loads(data)
        progress.append((round(time.monotonic() - t0, 1), job["done"], job["total"]))
        if len(progress) % 15 == 1:
            print(f"  {progress[-1][0]:7.1f} s  {job['state']:8} {job['done']:>9} / {job['total']}", flush=True)
    job_seconds = time.monotonic() - t0
    sampler.stop.set()
    if job["state"] != "done":
        print(json.dumps(job, indent=1, default=str))
        return 1
    t = time.monotonic()
    req = urllib.request.Request(args.base + job["file_url"], headers={"Authorization": f"Bearer {token}"})
    size = 0
    with urllib.request.urlopen(req, timeout=600) as res, open(args.out, "wb") as out:
        length = int(res.headers["Content-Length"])
        while chunk := res.read(1 << 20):
            out.write(chunk)
            size += len(chunk)
    download_seconds = time.monotonic() - t
    timings.append(("GET", "file", download_seconds))
    # the file, checked
    rows, ids = 0, set()
    if args.format == "csv":
        with open(args.out, "rb") as f:
            f.seek(-2, 2)
            ends_whole = f.read() == b"\r\n"
        with open(args.out, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            for row in reader:
                assert len(row) == len(header), row
                rows += 1
                ids.add(row[0])
    else:
        import zipfile

        with zipfile.ZipFile(args.out) as z:
            ends_whole = z.testzip() is None
            with z.open("xl/worksheets/sheet1.xml") as sheet:
                rows = sum(io.TextIOWrapper(sheet, encoding="utf-8").read().count("<row ") for _ in [0]) - 1
        ids = set(range(rows))
    peak = {pid: (sampler.start_rss.get(pid), mb, _status(pid).get("VmHWM")) for pid, mb in sampler.peak.items()}
    worst = max(timings, key=lambda r: r[2] if r[1] != "file" else 0)
    result = {
        "format": args.format,
        "reports_expected": expected,
        "rows_in_file": rows,
        "distinct_ids": len(ids),
        "job_total": job["total"],
        "bytes": size,
        "content_length": length,
        "job_size": job["size"],
        "ends_with_whole_line": ends_whole,
        "job_seconds": round(job_seconds, 1),
        "download_seconds": round(download_seconds, 2),
        "requests": len(timings),
        "slowest_api_request": [worst[0], worst[1], round(worst[2], 3)],
        "poll_seconds_p50_p99_max": _pcts([r[2] for r in timings if r[0] == "GET" and r[1] != "file"]),
        "rss_mb_per_process_start_peak_hwm": peak,
        "progress_samples": progress[:: max(1, len(progress) // 12)] + progress[-1:],
    }
    print(json.dumps(result, indent=1, default=str))
    ok = rows == expected == job["total"] == len(ids) and size == length == job["size"] and ends_whole
    print("BYTE-COMPLETE" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
