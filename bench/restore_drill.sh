#!/usr/bin/env bash
# Backup and restore drill: dump a database that holds reports with PostgreSQL's own tools,
# restore it into a NEW database, and prove nothing was lost:
#   - the row count of every table is the same,
#   - an md5 checksum over every audit event (reports_reportevent) and every audit log entry
#     (accounts_auditlog), in id order, is the same,
#   - Django sees no unapplied migration on the restored copy and can read a report through it.
#
#   bench/restore_drill.sh                  # builds lapor_sec with 2,000 generated reports first
#   SOURCE_DB=lapor REPORTS=0 bench/restore_drill.sh   # drill an existing database as it is
#   SABOTAGE=1 REPORTS=0 bench/restore_drill.sh         # must FAIL: one event deleted from the copy
#
# Loopback PostgreSQL with trust auth (PGHOST/PGUSER to change). Exit status 0 only when all match.
set -euo pipefail
cd "$(dirname "$0")/.."

export PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres} PGPORT=${PGPORT:-5432}
SOURCE_DB=${SOURCE_DB:-lapor_sec}
TARGET_DB=${TARGET_DB:-${SOURCE_DB}_restored}
REPORTS=${REPORTS:-2000}
WORK=$(mktemp -d /tmp/lapor-restore-drill.XXXXXX)
DUMP="$WORK/$SOURCE_DB.dump"
LAPOR=${LAPOR:-.venv/bin/lapor}
export LAPOR_DATA_DIR=${LAPOR_DATA_DIR:-/tmp/sec-var} LAPOR_FAST_PASSWORD_HASHER=1 LAPOR_LOG_LEVEL=WARNING
trap 'rm -rf "$WORK"' EXIT

url() { echo "postgres://$PGUSER@$PGHOST:$PGPORT/$1"; }

if [[ "$REPORTS" != "0" ]]; then
  echo "== building $SOURCE_DB with $REPORTS generated reports"
  dropdb --if-exists "$SOURCE_DB"
  createdb "$SOURCE_DB"
  DATABASE_URL=$(url "$SOURCE_DB") $LAPOR migrate --noinput -v 0
  DATABASE_URL=$(url "$SOURCE_DB") $LAPOR demo load >/dev/null
  DATABASE_URL=$(url "$SOURCE_DB") $LAPOR demo generate --reports "$REPORTS" >/dev/null
fi

fingerprint() {  # one line per table: "table rows", then the audit checksums
  local db=$1
  psql -X -At -d "$db" -c "
    SELECT format('SELECT %L || '' '' || count(*) FROM %I.%I;', table_name, table_schema, table_name)
    FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
    ORDER BY table_name" | psql -X -At -d "$db"
  psql -X -At -d "$db" -c "SELECT 'reportevent_md5 ' || md5(coalesce(string_agg(
      concat_ws('|', id, report_id, kind, action, actor_id, actor_role, from_state, to_state, agency_id, reason,
                data::text, is_public, created_at), E'\n' ORDER BY id), '')) FROM reports_reportevent"
  psql -X -At -d "$db" -c "SELECT 'auditlog_md5 ' || md5(coalesce(string_agg(
      concat_ws('|', id, at, action, actor_id, actor_label, target_type, target_id, ip, detail::text),
      E'\n' ORDER BY id), '')) FROM accounts_auditlog"
}

echo "== pg_dump -Fc $SOURCE_DB"
start=$(date +%s.%N)
pg_dump -Fc --no-owner -f "$DUMP" "$SOURCE_DB"
dumped=$(date +%s.%N)
echo "   $(du -h "$DUMP" | cut -f1) in $(printf '%.1f' "$(echo "$dumped - $start" | bc)") s"

echo "== pg_restore into a new database $TARGET_DB"
dropdb --if-exists "$TARGET_DB"
createdb "$TARGET_DB"
pg_restore --no-owner --exit-on-error -j 2 -d "$TARGET_DB" "$DUMP"
restored=$(date +%s.%N)
echo "   restored in $(printf '%.1f' "$(echo "$restored - $dumped" | bc)") s"

if [[ "${SABOTAGE:-0}" == "1" ]]; then  # prove the drill notices a loss: drop one audit event from the copy
  psql -X -q -d "$TARGET_DB" -c "ALTER TABLE reports_reportevent DISABLE TRIGGER ALL;
    DELETE FROM reports_reportevent WHERE id = (SELECT max(id) FROM reports_reportevent);"
fi
fingerprint "$SOURCE_DB" > "$WORK/source.txt"
fingerprint "$TARGET_DB" > "$WORK/target.txt"
reports=$(grep '^reports_report ' "$WORK/target.txt" | cut -d' ' -f2)
events=$(grep '^reports_reportevent ' "$WORK/target.txt" | cut -d' ' -f2)
tables=$(grep -vc '_md5 ' "$WORK/target.txt")
echo "   $tables tables; reports: $reports; audit events: $events"
if ! diff -u "$WORK/source.txt" "$WORK/target.txt"; then
  echo "FAIL: the restored database differs from the source" >&2
  exit 1
fi
grep '_md5 ' "$WORK/target.txt" | sed 's/^/   /'

echo "== the application on the restored copy"
DATABASE_URL=$(url "$TARGET_DB") $LAPOR migrate --check -v 0 || { echo "FAIL: unapplied migrations" >&2; exit 1; }
DATABASE_URL=$(url "$TARGET_DB") $LAPOR shell --no-imports -c "
from lapor.reports.models import Report
r = Report.objects.order_by('-id').first()
assert r is not None and r.events.exists(), 'no report with history'
print('   latest report', r.tracking_id, 'with', r.events.count(), 'events: readable')"
echo "OK: row counts and audit checksums match ($SOURCE_DB -> $TARGET_DB)"
