#!/usr/bin/env bash
# Production smoke test, on one machine without a container engine: PostgreSQL and Redis from Debian
# packages, LAPOR_ENV=production, `lapor setup` (the real network, no demo data), gunicorn + a Celery
# worker + Celery beat on loopback; then a report through the API, its acknowledgement e-mailed by the
# worker (to a stand-in mail relay on loopback), the outbox emptied, and the open data the worker
# writes served by the web. Quoted verbatim in docs/operations.md and run by
# src/lapor/core/tests/test_prod_smoke.py. Stops what it started and drops its database, whatever happens.
#
#   deploy/smoke.sh              # from a checkout; installs PostgreSQL, Redis and the venv if missing
#   KEEP=1 deploy/smoke.sh       # keep the database and the data directory to look at afterwards
set -euo pipefail
cd "$(dirname "$0")/.."
STARTED=$(date +%s)
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok   $*"; }

# --- 1. PostgreSQL and Redis from Debian packages; a database role for whoever runs this ----------
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
if ! command -v psql >/dev/null || ! command -v redis-server >/dev/null || ! command -v curl >/dev/null \
   || ! command -v ps >/dev/null; then
  $SUDO apt-get update -q && $SUDO apt-get install -y -q postgresql redis-server python3-venv curl procps
fi
pg_isready -q || $SUDO service postgresql start
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
redis-cli -u "$REDIS_URL" ping >/dev/null || $SUDO service redis-server start
# peer authentication on the local socket (PGHOST/PGUSER in the environment choose another way in)
psql -d postgres -Atqc 'SELECT 1' >/dev/null 2>&1 || as_postgres createuser --createdb "$(id -un)"

# --- 2. The application in a virtualenv (skipped when $VENV already has it) ----------------------
VENV=${VENV:-.venv}
[ -x "$VENV/bin/lapor" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q . ; }

# --- 3. The production environment (a real host keeps it in /etc/lapor.env: "Without Docker") ----
PORT=${PORT:-8121} SMTP_PORT=${SMTP_PORT:-8122} DB=${DB:-lapor_prod_smoke}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lapor-smoke.XXXXXX")
export LAPOR_ENV=production
export LAPOR_SECRET_KEY=$("$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))')
export LAPOR_ALLOWED_HOSTS=127.0.0.1,localhost
export LAPOR_PUBLIC_URL=http://127.0.0.1:$PORT
export DATABASE_URL=postgres:///$DB
export LAPOR_BROKER_URL=$REDIS_URL/0 LAPOR_CACHE_URL=$REDIS_URL/1
export LAPOR_DATA_DIR=$WORK/data                   # one directory for the web and the workers
export LAPOR_SMTP_HOST=127.0.0.1 LAPOR_SMTP_PORT=$SMTP_PORT
export LAPOR_LOG_LEVEL=WARNING

PIDS=()
alive() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $s != Z* ]]; }
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do alive "$pid" || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "${KEEP:-0}" != 1 ]; then dropdb --if-exists "$DB" || true; rm -rf "$WORK"; else echo "kept: $DB $WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE
start() { local name=$1; shift; setsid "$@" >>"$WORK/$name.log" 2>&1 & PIDS+=($!); echo "started $name: pid $!"; }

# --- 4. Database, schema, static files, the real network and the first platform operator ----------
dropdb --if-exists "$DB"
createdb "$DB"
"$VENV/bin/lapor" migrate --noinput -v 0
"$VENV/bin/lapor" collectstatic --noinput -v 0
"$VENV/bin/lapor" setup --admin-email ops@example.go.id --no-villages | tee "$WORK/setup.txt"
LINK=$(grep -o 'http://[^ ]*/akun/aktivasi/[^ ]*' "$WORK/setup.txt") || fail "setup printed no enrolment link"
if "$VENV/bin/lapor" demo load --no-villages >/dev/null 2>&1; then fail "lapor demo load ran in production"; fi
ok "lapor setup: the network and one operator; lapor demo load refused"

# --- 5. web (gunicorn), a Celery worker, Celery beat; the stand-in mail relay ----------------------
start mail "$VENV/bin/python" deploy/smtp_sink.py 127.0.0.1 "$SMTP_PORT" "$WORK/mail"
start web "$VENV/bin/gunicorn" lapor.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 --timeout 30
start worker "$VENV/bin/celery" -A lapor worker --loglevel=WARNING --concurrency=2
start beat "$VENV/bin/celery" -A lapor beat --loglevel=WARNING --schedule="$WORK/celerybeat-schedule"
BASE=http://127.0.0.1:$PORT
for _ in $(seq 90); do curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null && break; sleep 1; done

