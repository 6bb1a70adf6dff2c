#!/usr/bin/env python3
"""The full Schemathesis campaign: every operation of /api/openapi.json, LAPOR_FUZZ_EXAMPLES cases
each (default 20 → 68 operations × up to 20 ≥ 1,000 cases), zero 5xx and zero schema breaks.

    .venv/bin/python bench/api_fuzz.py [--examples 20] [--postgres]

Runs src/lapor/api/tests/test_api_fuzz.py in-process (Django's WSGI app, SQLite test database, or
PostgreSQL with --postgres) and counts the generated cases.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=20)
    ap.add_argument("--postgres", action="store_true", help="DATABASE_URL=postgres://…/lapor_load (test db test_lapor_load)")
    args = ap.parse_args()
    count_file = Path(tempfile.mkstemp(prefix="fuzz-cases-")[1])
    env = {**os.environ, "LAPOR_FUZZ_EXAMPLES": str(args.examples), "LAPOR_FUZZ_COUNT_FILE": str(count_file),
           "LAPOR_FAST_PASSWORD_HASHER": "1", "LAPOR_LOG_LEVEL": "ERROR"}
    if args.postgres:
        env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/lapor_load"
    proc = subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "src/lapor/api/tests/test_api_fuzz.py"], cwd=ROOT, env=env, capture_output=True, text=True)
    cases = count_file.read_text().splitlines()
    count_file.unlink()
    per_op = Counter(cases)
    print(proc.stdout[-3000:])
    print(f"FUZZ cases={len(cases)} operations={len(per_op)} min_per_operation={min(per_op.values(), default=0)} "
          f"pytest_exit={proc.returncode}")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
