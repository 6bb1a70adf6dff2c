"""The short version of bench/soak_embedded.py, for CI (issue 15): from a fresh data directory, as
`make run`, served by `lapor serve`, two minutes of mixed use while the start-up jobs and a full
roll-up run. No request may fail; submissions stay fast."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]


@pytest.mark.slow
@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the drill is about the embedded default (SQLite)")
def test_soak_embedded_short(tmp_path):
    out = tmp_path / "summary.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "soak_embedded.py"),
            "--minutes",
            "1.5",
            "--reports",
            "300",
            "--no-villages",
            "--full-at",
            "30",
            "--data-dir",
            str(tmp_path / "data"),
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert out.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    summary = json.loads(out.read_text())
    assert summary["failed"] == 0, summary["failures"]
    assert summary["database_locked_in_log"] == 0
    assert summary["server_errors_in_log"] == 0
    assert summary["full_refresh_window_seconds"], "the full roll-up must have run during the drill"
    assert summary["submissions"]["n"] >= 10
    assert {"analytics-refresh", "reports-sweep", "notifications-outbox-flush"} <= {
        j["job"] for j in summary["jobs_done"]
    }
    # Every roll-up (the start-up one and the full one) wrote in batches of well under a second.
    assert len(summary["rollup_builds"]) >= 2
    for line in summary["rollup_builds"]:
        assert float(line.split("longest write ")[1].split("s")[0]) < 1.0, line
    # Submission p99 <= 1 s on an idle machine. Other work on a shared CI machine slows every request
    # alike (not a lock wait): the bound grows with the load per CPU seen during the drill.
    busy = max(1.0, max(summary["loadavg_start"][0], summary["loadavg_end"][0]) / (summary["cpus"] or 1))
    assert summary["submissions"]["p99"] <= 1.0 * busy, summary
