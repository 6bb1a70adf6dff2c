"""PostgreSQL: the report's full-text vector stored in a column, kept by a trigger, indexed by GIN.

Before, the GIN index was built on the expression ``to_tsvector('indonesian', title || ' ' || body)``:
every query that had to look at a matching row again (a recheck, a rank, a scan when most rows match)
parsed the text anew (~70 µs a report), and every new row version written by a state change parsed it
once more for the index. Now ``search_vector`` holds the parsed vector: written when a report is
inserted or its title/body change (trigger ``report_search_vector``; Django's save() lists every
column, so the function itself compares the text and leaves the vector alone when it did not change),
read by the GIN index ``report_search_idx`` and by selectors.FTS_EXPRESSION.

The column is not part of the Django model: only PostgreSQL has it, no Python code writes it.

Safe on a live 1M-report database and for older code during the upgrade, like 0004/0005: the column is
added without a default (no table rewrite), the trigger fills it for every row written from then on
(also by older code), the backfill fills older rows in batches of report ids, each its own transaction,
while the old expression index keeps serving searches; then the new index is built CONCURRENTLY.
The old index stays, for older code still running during the upgrade: 0007 drops it. Every step can
be rerun.
"""
import logging
import time

from django.db import migrations

from lapor.core.pgindex import index_create_concurrently

BATCH = 50_000
log = logging.getLogger("lapor.migrations")

VECTOR = "to_tsvector('indonesian'::regconfig, ({row}.title || ' ' || {row}.body))"

COLUMN_ADD = "ALTER TABLE reports_report ADD COLUMN IF NOT EXISTS search_vector tsvector"
TRIGGER_ADD = [
    f"""CREATE OR REPLACE FUNCTION lapor_report_search_vector() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'INSERT' OR NEW.title IS DISTINCT FROM OLD.title OR NEW.body IS DISTINCT FROM OLD.body THEN
            NEW.search_vector := {VECTOR.format(row="NEW")};
          END IF;
          RETURN NEW;
        END; $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS report_search_vector ON reports_report",
    """CREATE TRIGGER report_search_vector BEFORE INSERT OR UPDATE OF title, body ON reports_report
       FOR EACH ROW EXECUTE FUNCTION lapor_report_search_vector()""",
]
BACKFILL = (f"UPDATE reports_report AS r SET search_vector = {VECTOR.format(row='r')} "
            "WHERE r.id >= %s AND r.id < %s AND r.search_vector IS NULL")
INDEX_NEW = "report_search_idx"


def _postgres(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def column_and_trigger_add(apps, schema_editor):
    if not _postgres(schema_editor):
        return
    schema_editor.execute(COLUMN_ADD)
    for sql in TRIGGER_ADD:
        schema_editor.execute(sql)


def column_and_trigger_drop(apps, schema_editor):
    if not _postgres(schema_editor):
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS report_search_vector ON reports_report")
    schema_editor.execute("DROP FUNCTION IF EXISTS lapor_report_search_vector()")
    schema_editor.execute("ALTER TABLE reports_report DROP COLUMN IF EXISTS search_vector")


def backfill(apps, schema_editor):
    if not _postgres(schema_editor):
        return
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM reports_report WHERE search_vector IS NULL")
        low, high = cursor.fetchone()
        if low is None:
            return
        started, rows = time.monotonic(), 0
        for start in range(low, high + 1, BATCH):
            cursor.execute(BACKFILL, [start, start + BATCH])
            rows += cursor.rowcount
        log.info("reports 0006: search_vector filled for %d reports in %.1f s", rows, time.monotonic() - started)
        if not connection.in_atomic_block:  # the backfill rewrote every row: reclaim and refresh statistics
            cursor.execute("VACUUM (ANALYZE) reports_report")


def index_create(apps, schema_editor):
    if _postgres(schema_editor):
        index_create_concurrently(schema_editor, INDEX_NEW, f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX_NEW} "
                                  "ON reports_report USING gin (search_vector)", label="reports 0006")


def index_drop(apps, schema_editor):
    if _postgres(schema_editor):
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX_NEW}")


class Migration(migrations.Migration):
    atomic = False  # a backfill committed batch by batch, CREATE/DROP INDEX CONCURRENTLY, VACUUM

    dependencies = [
        ("reports", "0005_assignment_moved_out"),
    ]

    operations = [
        migrations.RunPython(column_and_trigger_add, column_and_trigger_drop),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(index_create, index_drop),
    ]
