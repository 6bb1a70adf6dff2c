"""PostgreSQL: drop the full-text GIN index on the expression (migration 0002), replaced by
``report_search_idx`` on the stored ``search_vector`` (0006).

Code older than 0006 searches the expression and would scan every report without this index, so on a
live upgrade apply it only once every web and worker process runs the new code
(docs/operations.md, "Upgrades"): ``lapor migrate reports 0006``, roll the processes, then
``lapor migrate``. Dropped CONCURRENTLY: searches and submissions go on meanwhile.
"""
from django.db import migrations

from lapor.core.pgindex import index_create_concurrently

INDEX_OLD = "report_fts_idx"
INDEX_OLD_SQL = (f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX_OLD} ON reports_report "
                 "USING gin (to_tsvector('indonesian'::regconfig, (\"title\" || ' ' || \"body\")))")


def index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX_OLD}")


def index_restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        index_create_concurrently(schema_editor, INDEX_OLD, INDEX_OLD_SQL, label="reports 0007 (reversed)")


class Migration(migrations.Migration):
    atomic = False  # DROP/CREATE INDEX CONCURRENTLY

    dependencies = [
        ("reports", "0006_report_search_vector"),
    ]

    operations = [
        migrations.RunPython(index_drop, index_restore),
    ]
