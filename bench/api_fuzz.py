#!/usr/bin/env python3
"""The long Schemathesis campaign (issue 16): every operation of /api/openapi.json with every check
(``--checks all``), as a guest, a citizen, agency staff and a platform admin, LAPOR_FUZZ_EXAMPLES
fuzzed cases per operation and role on top of the examples and coverage phases. Zero failures.

    .venv/bin/python bench/api_fuzz.py [--examples 30] [--postgres postgres://…/lapor_api]

Runs src/lapor/api/tests/test_api_fuzz.py in-process (Django's WSGI app; SQLite test database, or
PostgreSQL with --postgres) and counts the generated cases, by role and operation.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=30)
    ap.add_argument(
        "--postgres",
        nargs="?",
        const="postgres://postgres@127.0.0.1:5432/lapor_load",
        default="",
        help="DATABASE_URL (default …/lapor_load; the test database is test_<name>)",
    )
    ap.add_argument("--workers", default="2", help="pytest-xdist workers")
    ap.add_argument("--phases", default="examples,coverage,fuzzing")
    args = ap.parse_args()
    count_file = Path(tempfile.mkstemp(prefix="fuzz-cases-")[1])
    env = {
        **os.environ,
        "LAPOR_FUZZ_EXAMPLES": str(args.examples),
        "LAPOR_FUZZ_COUNT_FILE": str(count_file),
        "LAPOR_FAST_PASSWORD_HASHER": "1",
        "LAPOR_LOG_LEVEL": "ERROR",
        "LAPOR_FUZZ_PHASES": args.phases,
    }
    if args.postgres:
        env["DATABASE_URL"] = args.postgres
    python = os.environ.get("LAPOR_PYTHON") or str(ROOT / ".venv/bin/python")
    started = time.monotonic()
    proc = subprocess.run(
        [
            python,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:logging",
            "--show-capture=no",
            "-n",
            args.workers,
            "src/lapor/api/tests/test_api_fuzz.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.monotonic() - started
    lines = [line.split("\t") for line in count_file.read_text().splitlines() if "\t" in line]
    count_file.unlink()
    per_role = Counter(role for role, _op in lines)
    per_item = Counter((role, op) for role, op in lines)
    print(proc.stdout[-4000:])
    print(
        f"FUZZ cases={len(lines)} by_role={dict(sorted(per_role.items()))} "
        f"operations={len({op for _r, op in lines})} min_per_operation_and_role={min(per_item.values(), default=0)} "
        f"seconds={elapsed:.0f} pytest_exit={proc.returncode}"
    )
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
