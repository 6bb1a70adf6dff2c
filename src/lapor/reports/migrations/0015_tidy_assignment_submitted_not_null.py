"""Every assignment carries its report's submission time: ``report_submitted_at`` becomes NOT NULL.

Migration 0004 left the column nullable for code older than it, still running during that upgrade,
which inserted assignments without it; the staff inbox read those through ``assignment_unsorted_idx``
(report_submitted_at IS NULL). Every release since 0004 fills the column on save (ReportAssignment.save),
the demo generator and the bench write it, so nothing writes NULL any more: the rows left are filled
from their report (as the model does), the column is made NOT NULL, and the partial index goes.
Upgrading from before 0004 while code of that age keeps running is not supported by this step (its
inserts would be refused): upgrade to a release between 0004 and this one first, as for 0004 itself.

Safe on a live 1M-report database, like 0004: not atomic, every step can be rerun.
1. Fill what is NULL, one statement per range of BATCH report ids, each its own transaction.
2. PostgreSQL: NOT NULL without holding an exclusive lock over a full scan: a CHECK constraint added
   NOT VALID (instant), validated under a lock that lets reads and writes go on, then SET NOT NULL
   (PostgreSQL 12+ takes the validated constraint as proof and skips the scan), then the CHECK dropped.
   SQLite: the table is rebuilt (schema_editor.alter_field).
3. DROP INDEX CONCURRENTLY assignment_unsorted_idx on PostgreSQL (writes continue); plain on SQLite.
"""

import logging
import time

from django.db import migrations, models

from lapor.core.pgindex import index_create_concurrently

BATCH = 100_000
CHECK = "assignment_submitted_not_null"
log = logging.getLogger("lapor.migrations")

UNSORTED = models.Index(
    fields=["agency_path", "report"],
    name="assignment_unsorted_idx",
    opclasses=["varchar_pattern_ops", ""],
    condition=models.Q(report_submitted_at__isnull=True),
)
PG_UNSORTED = """CREATE INDEX CONCURRENTLY IF NOT EXISTS assignment_unsorted_idx ON reports_reportassignment
                 (agency_path varchar_pattern_ops, report_id) WHERE report_submitted_at IS NULL"""


def fill(apps, schema_editor):
    """Each assignment's report_submitted_at from its report, where it is NULL (rerunnable)."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(report_id), max(report_id) FROM reports_reportassignment WHERE report_submitted_at IS NULL")
        low, high = cursor.fetchone()
        if low is None:
            return
        started, rows = time.monotonic(), 0
        for start in range(low, high + 1, BATCH):
            cursor.execute("""UPDATE reports_reportassignment SET report_submitted_at =
                              (SELECT submitted_at FROM reports_report r WHERE r.id = reports_reportassignment.report_id)
                              WHERE report_submitted_at IS NULL AND report_id >= %s AND report_id < %s""",
                           [start, start + BATCH])
            rows += cursor.rowcount
        log.info("reports 0015: report_submitted_at filled on %d assignments in %.1f s", rows, time.monotonic() - started)


def _fields(apps):
    model = apps.get_model("reports", "ReportAssignment")
    nullable = model._meta.get_field("report_submitted_at")
    required = models.DateTimeField(editable=False)
    required.set_attributes_from_name("report_submitted_at")
    required.model = model
    return model, nullable, required


def not_null_set(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        model, nullable, required = _fields(apps)
        schema_editor.alter_field(model, nullable, required)
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_constraint WHERE conname = %s", [CHECK])
        exists = cursor.fetchone() is not None
    if not exists:
        schema_editor.execute(f"ALTER TABLE reports_reportassignment ADD CONSTRAINT {CHECK} "
                              "CHECK (report_submitted_at IS NOT NULL) NOT VALID")
    started = time.monotonic()
    schema_editor.execute(f"ALTER TABLE reports_reportassignment VALIDATE CONSTRAINT {CHECK}")
    schema_editor.execute("ALTER TABLE reports_reportassignment ALTER COLUMN report_submitted_at SET NOT NULL")
    schema_editor.execute(f"ALTER TABLE reports_reportassignment DROP CONSTRAINT IF EXISTS {CHECK}")
    log.info("reports 0015: report_submitted_at NOT NULL in %.1f s", time.monotonic() - started)


def not_null_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        model, nullable, required = _fields(apps)
        schema_editor.alter_field(model, required, nullable)
        return
    schema_editor.execute("ALTER TABLE reports_reportassignment ALTER COLUMN report_submitted_at DROP NOT NULL")


def unsorted_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS assignment_unsorted_idx")
        return
    schema_editor.remove_index(apps.get_model("reports", "ReportAssignment"), UNSORTED)


def unsorted_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        index_create_concurrently(schema_editor, UNSORTED.name, PG_UNSORTED, label="reports 0015 (reversed)")
        return
    schema_editor.add_index(apps.get_model("reports", "ReportAssignment"), UNSORTED)


class Migration(migrations.Migration):
    atomic = False  # a fill committed batch by batch, VALIDATE without a long lock, DROP INDEX CONCURRENTLY

    dependencies = [
        ("reports", "0014_calwa_event_kinds"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveIndex(model_name="reportassignment", name="assignment_unsorted_idx")],
            database_operations=[migrations.RunPython(unsorted_drop, unsorted_create)],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(
                model_name="reportassignment",
                name="report_submitted_at",
                field=models.DateTimeField(editable=False),
            )],
            database_operations=[migrations.RunPython(not_null_set, not_null_drop)],
        ),
    ]
