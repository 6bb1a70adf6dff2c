"""Fault drill, small: kill -9 gunicorn workers in the middle of submissions retried with the same
Idempotency-Key; every acknowledged report exists once and every notification is received once
(after de-duplication on X-Lapor-Delivery). The 5,000-submission run with Celery is
bench/drill_kill.py (docs/benchmarks.md)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]


@pytest.mark.slow
@pytest.mark.parametrize("fanout", ["inline", "deferred"])
def test_kill_dash_nine_loses_and_duplicates_nothing(tmp_path, fanout):
    """Deferred: the notifications are written by the delivery of each change's "fanout" row, which
    a killed worker may leave half-done (claimed, or its messages committed but itself not marked)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "LAPOR_BROKER", "DJANGO_SETTINGS"))}
    env["LAPOR_NOTIFY_FANOUT"] = fanout
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "drill_kill.py"),
            "--database-url",
            f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "--data-dir",
            str(tmp_path),
            "--setup",
            "--submissions",
            "40",
            "--clients",
            "4",
            "--workers",
            "2",
            "--max-kills",
            "4",
            "--kill-every",
            "2",
            "--first-kill",
            "0.3",
            "--port",
            "8873",
            "--deadline",
            "150",
            "--fast-forward-leases",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=360,
    )
    line = next((l for l in proc.stdout.splitlines() if l.startswith("DRILL ")), None)
    assert line, proc.stdout[-2000:] + proc.stderr[-2000:]
    result = json.loads(line[len("DRILL ") :])
    assert result["kills"].get("web", 0) >= 1, result
    assert result["acknowledged"] == result["reports"] == 40 and result["duplicate_reports"] == 0, result
    assert result["acknowledged_missing"] == 0 and result["not_received"] == 0, result
    assert set(result["outbox"]) == {"sent"}, result
    assert result["fanout_rows"] == (40 if fanout == "deferred" else 0), result
    assert result["ok"], result
