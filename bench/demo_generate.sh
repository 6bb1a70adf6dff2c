#!/usr/bin/env bash
# Load 1,000,000 demo reports into a fresh PostgreSQL database (default `lapor_bench`) and time it,
# sampling the machine's load average every 15 s into /tmp/<db>-load.log. The database is left loaded
# for dashboard and search benchmarks. See docs/demo-data.md.
#   REPORTS=200000 DB=lapor_mine bench/demo_generate.sh
set -euo pipefail
cd "$(dirname "$0")/.."
REPORTS="${REPORTS:-1000000}"
DB="${DB:-lapor_bench}"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export LAPOR_DATA_DIR="/tmp/$DB-var"
mkdir -p "$LAPOR_DATA_DIR"
dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"  # no --force: others may be using it
createdb -h 127.0.0.1 -U postgres "$DB"
.venv/bin/lapor migrate -v0
.venv/bin/lapor demo load >/dev/null
uptime
(while true; do echo "$(date +%T) $(cut -d' ' -f1-3 /proc/loadavg)"; sleep 15; done) >"/tmp/$DB-load.log" &
monitor=$!
trap 'kill $monitor' EXIT
time .venv/bin/lapor demo generate --reports "$REPORTS"
uptime
echo "load average (1 min) every 15 s:" $(cut -d' ' -f2 "/tmp/$DB-load.log")
