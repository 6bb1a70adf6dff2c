#!/usr/bin/env bash
# Load 1,000,000 demo reports into a fresh PostgreSQL database `lapor_bench` and time it.
# The database is left loaded for dashboard and search benchmarks. See docs/demo-data.md.
set -euo pipefail
cd "$(dirname "$0")/.."
REPORTS="${REPORTS:-1000000}"
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/lapor_bench
export LAPOR_DATA_DIR=/tmp/gen-var
mkdir -p "$LAPOR_DATA_DIR"
dropdb -h 127.0.0.1 -U postgres --if-exists lapor_bench
createdb -h 127.0.0.1 -U postgres lapor_bench
.venv/bin/lapor migrate -v0
.venv/bin/lapor demo load
time .venv/bin/lapor demo generate --reports "$REPORTS"
