"""The embedded default as it runs for real (issue 15): a file SQLite database configured for a
server, a full analytics roll-up that never keeps a citizen's write waiting more than a second,
and `lapor serve` answering through gunicorn with exactly one scheduler process.

These start real processes on a real data directory (not the test database), like `make run`."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

SRC = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the embedded default is SQLite")


def _env(data_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LAPOR_BROKER_URL", "LAPOR_PUBLIC_URL")}
    env.update(
        LAPOR_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="lapor.settings",
        PYTHONPATH=os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]),
        **extra,
    )
    return env


def _lapor(data_dir: Path, *args: str, timeout: float = 900) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "lapor.cli", *args], env=_env(data_dir), capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sqlite_is_configured_for_a_server(tmp_path):
    """WAL, synchronous=NORMAL and a busy timeout on every connection the app opens."""
    code = (
        "import django, json; django.setup(); from django.db import connection\n"
        "c = connection.cursor()\n"
        "out = {p: c.execute(f'PRAGMA {p}').fetchone()[0] for p in ('journal_mode', 'synchronous', 'busy_timeout')}\n"
        "print(json.dumps(out))"
    )
    done = subprocess.run([sys.executable, "-c", code], env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    pragmas = json.loads(done.stdout.strip().splitlines()[-1])
    assert pragmas["journal_mode"] == "wal"
    assert pragmas["synchronous"] == 1  # NORMAL
    assert 1000 <= pragmas["busy_timeout"]


@pytest.mark.slow
def test_full_rollup_holds_the_write_lock_only_briefly(tmp_path):
    """While a full roll-up runs for several seconds on 2,000 reports, another process writes every
    0.1 s: each write gets the lock within a second. Before, the merge held it for minutes."""
    _lapor(tmp_path, "migrate", "--noinput", "-v", "0")
    _lapor(tmp_path, "demo", "load", "--no-villages", "--reports", "2000")
    database = tmp_path / "lapor.sqlite3"
    waits: list[tuple[float, float]] = []
    stop = threading.Event()

    def writer(prefix: str) -> None:
        conn = sqlite3.connect(database, timeout=20, isolation_level=None)
        n = 0
        while not stop.is_set():
            n += 1
            started = time.monotonic()
            conn.execute("BEGIN IMMEDIATE")  # what Django's transaction.atomic does on this database
            conn.execute(
                "INSERT INTO django_session (session_key, session_data, expire_date) VALUES (?, '', '2099-01-01')",
                (f"{prefix}{n:08d}",),
            )
            conn.execute("COMMIT")
            waits.append((started, time.monotonic() - started))
            time.sleep(0.1)
        conn.close()

    for attempt in ("first", "second"):  # an empty table (all inserts), then a filled one (the diff)
        if attempt == "second":  # make the second refresh change many cells too
            conn = sqlite3.connect(database, timeout=20)
            conn.execute("UPDATE analytics_statcell SET n = n + 1 WHERE id % 3 = 0")
            conn.execute("DELETE FROM analytics_statcell WHERE id % 7 = 0")
            conn.commit()
            conn.close()
        waits.clear()
        stop.clear()
        thread = threading.Thread(target=writer, args=(attempt,))
        thread.start()
        time.sleep(0.5)
        began = time.monotonic()
        out = _lapor(tmp_path, "analytics", "refresh", "--full", "-v", "1")
        ended = time.monotonic()
        stop.set()
        thread.join()
        during = [wait for started, wait in waits if began <= started <= ended]
        build = re.search(r"analytics roll-up build: .*", out)
        assert build, out
        # long enough that a lock held by the whole refresh would show as a wait over 1 s (on a quiet
        # machine the refresh takes 2-3 s; 3 s was asked for here and failed there)
        assert ended - began > 1.5, (attempt, ended - began)
        assert len(during) >= 5, (attempt, len(during), build.group(0))
        assert max(during) < 1.0, (attempt, sorted(during)[-5:], build.group(0))
        longest = float(re.search(r"longest write ([\d.]+)s", build.group(0)).group(1))
        assert longest < 1.0, build.group(0)
    conn = sqlite3.connect(database)
    assert conn.execute("SELECT COUNT(*) FROM analytics_statcell").fetchone()[0] > 50_000


@pytest.mark.slow
def test_lapor_serve_answers_through_gunicorn_with_one_scheduler(tmp_path):
    _lapor(tmp_path, "migrate", "--noinput", "-v", "0")
    port = _free_port()
    log = open(tmp_path / "serve.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "lapor.cli", "serve", f"127.0.0.1:{port}", "--workers", "2"],
        env=_env(tmp_path),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                health = requests.get(base + "/healthz", timeout=5)
                break
            except requests.ConnectionError:
                assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                time.sleep(0.3)
        assert health.status_code == 200
        assert health.headers.get("Server", "").startswith("gunicorn")  # not Django's development server
        home = requests.get(base + "/", timeout=30)
        assert home.status_code == 200
        css = re.search(r'href="(/static/[^"]+\.css)"', home.text).group(1)
        static = requests.get(base + css, timeout=30)  # WhiteNoise inside the app
        assert static.status_code == 200 and "text/css" in static.headers["Content-Type"] and static.content
        # links in messages and Open311 discovery follow the port served (LAPOR_PUBLIC_URL unset)
        discovery = requests.get(base + "/open311/v2/discovery.json", timeout=30).json()
        assert discovery["endpoints"][0]["url"] == f"{base}/open311/v2/"

        # gunicorn forks its workers one after another and the first answers before the second is
        # up; on a loaded machine (CI) the second came a moment after the requests above
        deadline = time.monotonic() + 30
        while True:
            children = _children(server.pid)
            schedulers = [pid for pid, cmd in children.items() if "scheduler" in cmd]
            workers = [pid for pid, cmd in children.items() if "serve" in cmd]
            if len(workers) >= 2 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert len(schedulers) == 1, children
        assert len(workers) == 2, children
        # the master starts the scheduler again when it dies
        os.kill(schedulers[0], signal.SIGKILL)
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            again = [pid for pid, cmd in _children(server.pid).items() if "scheduler" in cmd]
            if again and again != schedulers:
                break
            time.sleep(1)
        assert again and again != schedulers and len(again) == 1
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    time.sleep(1)
    assert not _alive(again[0]), "the scheduler must stop with lapor serve"
    assert "Scheduler started" in (tmp_path / "serve.log").read_text()


def _children(pid: int) -> dict[int, str]:
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                out[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError, IndexError):
            continue
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_public_url_follows_the_served_address():
    from lapor.core.management.commands.serve import addrport_parse, public_url_for

    assert public_url_for(*addrport_parse("127.0.0.1:8042")) == "http://127.0.0.1:8042"
    assert public_url_for(*addrport_parse("8042")) == "http://127.0.0.1:8042"
    assert public_url_for(*addrport_parse("0.0.0.0:80")) == "http://127.0.0.1:80"
    assert public_url_for(*addrport_parse("[::1]:8000")) == "http://[::1]:8000"
