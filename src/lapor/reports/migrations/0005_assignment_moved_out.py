"""``moved_out``: the assignment ended with the report leaving the agency's subtree.

A staff member sees every report ever routed inside their subtree. Those still there are found by
their current agency; those that left (forwarded elsewhere, sent back up, returned to the platform's
queue) through the few assignments flagged here (``assignment_moved_out_idx``, partial). With both,
a search or a selective filter inside a subtree reads only that subtree's reports (see
selectors._scoped_parts) instead of every match in the country or every assignment of the subtree.

Safe on a live 1M-report database and for older code during the upgrade, like 0004: the column is
added with a database default (no rewrite; older code inserting assignments gets false), the backfill
derives the flag from each report's assignment history (the next assignment started when this one
ended, or none: the platform's queue) in batches of report ids, each its own transaction, and the
index is built CONCURRENTLY. Every step can be rerun; rerunning the backfill after older code has
stopped also catches assignments it ended meanwhile.
"""
import logging
import time

from django.db import migrations, models

from lapor.core.pgindex import index_create_concurrently

BATCH = 100_000
log = logging.getLogger("lapor.migrations")

INDEX = models.Index(fields=["agency_path", "-report_submitted_at", "-report"], name="assignment_moved_out_idx",
                     opclasses=["varchar_pattern_ops", "", ""], condition=models.Q(moved_out=True))
PG_INDEX = """CREATE INDEX CONCURRENTLY IF NOT EXISTS assignment_moved_out_idx ON reports_reportassignment
              (agency_path varchar_pattern_ops, report_submitted_at DESC, report_id DESC) WHERE moved_out"""

# An ended assignment moved out unless the next assignment of the same report started at that very
# moment (a forward, disposition or bounce) at a path inside this one's subtree.
MOVED_OUT = """
    UPDATE reports_reportassignment AS a SET moved_out = true
    FROM (SELECT id, lead(agency_path) OVER w AS next_path, lead(assigned_at) OVER w AS next_at
          FROM reports_reportassignment
          WHERE report_id >= %(low)s AND report_id < %(high)s
          WINDOW w AS (PARTITION BY report_id ORDER BY assigned_at, id)) n
    WHERE n.id = a.id AND a.report_id >= %(low)s AND a.report_id < %(high)s
      AND a.ended_at IS NOT NULL AND NOT a.moved_out
      AND NOT (n.next_at IS NOT NULL AND n.next_at = a.ended_at AND substr(n.next_path, 1, length(a.agency_path)) = a.agency_path)
"""


def _field() -> models.BooleanField:
    # RunPython inside SeparateDatabaseAndState sees the model without the new field: build it here
    field = models.BooleanField(default=False, db_default=False, editable=False)
    field.set_attributes_from_name("moved_out")
    return field


def column_add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":  # IF NOT EXISTS: an interrupted run can simply be rerun
        schema_editor.execute("ALTER TABLE reports_reportassignment ADD COLUMN IF NOT EXISTS moved_out boolean NOT NULL DEFAULT false")
        return
    schema_editor.add_field(apps.get_model("reports", "ReportAssignment"), _field())


def column_drop(apps, schema_editor):
    schema_editor.remove_field(apps.get_model("reports", "ReportAssignment"), _field())


def backfill(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(report_id), max(report_id) FROM reports_reportassignment WHERE ended_at IS NOT NULL")
        low, high = cursor.fetchone()
        if low is None:
            return
        started, rows = time.monotonic(), 0
        for start in range(low, high + 1, BATCH):
            sql = MOVED_OUT if connection.vendor == "postgresql" else MOVED_OUT.replace("%(low)s", "%s").replace("%(high)s", "%s")
            params = {"low": start, "high": start + BATCH} if connection.vendor == "postgresql" else [start, start + BATCH] * 2
            cursor.execute(sql, params)
            rows += cursor.rowcount
        log.info("reports 0005: %d assignments flagged moved_out in %.1f s", rows, time.monotonic() - started)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute("ANALYZE reports_reportassignment")


def index_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.add_index(apps.get_model("reports", "ReportAssignment"), INDEX)
        return
    index_create_concurrently(schema_editor, INDEX.name, PG_INDEX, label="reports 0005")


def index_drop(apps, schema_editor):
    schema_editor.remove_index(apps.get_model("reports", "ReportAssignment"), INDEX)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY, and a backfill committed batch by batch

    dependencies = [
        ("reports", "0004_assignment_report_submitted_at"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddField(
                model_name="reportassignment",
                name="moved_out",
                field=models.BooleanField(db_default=False, default=False, editable=False),
            )],
            database_operations=[migrations.RunPython(column_add, column_drop)],
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="reportassignment", index=INDEX)],
            database_operations=[migrations.RunPython(index_create, index_drop)],
        ),
    ]
