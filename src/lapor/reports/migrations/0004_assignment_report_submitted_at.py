"""The staff inbox index: every assignment carries its report's submission time.

A scoped staff member sees the reports ever routed inside their subtree (selectors.report_visible_q).
With ``report_submitted_at`` on the assignment, the newest of those come straight out of
``assignment_inbox_idx`` (agency_path, report_submitted_at DESC, report_id DESC), one short index
range per agency of the subtree, instead of joining and sorting every assignment the subtree ever had.

Safe on a live 1M-report database, and for older code still running during the upgrade:
1. ADD COLUMN IF NOT EXISTS, nullable, no default: a catalogue change, no table rewrite; every step
   can be rerun, so an interrupted migration is simply started again. Older code keeps inserting
   assignments without it; the inbox reads such rows through the small partial index
   ``assignment_unsorted_idx`` (report_submitted_at IS NULL), so nothing goes missing.
2. Backfill with UPDATE … FROM reports_report, one statement per range of BATCH report ids, each its
   own transaction (this migration is not atomic), so row locks are short and a failure resumes
   where it stopped (only NULL rows are touched; running it again is harmless). Then VACUUM ANALYZE.
3. The indexes: CREATE INDEX CONCURRENTLY on PostgreSQL (writes continue); plain on SQLite.
"""
import logging
import time

from django.db import migrations, models

from lapor.core.pgindex import index_create_concurrently

BATCH = 100_000
log = logging.getLogger("lapor.migrations")

INDEXES = [
    models.Index(fields=["agency_path", "-report_submitted_at", "-report"], name="assignment_inbox_idx",
                 opclasses=["varchar_pattern_ops", "", ""]),
    models.Index(fields=["agency_path", "report"], name="assignment_unsorted_idx",
                 opclasses=["varchar_pattern_ops", ""], condition=models.Q(report_submitted_at__isnull=True)),
]
PG_INDEXES = [
    """CREATE INDEX CONCURRENTLY IF NOT EXISTS assignment_inbox_idx ON reports_reportassignment
       (agency_path varchar_pattern_ops, report_submitted_at DESC, report_id DESC)""",
    """CREATE INDEX CONCURRENTLY IF NOT EXISTS assignment_unsorted_idx ON reports_reportassignment
       (agency_path varchar_pattern_ops, report_id) WHERE report_submitted_at IS NULL""",
]


def column_add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":  # IF NOT EXISTS: an interrupted run can simply be rerun
        schema_editor.execute("ALTER TABLE reports_reportassignment ADD COLUMN IF NOT EXISTS report_submitted_at timestamptz NULL")
        return
    schema_editor.add_field(apps.get_model("reports", "ReportAssignment"), _column())


def column_drop(apps, schema_editor):
    schema_editor.remove_field(apps.get_model("reports", "ReportAssignment"), _column())


def _column() -> models.DateTimeField:
    # RunPython inside SeparateDatabaseAndState sees the model without the new field: build it here
    field = models.DateTimeField(blank=True, editable=False, null=True)
    field.set_attributes_from_name("report_submitted_at")
    return field


def backfill(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("""UPDATE reports_reportassignment SET report_submitted_at =
                              (SELECT submitted_at FROM reports_report r WHERE r.id = reports_reportassignment.report_id)
                              WHERE report_submitted_at IS NULL""")
            return
        cursor.execute("SELECT min(report_id), max(report_id) FROM reports_reportassignment WHERE report_submitted_at IS NULL")
        low, high = cursor.fetchone()
        if low is None:
            return
        started, rows = time.monotonic(), 0
        for start in range(low, high + 1, BATCH):
            cursor.execute("""UPDATE reports_reportassignment a SET report_submitted_at = r.submitted_at
                              FROM reports_report r
                              WHERE r.id = a.report_id AND a.report_submitted_at IS NULL
                                AND r.id >= %s AND r.id < %s AND a.report_id >= %s AND a.report_id < %s""",
                           [start, start + BATCH, start, start + BATCH])
            rows += cursor.rowcount
        log.info("reports 0004: report_submitted_at filled on %d assignments in %.1f s", rows, time.monotonic() - started)
        started = time.monotonic()
        # every row got a new version: clear the old ones (index-only scans need the visibility map)
        # and give the planner statistics for the new column; not left to autovacuum's schedule
        if not connection.in_atomic_block:  # (a test calling this inside its transaction skips it)
            cursor.execute("VACUUM (ANALYZE) reports_reportassignment")
            log.info("reports 0004: VACUUM ANALYZE in %.1f s", time.monotonic() - started)


def indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index, sql in zip(INDEXES, PG_INDEXES):
            index_create_concurrently(schema_editor, index.name, sql, label="reports 0004")
        return
    model = apps.get_model("reports", "ReportAssignment")
    for index in INDEXES:
        schema_editor.add_index(model, index)


def indexes_drop(apps, schema_editor):
    model = apps.get_model("reports", "ReportAssignment")
    for index in INDEXES:
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY, and a backfill committed batch by batch

    dependencies = [
        ("agencies", "0001_initial"),
        ("reports", "0003_guest_sender_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddField(
                model_name="reportassignment",
                name="report_submitted_at",
                field=models.DateTimeField(blank=True, editable=False, null=True),
            )],
            database_operations=[migrations.RunPython(column_add, column_drop)],
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="reportassignment", index=index) for index in INDEXES],
            database_operations=[migrations.RunPython(indexes_create, indexes_drop)],
        ),
    ]
