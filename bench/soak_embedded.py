#!/usr/bin/env python
"""Soak drill of the embedded default (issue 15): the product as a newcomer runs it, used at once.

From a fresh data directory, as ``make run`` does (migrate, ``demo load --reports N``), it serves
with ``lapor serve`` on a loopback port (gunicorn + the one scheduler process, SQLite), and for
``--minutes`` runs light mixed use by a few simulated people at the same time:

- citizens: guest submissions through the API and through the web form (with its CSRF token),
  a signed-in citizen's submissions (API token from ``POST /api/auth/token``), tracking lookups
  (API with the guest secret, and the tracking page), the home page and public lists;
- staff: web sign-in with the two-factor code (``lapor totp code``, as the demo says; enrolment on
  the first sign-in), the inbox page, routing new reports (platform admin), follow-ups and internal
  notes (the agency admin of Dinas PUPR), through the API on the signed-in session;

while the start-up jobs run (the scheduler's first tick: outbox flush, sweep, roll-up, open data,
monthly PDFs, routing retrain) and, at ``--full-at`` seconds, a FULL analytics roll-up started by
hand (``lapor analytics refresh --full``, a separate process, as an operator would).

Every request's status and latency is recorded. The drill fails (exit 1) when any request failed
(a connection error, a 5xx, or any 4xx the scenario does not expect) or when the submissions'
p99 latency is over ``--max-p99`` seconds (1.0). Prints a JSON summary (also ``--json FILE``).

    python bench/soak_embedded.py --minutes 30            # the drill in docs/benchmarks.md
    python bench/soak_embedded.py --minutes 2 --no-villages --reports 500   # the CI version
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SUBMISSIONS = {"submit_guest_api", "submit_citizen_api", "submit_web_form"}
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Drill:
    def __init__(self, args):
        self.args = args
        self.data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="lapor-soak-")).resolve()
        self.port = args.port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LAPOR_BROKER_URL", "LAPOR_CACHE_URL")
        }
        self.env.update(
            {
                "LAPOR_DATA_DIR": str(self.data_dir),
                "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), self.env.get("PYTHONPATH", "")]),
                "DJANGO_SETTINGS_MODULE": "lapor.settings",
                # the simulated citizens come from many addresses, as behind a proxy on a real site
                "LAPOR_TRUSTED_PROXIES": "127.0.0.1",
            }
        )
        self.env.pop("LAPOR_PUBLIC_URL", None)
        self.rows: list[dict] = []
        self.lock = threading.Lock()
        self.tracked: list[tuple[str, str]] = []  # (tracking id, guest secret)
        self.stop = threading.Event()
        self.t0 = 0.0
        self.full_window: tuple[float, float] | None = None
        self.full_output = ""
        self.server: subprocess.Popen | None = None

    # --- set-up, as `make run` ---------------------------------------------------------------
    def lapor(self, *args: str, timeout: float = 1800) -> str:
        done = subprocess.run(
            [PY, "-m", "lapor.cli", *args], env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode:
            raise SystemExit(f"lapor {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout + done.stderr

    def setup(self) -> dict:
        if self.data_dir.exists():
            shutil.rmtree(self.data_dir)
        self.data_dir.mkdir(parents=True)
        t = time.monotonic()
        self.lapor("migrate", "--noinput", "-v", "0")
        load = ["demo", "load", "--reports", str(self.args.reports)] + (
            ["--no-villages"] if self.args.no_villages else []
        )
        out = self.lapor(*load)
        self.api_key = re.search(r"(lpr_demo0001_[0-9a-f]+)", out).group(1)
        return {"setup_seconds": round(time.monotonic() - t, 1)}

    def serve(self) -> None:
        self.log_path = self.data_dir / "serve.log"
        log = open(self.log_path, "w")
        self.server = subprocess.Popen(
            [PY, "-m", "lapor.cli", "serve", f"127.0.0.1:{self.port}", "--no-access-log"],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.server.poll() is not None:
                raise SystemExit(f"lapor serve exited: {self.log_path.read_text()[-3000:]}")
            time.sleep(0.3)
        raise SystemExit("lapor serve did not answer within 120 s")

    def shutdown(self) -> None:
        if self.server and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)

    # --- recording ---------------------------------------------------------------------------
    def call(self, kind: str, session: requests.Session, method: str, path: str, *, expect=(200,), **kw):
        kw.setdefault("timeout", 60)
        kw.setdefault("allow_redirects", False)
        started = time.monotonic()
        status, error, response = 0, "", None
        try:
            response = session.request(method, self.base + path, **kw)
            status = response.status_code
            if status not in expect:
                error = response.text[:300]
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
        took = time.monotonic() - started
        with self.lock:
            self.rows.append(
                {
                    "t": round(started - self.t0, 3),
                    "kind": kind,
                    "status": status,
                    "seconds": took,
                    "ok": not error,
                    "error": error,
                    "path": path.split("?")[0],
                }
            )
        return response if not error else None

    # --- people ------------------------------------------------------------------------------
    def citizen_session(self) -> requests.Session:
        s = requests.Session()
        s.headers["X-Forwarded-For"] = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
        return s

    def report_body(self, n: int) -> dict:
        what = random.choice(
            [
                "Jalan berlubang",
                "Lampu jalan padam",
                "Sampah menumpuk",
                "Antrean puskesmas lama",
                "Saluran air tersumbat",
                "Trotoar rusak",
            ]
        )
        return {
            "title": f"{what} di dekat pasar ({n})",
            "body": f"{what} sejak minggu lalu di dekat pasar, mohon segera ditangani. Laporan uji ketahanan {n}.",
            "topic_id": random.choice(self.topic_ids),
            "region_code": self.region_code,
            "channel": "web",
        }

    def reference(self) -> None:
        s = requests.Session()
        topics = s.get(self.base + "/api/topics", timeout=30).json()
        flat = topics if isinstance(topics, list) else topics.get("items", [])
        ids = []

        def walk(items):
            for item in items:
                ids.append(item["id"])
                walk(item.get("children") or [])

        walk(flat)
        self.topic_ids = ids[:12] or [None]
        self.region_code = "13.74"
        agencies = s.get(self.base + "/api/agencies", params={"q": "Dinas Pekerjaan Umum"}, timeout=30).json()
        items = agencies if isinstance(agencies, list) else agencies.get("items", [])
        self.pupr_id = next(a["id"] for a in items if a["name"].startswith("Dinas Pekerjaan Umum"))

    def guest_api(self, n: int) -> None:
        s = self.citizen_session()
        body = {**self.report_body(n), "guest_email": f"warga{n}@contoh.id", "guest_name": "Warga Uji"}
        r = self.call("submit_guest_api", s, "POST", "/api/reports", json=body, expect=(201,))
        if r is not None:
            data = r.json()
            with self.lock:
                self.tracked.append((data["tracking_id"], data.get("guest_secret") or ""))

    def web_form(self, n: int) -> None:
        s = self.citizen_session()
        page = self.call("page_submit_form", s, "GET", "/lapor/")
        if page is None:
            return
        token = CSRF_RE.search(page.text)
        body = self.report_body(n)
        form = {
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "type": "complaint",
            "title": body["title"],
            "body": body["body"],
            "topic": body["topic_id"],
            "province": "13",
            "regency": "13.74",
            "guest_email": f"form{n}@contoh.id",
            "submit_key": f"soak-{n}-{random.random()}",
        }
        res = self.call(
            "submit_web_form",
            s,
            "POST",
            "/lapor/",
            data=form,
            expect=(200, 302, 303),
            headers={"Referer": self.base + "/lapor/"},
        )
        if res is not None and res.status_code == 200:
            # open reports nearby on the same topic were offered first (issue #20): this citizen
            # sends their own anyway, as the page's "Tetap kirim laporan saya" does
            if 'name="nearby_seen"' not in res.text:  # the form came back for another reason: a failure
                with self.lock:
                    self.rows.append(
                        {
                            "t": round(time.monotonic() - self.t0, 3),
                            "kind": "submit_web_form_refused",
                            "status": 200,
                            "seconds": 0.0,
                            "ok": False,
                            "error": res.text[:300],
                            "path": "/lapor/",
                        }
                    )
                return
            token = CSRF_RE.search(res.text)
            form.update(nearby_seen="1", csrfmiddlewaretoken=token.group(1) if token else form["csrfmiddlewaretoken"])
            self.call(
                "submit_web_form",
                s,
                "POST",
                "/lapor/",
                data=form,
                expect=(302, 303),
                headers={"Referer": self.base + "/lapor/"},
            )

    def citizen_api(self, n: int) -> None:
        self.call("submit_citizen_api", self.citizen, "POST", "/api/reports", json=self.report_body(n), expect=(201,))
        self.call("citizen_my_reports", self.citizen, "GET", "/api/reports?limit=10")

    def track(self, n: int) -> None:
        with self.lock:
            picked = random.choice(self.tracked) if self.tracked else None
        s = self.citizen_session()
        if picked is None:
            return
        tid, secret = picked
        self.call("track_api", s, "GET", f"/api/reports/{tid}", headers={"X-Report-Secret": secret})
        self.call("track_page", s, "GET", f"/lacak/{tid}/")

    def public(self, n: int) -> None:
        s = self.citizen_session()
        path = random.choice(["/", "/laporan/", "/api/public/reports?limit=20", "/api/analytics/public/stats"])
        self.call("public_" + ("api" if path.startswith("/api") else "page"), s, "GET", path)

    def staff_signin(self, email: str) -> requests.Session | None:
        s = requests.Session()
        page = self.call("page_signin", s, "GET", "/masuk/")
        if page is None:
            return None
        token = CSRF_RE.search(page.text).group(1)
        r = self.call(
            "signin_password",
            s,
            "POST",
            "/masuk/",
            expect=(302,),
            data={"csrfmiddlewaretoken": token, "login": email, "password": "lapor-demo-2026"},
            headers={"Referer": self.base + "/masuk/"},
        )
        if r is None:
            return None
        step = r.headers["Location"]  # /masuk/kode/ or, the first time, /masuk/aktifkan/
        page = self.call("page_signin_code", s, "GET", step)
        if page is None:
            return None
        token = CSRF_RE.search(page.text).group(1)
        code = self.totp(email)
        # the first time the answer is the page of recovery codes (200), afterwards a redirect
        r = self.call(
            "signin_code",
            s,
            "POST",
            step,
            expect=(302,) if "kode" in step else (200,),
            data={"csrfmiddlewaretoken": token, "code": code},
            headers={"Referer": self.base + step},
        )
        if r is None or self.call("staff_inbox_page", s, "GET", "/petugas/") is None:
            return None
        s.headers["X-CSRFToken"] = s.cookies.get("csrftoken", "")
        s.headers["Referer"] = self.base + "/petugas/"
        return s

    def totp(self, email: str) -> str:
        """A code of a time step not used yet by this account (codes are single-use)."""
        last = self.totp_steps.get(email)
        while last is not None and int(time.time() // 30) <= last:
            time.sleep(1)
        self.totp_steps[email] = int(time.time() // 30)
        return self.lapor("totp", "code", email).strip().splitlines()[-1]

    def staff_admin(self, n: int) -> None:
        s = self.admin
        self.call("staff_inbox_page", s, "GET", "/petugas/")
        r = self.call("staff_list_api", s, "GET", "/api/reports?state=submitted&limit=10")
        items = (r.json().get("items") if r is not None else None) or []
        if items:
            tid = random.choice(items)["tracking_id"]
            self.call(
                "staff_route", s, "POST", f"/api/reports/{tid}/route", json={"agency_id": self.pupr_id}, expect=(200,)
            )

    def staff_agency(self, n: int) -> None:
        s = self.pupr
        r = self.call("staff_list_api", s, "GET", "/api/reports?state=routed&state=in_progress&limit=20")
        items = (r.json().get("items") if r is not None else None) or []
        if not items:
            return
        tid = random.choice(items)["tracking_id"]
        if n % 2:
            self.call(
                "staff_note",
                s,
                "POST",
                f"/api/reports/{tid}/notes",
                json={"body": f"Catatan internal uji {n}."},
                expect=(201,),
            )
        else:
            self.call(
                "staff_follow_up",
                s,
                "POST",
                f"/api/reports/{tid}/follow-up",
                json={"body": f"Sudah kami tinjau dan akan diperbaiki minggu ini ({n})."},
                expect=(201,),
            )
        self.call("staff_report_page", s, "GET", f"/petugas/laporan/{tid}/")

    def staff_resignin(self, n: int) -> None:
        email = random.choice(["admin@lapor.example", "pupr@lapor.example"])
        s = self.staff_signin(email)
        if s is not None:
            if email.startswith("admin"):
                self.admin = s
            else:
                self.pupr = s

    # --- the run -----------------------------------------------------------------------------
    def full_refresh(self) -> None:
        if self.stop.wait(self.args.full_at):
            return
        started = time.monotonic() - self.t0
        out = self.lapor("analytics", "refresh", "--full", timeout=3600)
        self.full_window = (started, time.monotonic() - self.t0)
        self.full_output = out.strip()[-600:]

    def person(self, actions: list[tuple], think: float, counter) -> None:
        names, weights = zip(*[(a, w) for a, w in actions])
        while not self.stop.is_set():
            action = random.choices(names, weights)[0]
            try:
                action(next(counter))
            except Exception as exc:  # a bug in the drill must show, not hang
                with self.lock:
                    self.rows.append(
                        {
                            "t": round(time.monotonic() - self.t0, 3),
                            "kind": "drill_error",
                            "status": 0,
                            "seconds": 0.0,
                            "ok": False,
                            "error": repr(exc)[:300],
                            "path": "",
                        }
                    )
            self.stop.wait(random.uniform(0.5, 1.5) * think)

    def run(self) -> dict:
        info = self.setup()
        self.serve()
        self.t0 = time.monotonic()
        self.load_start = os.getloadavg()
        self.reference()
        self.totp_steps: dict[str, int] = {}
        self.admin = self.staff_signin("admin@lapor.example")
        self.pupr = self.staff_signin("pupr@lapor.example")
        self.citizen = self.citizen_session()
        r = self.call(
            "signin_citizen_api",
            self.citizen,
            "POST",
            "/api/auth/token",
            json={"login": "warga@lapor.example", "password": "lapor-demo-2026"},
        )
        self.citizen.headers["Authorization"] = f"Bearer {r.json()['token']}" if r is not None else ""
        if not (self.admin and self.pupr and r is not None):
            raise SystemExit(f"sign-in failed: {[row for row in self.rows if not row['ok']]}")
        counter = itertools.count(1)
        people = [
            ([(self.guest_api, 3), (self.web_form, 2), (self.track, 3), (self.public, 3)], 2.0),
            ([(self.guest_api, 2), (self.citizen_api, 2), (self.track, 3), (self.public, 3)], 2.0),
            ([(self.public, 4), (self.track, 3), (self.web_form, 1)], 2.0),
            ([(self.staff_admin, 3), (self.staff_agency, 4), (self.staff_resignin, 0.15)], 3.0),
        ]
        threads = [threading.Thread(target=self.person, args=(a, think, counter), daemon=True) for a, think in people]
        threads.append(threading.Thread(target=self.full_refresh, daemon=True))
        for th in threads:
            th.start()
        self.stop.wait(self.args.minutes * 60)
        self.stop.set()
        for th in threads[:-1]:
            th.join(timeout=90)
        if self.full_window is None:  # the drill is shorter than --full-at: wait for the refresh
            threads[-1].join(timeout=1800)
        duration = time.monotonic() - self.t0
        self.shutdown()
        return self.summary(info, duration)

    def summary(self, info: dict, duration: float) -> dict:
        def pct(values: list[float], p: float) -> float | None:
            if not values:
                return None
            values = sorted(values)
            return round(values[min(len(values) - 1, max(0, int(round(p / 100 * len(values) + 0.5)) - 1))], 3)

        def stats(rows: list[dict]) -> dict:
            secs = [r["seconds"] for r in rows]
            return {
                "n": len(rows),
                "failed": sum(not r["ok"] for r in rows),
                "p50": pct(secs, 50),
                "p95": pct(secs, 95),
                "p99": pct(secs, 99),
                "max": round(max(secs), 3) if secs else None,
                "mean": round(statistics.fmean(secs), 3) if secs else None,
            }

        rows = self.rows
        submissions = [r for r in rows if r["kind"] in SUBMISSIONS]
        writes = [
            r
            for r in rows
            if r["kind"] in SUBMISSIONS or r["kind"].startswith(("staff_route", "staff_note", "staff_follow", "signin"))
        ]
        during = [r for r in writes if self.full_window and self.full_window[0] <= r["t"] <= self.full_window[1]]
        log = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        jobs = re.findall(r"periodic job (\S+) done in ([\d.]+)s", log)
        rollups = re.findall(r"analytics roll-up build: .*", log + "\n" + self.full_output)
        out = {
            "minutes": self.args.minutes,
            "duration_seconds": round(duration, 1),
            "reports_loaded": self.args.reports,
            "villages": not self.args.no_villages,
            **info,
            "requests": len(rows),
            "requests_per_second": round(len(rows) / duration, 2) if duration else None,
            "failed": sum(not r["ok"] for r in rows),
            "submissions": stats(submissions),
            "writes": stats(writes),
            "writes_during_full_refresh": stats(during),
            "full_refresh_window_seconds": self.full_window and [round(x, 1) for x in self.full_window],
            "by_kind": {
                kind: stats([r for r in rows if r["kind"] == kind]) for kind in sorted({r["kind"] for r in rows})
            },
            "failures": [r for r in rows if not r["ok"]][:20],
            "slowest": [
                {k: (round(v, 3) if k == "seconds" else v) for k, v in r.items() if k != "error"}
                for r in sorted(rows, key=lambda r: -r["seconds"])[:12]
            ],
            "jobs_done": [{"job": j, "seconds": float(s)} for j, s in jobs],
            "rollup_builds": [line[:300] for line in rollups],
            "database_locked_in_log": log.count("database is locked"),
            "server_errors_in_log": log.count("Internal Server Error"),
            "data_dir": str(self.data_dir),
            # other work on the machine slows every request alike: say how busy it was
            "cpus": os.cpu_count(),
            "loadavg_start": [round(x, 1) for x in self.load_start],
            "loadavg_end": [round(x, 1) for x in os.getloadavg()],
        }
        p99 = out["submissions"]["p99"]
        out["passed"] = (
            out["failed"] == 0
            and out["database_locked_in_log"] == 0
            and bool(submissions)
            and p99 is not None
            and p99 <= self.args.max_p99
            and self.full_window is not None
        )
        return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--reports", type=int, default=2000, help="demo reports (make run's DEMO_REPORTS)")
    parser.add_argument("--no-villages", action="store_true", help="demo load without the ~83,000 villages (faster)")
    parser.add_argument("--port", type=int, default=0, help="loopback port (default: a free one)")
    parser.add_argument("--data-dir", help="fresh data directory (deleted first; default: a new temporary one)")
    parser.add_argument(
        "--full-at",
        type=float,
        default=None,
        help="seconds after start to run the full roll-up (default: a quarter of the drill, at least 45)",
    )
    parser.add_argument("--max-p99", type=float, default=1.0, help="submission p99 limit in seconds")
    parser.add_argument("--json", help="also write the summary here")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args = parser.parse_args()
    if args.full_at is None:
        args.full_at = max(45.0, args.minutes * 60 / 4)
    drill = Drill(args)
    try:
        summary = drill.run()
    finally:
        drill.shutdown()
        if not args.keep and not args.data_dir:
            shutil.rmtree(drill.data_dir, ignore_errors=True)
    text = json.dumps(summary, indent=1, default=str)
    print(text)
    if args.json:
        Path(args.json).write_text(text)
    return 0 if summary["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
