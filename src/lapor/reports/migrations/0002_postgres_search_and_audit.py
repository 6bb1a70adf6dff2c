"""Database-level guarantees the ORM cannot express portably.

PostgreSQL: full-text GIN index with the built-in ``indonesian`` configuration (the expression
must match selectors.FTS_EXPRESSION), prefix-friendly indexes for materialised paths, and
triggers that make audit events append-only even for raw SQL.
SQLite: the UPDATE trigger only (Django's test flush deletes rows on SQLite).
"""
from django.db import migrations

PG_FORWARD = [
    """CREATE INDEX IF NOT EXISTS report_fts_idx ON reports_report
       USING gin (to_tsvector('indonesian'::regconfig, ("title" || ' ' || "body")))""",
    "CREATE INDEX IF NOT EXISTS agency_path_prefix_idx ON agencies_agency (path varchar_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS topic_path_prefix_idx ON agencies_topic (path varchar_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS region_code_prefix_idx ON agencies_region (code varchar_pattern_ops)",
    """CREATE INDEX IF NOT EXISTS assignment_path_prefix_idx ON reports_reportassignment
       (agency_path varchar_pattern_ops, report_id)""",
    """CREATE OR REPLACE FUNCTION lapor_event_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER report_event_append_only BEFORE UPDATE OR DELETE ON reports_reportevent
       FOR EACH ROW EXECUTE FUNCTION lapor_event_append_only()""",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS report_event_append_only ON reports_reportevent",
    "DROP FUNCTION IF EXISTS lapor_event_append_only()",
    "DROP INDEX IF EXISTS assignment_path_prefix_idx",
    "DROP INDEX IF EXISTS region_code_prefix_idx",
    "DROP INDEX IF EXISTS topic_path_prefix_idx",
    "DROP INDEX IF EXISTS agency_path_prefix_idx",
    "DROP INDEX IF EXISTS report_fts_idx",
]
SQLITE_FORWARD = [
    """CREATE TRIGGER IF NOT EXISTS report_event_append_only BEFORE UPDATE ON reports_reportevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS report_event_append_only"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("agencies", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
