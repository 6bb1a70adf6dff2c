"""The production smoke test in docs/operations.md is deploy/smoke.sh, quoted verbatim, and it passes
on this machine: local PostgreSQL, Redis (the Debian package's server, a private instance on a
loopback port so no other process's queue is touched), real gunicorn and Celery processes. It leaves
no process, database or directory behind."""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
SCRIPT = ROOT / "deploy" / "smoke.sh"
DOCS = ROOT / "docs" / "operations.md"
PORT, SMTP_PORT, REDIS_PORT = (
    int(os.environ.get(name, default))
    for name, default in (("LAPOR_SMOKE_PORT", 8121), ("LAPOR_SMOKE_SMTP_PORT", 8122), ("LAPOR_SMOKE_REDIS_PORT", 8128))
)
DB = "lapor_prod_smoke"


def test_the_docs_quote_the_smoke_script_verbatim():
    blocks = re.findall(r"```(?:sh|bash)\n(.*?)```", DOCS.read_text(), flags=re.S)
    assert SCRIPT.read_text() in blocks, "docs/operations.md must quote deploy/smoke.sh exactly (copy it again)"
    assert os.access(SCRIPT, os.X_OK)


def _pg(*sql: str) -> str:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-Atc", *sql],
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout.strip()


@pytest.mark.slow
def test_the_production_smoke_script_passes_and_cleans_up(tmp_path):
    for tool in ("psql", "createdb", "pg_isready", "redis-server", "redis-cli", "curl", "setsid"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} is not installed (apt-get install -y postgresql redis-server curl)")
    if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], timeout=10).returncode != 0:
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    venv = Path(sys.prefix)  # the virtualenv running the tests
    if not (venv / "bin" / "gunicorn").exists() or not (venv / "bin" / "celery").exists():
        pytest.skip(f"no gunicorn/celery in {venv}")

    redis = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(REDIS_PORT),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAPOR_", "DATABASE_URL", "DJANGO_"))}
    env.update(
        PGHOST="127.0.0.1",
        PGUSER="postgres",
        VENV=str(venv),
        PYTHONPATH=str(ROOT / "src"),
        REDIS_URL=f"redis://127.0.0.1:{REDIS_PORT}",
        PORT=str(PORT),
        SMTP_PORT=str(SMTP_PORT),
        DB=DB,
        TMPDIR=str(tmp_path),
    )
    started = time.monotonic()
    try:
        for _ in range(50):
            if subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        if redis.poll() is not None:
            pytest.skip(f"port {REDIS_PORT} is taken (LAPOR_SMOKE_REDIS_PORT chooses another)")
        proc = subprocess.Popen(
            [str(SCRIPT)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            out, _ = proc.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            proc.terminate()  # the script's trap stops what it started
            out, _ = proc.communicate(timeout=60)
            pytest.fail("the smoke script did not finish in 10 minutes:\n" + out[-4000:])
    finally:
        redis.terminate()
        redis.wait(timeout=30)
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, out[-4000:]
    assert "OK: production smoke test passed" in out, out[-4000:]
    for line in (
        "report",
        "acknowledgement e-mailed by the worker",
        "outbox emptied by the worker",
        "open data built by the worker, served by the web",
    ):
        assert f"ok   {line}" in out, out[-4000:]
    # Nothing left behind: its processes, its database, its directory.
    pids = [int(p) for p in re.search(r"^pids: (.*)$", out, flags=re.M).group(1).split()]
    assert len(pids) == 4
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert _pg(f"SELECT count(*) FROM pg_database WHERE datname = '{DB}'") == "0"
    assert not list(tmp_path.glob("lapor-smoke.*"))
    print(out + f"smoke script (with the test's redis-server): {elapsed:.0f} s")
