"""PostgreSQL: the open reports in deadline order, with what the staff inbox counts.

``report_open_due_idx`` is partial (open reports only: a few percent of the table) and ordered as
the staff inbox's work tabs are (web.selectors.inbox_order: due_at first, nulls last, then newest),
so a national tab reads its first 100 rows from the index instead of sorting ~55,000 open reports;
it INCLUDEs state, is_overdue, escalation_level and agency_id, so the tab counts
(web.selectors.inbox_counts) are an index-only scan instead of reading ~30,000 heap pages.
Measured on 1,000,000 reports (docs/benchmarks.md): the platform admin's inbox 125–372 ms → ~20 ms.

The states must be lifecycle.OPEN_STATES (reports/tests/test_open_due_index.py checks it). Built
CONCURRENTLY: submissions go on meanwhile. Not a model index: Django cannot express INCLUDE on
SQLite, where the inbox is small anyway.
"""
from django.db import migrations

from lapor.core.pgindex import index_create_concurrently

NAME = "report_open_due_idx"
OPEN_STATES = ("submitted", "routed", "in_progress", "followed_up", "postponed")
CREATE = (f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON reports_report "
          "(due_at ASC NULLS LAST, submitted_at DESC, id DESC) INCLUDE (state, is_overdue, escalation_level, agency_id) "
          "WHERE state IN (" + ", ".join(f"'{s}'" for s in OPEN_STATES) + ")")


def index_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        index_create_concurrently(schema_editor, NAME, CREATE, label="reports 0008")


def index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY

    dependencies = [
        ("reports", "0007_drop_report_fts_expression_index"),
    ]

    operations = [
        migrations.RunPython(index_create, index_drop),
    ]
