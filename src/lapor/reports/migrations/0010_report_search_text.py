"""Search matches what its viewers may see: ``search_text``, the title and body as the public sees
them (personal data masked in every report, an anonymous reporter's name too; reports/searchtext.py),
instead of the raw title and body. Before, ``/api/public/reports?q=<an anonymous reporter's name,
NIK or e-mail>`` returned the report and so confirmed a guess about who filed it.

PostgreSQL: the trigger of 0006 now parses ``search_text`` (not title || body) into the same
``search_vector`` column, read by the same GIN index ``report_search_idx``: the plans do not change.

Safe on a live database like 0006: the column is added with a constant default (no table rewrite);
the trigger is replaced (and enabled ALWAYS, so that a bulk load under
``session_replication_role = replica`` still fills the vector); the backfill computes the masked text in Python and writes it in batches of
report ids, each its own transaction (the trigger re-parses each row's vector as it is written), then
``VACUUM (ANALYZE)``. Until its batch is written a report keeps its old vector. Reports inserted by
older code while the upgrade runs get "" (found by no search, never by their raw text): run
``lapor reports_search_text`` once no older code runs (docs/operations.md, "Upgrades"). Rerunnable.
"""
import logging
import time

from django.db import migrations, models

log = logging.getLogger("lapor.migrations")

TRIGGER_FUNCTION = """CREATE OR REPLACE FUNCTION lapor_report_search_vector() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'INSERT' OR NEW.search_text IS DISTINCT FROM OLD.search_text THEN
        NEW.search_vector := to_tsvector('indonesian'::regconfig, NEW.search_text);
      END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql"""
TRIGGER = [
    "DROP TRIGGER IF EXISTS report_search_vector ON reports_report",
    """CREATE TRIGGER report_search_vector BEFORE INSERT OR UPDATE OF search_text ON reports_report
       FOR EACH ROW EXECUTE FUNCTION lapor_report_search_vector()""",
    # Also under session_replication_role = replica, which the demo generator's bulk load sets to skip
    # foreign-key triggers: before, a generated database of 50,000+ reports had no vectors at all.
    "ALTER TABLE reports_report ENABLE ALWAYS TRIGGER report_search_vector",
]
# 0006's, for the way back
OLD_VECTOR = "to_tsvector('indonesian'::regconfig, ({row}.title || ' ' || {row}.body))"
OLD_TRIGGER_FUNCTION = f"""CREATE OR REPLACE FUNCTION lapor_report_search_vector() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'INSERT' OR NEW.title IS DISTINCT FROM OLD.title OR NEW.body IS DISTINCT FROM OLD.body THEN
        NEW.search_vector := {OLD_VECTOR.format(row="NEW")};
      END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql"""
OLD_TRIGGER = [
    "DROP TRIGGER IF EXISTS report_search_vector ON reports_report",
    """CREATE TRIGGER report_search_vector BEFORE INSERT OR UPDATE OF title, body ON reports_report
       FOR EACH ROW EXECUTE FUNCTION lapor_report_search_vector()""",
]
BATCH = 50_000


def _postgres(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def trigger_swap(apps, schema_editor):
    if _postgres(schema_editor):
        for sql in [TRIGGER_FUNCTION, *TRIGGER]:
            schema_editor.execute(sql)


def trigger_restore(apps, schema_editor):
    """Back to 0006: the vector of title and body again, rebuilt in batches."""
    if not _postgres(schema_editor):
        return
    for sql in [OLD_TRIGGER_FUNCTION, *OLD_TRIGGER]:
        schema_editor.execute(sql)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM reports_report")
        low, high = cursor.fetchone()
        for start in range(low or 0, (high or -1) + 1, BATCH):
            cursor.execute(f"UPDATE reports_report AS r SET search_vector = {OLD_VECTOR.format(row='r')} "
                           "WHERE r.id >= %s AND r.id < %s", [start, start + BATCH])


def backfill(apps, schema_editor):
    from lapor.reports.searchtext import search_text_fill

    started = time.monotonic()
    rows = search_text_fill()
    log.info("reports 0010: search_text filled for %d reports in %.1f s", rows, time.monotonic() - started)
    connection = schema_editor.connection
    if rows and _postgres(schema_editor) and not connection.in_atomic_block:
        with connection.cursor() as cursor:  # every row was rewritten: reclaim and refresh statistics
            cursor.execute("VACUUM (ANALYZE) reports_report")


class Migration(migrations.Migration):
    atomic = False  # a backfill committed batch by batch, VACUUM

    dependencies = [
        ("reports", "0009_index_diet"),
    ]

    operations = [
        migrations.AddField(
            model_name="report", name="search_text",
            field=models.TextField(blank=True, db_default="", default="", editable=False),
        ),
        migrations.RunPython(trigger_swap, trigger_restore),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