# --- 6. Checks ------------------------------------------------------------------------------------
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[ "$(code "$BASE/healthz")" = 200 ] || fail "/healthz does not answer 200"
ok "/healthz 200"
curl -sI -H 'X-Forwarded-Proto: https' "$BASE/masuk/" | grep -qi '^strict-transport-security: max-age=31536000' \
  || fail "no HSTS behind the TLS proxy"
[ "$(code -H 'Host: evil.example' "$BASE/healthz")" = 400 ] || fail "a foreign Host is not refused"
ok "HSTS behind the proxy; a foreign Host is refused (400)"
[ "$(code "$LINK")" = 200 ] || fail "the operator's enrolment link does not open"
ok "the operator's enrolment link opens (200)"
OPEN_DATA=$BASE/api/analytics/public/dataset.csv.gz
curl -s "$OPEN_DATA" | grep -q 'belum dibuat' || fail "open data exists before the worker built it"

TOPIC=$(curl -fsS "$BASE/api/topics" | "$VENV/bin/python" -c \
  'import json, sys; print(next(t["id"] for t in json.load(sys.stdin) if t["slug"] == "jaminan-kesehatan"))')
curl -fsS -X POST "$BASE/api/reports" -H 'Content-Type: application/json' -H "Idempotency-Key: smoke-$STARTED" \
  -o "$WORK/report.json" -d '{"title": "Kartu BPJS Kesehatan belum aktif",
    "body": "Kartu BPJS Kesehatan keluarga kami belum aktif padahal iuran sudah dibayar sejak dua bulan lalu.",
    "topic_id": '"$TOPIC"', "region_code": "13.74", "guest_name": "Warga Uji", "guest_email": "warga.uji@example.com"}' \
  || fail "the report was not accepted"
read -r TRACKING STATE AGENCY < <("$VENV/bin/python" -c \
  'import json, sys; r = json.load(open(sys.argv[1])); print(r["tracking_id"], r["state"], r["agency"]["name"])' \
  "$WORK/report.json") || fail "unexpected answer: $(cat "$WORK/report.json")"
[ "$STATE" = routed ] || fail "report $TRACKING is $STATE, not routed by the national rule"
ok "report $TRACKING accepted and routed to $AGENCY"

for _ in $(seq 60); do grep -qs "\[$TRACKING\] Laporan diterima" "$WORK"/mail/*.eml && break; sleep 1; done
grep -qs "\[$TRACKING\] Laporan diterima" "$WORK"/mail/*.eml || fail "no acknowledgement e-mail for $TRACKING"
ok "acknowledgement e-mailed by the worker to warga.uji@example.com"
for _ in $(seq 60); do
  [ "$(psql -d "$DB" -Atc "SELECT count(*) FROM notifications_outboxmessage WHERE status <> 'sent'")" = 0 ] && break
  sleep 1
done
OUTBOX=$(psql -d "$DB" -Atc "SELECT string_agg(channel || ':' || status, ' ' ORDER BY id) FROM notifications_outboxmessage")
[[ $OUTBOX == fanout:sent* && $OUTBOX != *pending* && $OUTBOX != *retry* && $OUTBOX != *dead* ]] \
  || fail "the worker did not empty the outbox: $OUTBOX"
ok "outbox emptied by the worker: $OUTBOX"

"$VENV/bin/celery" -A lapor call lapor.analytics.tasks.opendata >/dev/null
for _ in $(seq 60); do [ "$(code "$OPEN_DATA")" = 200 ] && break; sleep 1; done
curl -fsS -o "$WORK/dataset.csv.gz" "$OPEN_DATA" || fail "the web does not serve the open data"
gunzip -c "$WORK/dataset.csv.gz" | grep -q "$TRACKING" || fail "the open data served lacks $TRACKING"
ok "open data built by the worker, served by the web, with $TRACKING"

ls "$WORK"/celerybeat-schedule* >/dev/null 2>&1 || fail "celery beat wrote no schedule"
for pid in "${PIDS[@]}"; do alive "$pid" || fail "process $pid died: $(tail -n 20 "$WORK"/*.log)"; done
ok "gunicorn, the worker and beat still running"
echo "pids: ${PIDS[*]}"
echo "OK: production smoke test passed in $(( $(date +%s) - STARTED )) s"
