"""Index diet: fewer indexes on the tables every submission writes (reports, events, assignments,
outbox), so each INSERT maintains fewer btrees and the planner weighs fewer paths per query.

Dropped, because a composite index leads with the same column (equality, ranges, ORDER BY and the
FK checks of a PROTECT/CASCADE/SET_NULL delete all use a leading column):
- reports_report: agency_id (report_agency_state_idx), reporter_id (report_reporter_idx),
  topic_id (report_topic_idx), submitted_at (report_submitted_idx, read backwards for ascending).
- reports_reportevent.report_id (event_report_idx), reports_reportassignment.report_id
  (assignment_report_idx).
Dropped, because no query needs them:
- reports_report.channel and its _like: equality filters only, on 13 values (the rarest ~1 % of
  reports) that the newest-first walk of report_submitted_idx finds as cheaply; no LIKE on channel.
- reports_report.tracking_id_like and notifications_outboxmessage.dedupe_key_like: only equality
  (and IN), which the unique constraint's index answers; the admin's tracking-id search is
  UPPER(…) LIKE '%…%', which no btree answers.
Replaced:
- report_region_idx, region_id and region_id_like → report_region_prefix_idx (region_id
  varchar_pattern_ops, submitted_at): one index for equality, the FK check and the region subtree
  prefix (analytics region_q: region_id LIKE '13.74.%') on a database whose collation is not C.
- target_agency_id, duplicate_of_id (reports), previous_id (assignments), actor_id (events):
  partial WHERE … IS NOT NULL. The columns are almost always NULL; ``col = $1`` and ``col IN (…)``
  (FK checks, Django's PROTECT/SET_NULL collection) imply NOT NULL, so the partial index serves them.
Kept, though a submission writes them: reportevent.created_at (analytics months_touched and
connectivity read recent events by it), reportevent.agency_id, reportassignment.agency_id (PROTECT
when an agency goes), outbox and idempotency report_id (CASCADE/SET_NULL if a report were deleted).

PostgreSQL: the new indexes are built CONCURRENTLY first, then the old ones dropped CONCURRENTLY,
so submissions and the staff inbox go on and no query is ever left without its index. Django's
state changes alone (SeparateDatabaseAndState); SQLite gets the same indexes with plain DDL.
"""
import logging
import time

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from lapor.core.pgindex import index_create_concurrently

log = logging.getLogger("lapor.migrations")

# (name, PostgreSQL CREATE … ON, SQLite's: "same", or its own)
NEW = [
    ("report_region_prefix_idx",
     "ON reports_report (region_id varchar_pattern_ops, submitted_at)", "ON reports_report (region_id, submitted_at)"),
    ("report_target_agency_idx", "ON reports_report (target_agency_id) WHERE target_agency_id IS NOT NULL", "same"),
    ("report_duplicate_of_idx", "ON reports_report (duplicate_of_id) WHERE duplicate_of_id IS NOT NULL", "same"),
    ("assignment_previous_idx", "ON reports_reportassignment (previous_id) WHERE previous_id IS NOT NULL", "same"),
    ("event_actor_idx", "ON reports_reportevent (actor_id) WHERE actor_id IS NOT NULL", "same"),
]
# (name, PostgreSQL CREATE to restore it, SQLite CREATE or None where SQLite never had it)
OLD = [
    ("report_region_idx", "ON reports_report (region_id, submitted_at)", "same"),
    ("reports_report_agency_id_fe64f2a4", "ON reports_report (agency_id)", "same"),
    ("reports_report_reporter_id_d54be306", "ON reports_report (reporter_id)", "same"),
    ("reports_report_topic_id_b63b20a6", "ON reports_report (topic_id)", "same"),
    ("reports_report_submitted_at_71376155", "ON reports_report (submitted_at)", "same"),
    ("reports_report_region_id_b9529c1f", "ON reports_report (region_id)", "same"),
    ("reports_report_region_id_b9529c1f_like", "ON reports_report (region_id varchar_pattern_ops)", None),
    ("reports_report_channel_7e78f2e5", "ON reports_report (channel)", "same"),
    ("reports_report_channel_7e78f2e5_like", "ON reports_report (channel varchar_pattern_ops)", None),
    ("reports_report_tracking_id_7c8f5cdf_like", "ON reports_report (tracking_id varchar_pattern_ops)", None),
    ("reports_report_target_agency_id_3912b89e", "ON reports_report (target_agency_id)", "same"),
    ("reports_report_duplicate_of_id_61348c9b", "ON reports_report (duplicate_of_id)", "same"),
    ("reports_reportevent_report_id_5031d186", "ON reports_reportevent (report_id)", "same"),
    ("reports_reportevent_actor_id_66a03e55", "ON reports_reportevent (actor_id)", "same"),
    ("reports_reportassignment_report_id_134a5195", "ON reports_reportassignment (report_id)", "same"),
    ("reports_reportassignment_previous_id_0d1fe0b3", "ON reports_reportassignment (previous_id)", "same"),
    ("notifications_outboxmessage_dedupe_key_fafab016_like",
     "ON notifications_outboxmessage (dedupe_key varchar_pattern_ops)", None),
]


def _build(schema_editor, indexes, label: str) -> None:
    pg = schema_editor.connection.vendor == "postgresql"
    for name, pg_sql, sqlite_sql in indexes:
        if pg:
            index_create_concurrently(schema_editor, name, f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} {pg_sql}",
                                      label=label)
        elif sqlite_sql:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {pg_sql if sqlite_sql == 'same' else sqlite_sql}")


def _drop(schema_editor, indexes, label: str) -> None:
    pg = schema_editor.connection.vendor == "postgresql"
    started = time.monotonic()
    for name, _pg_sql, _sqlite_sql in indexes:
        schema_editor.execute(f"DROP INDEX {'CONCURRENTLY ' if pg else ''}IF EXISTS {name}")
    log.info("%s: %d indexes dropped in %.1f s", label, len(indexes), time.monotonic() - started)


def forwards(apps, schema_editor):
    _build(schema_editor, NEW, "reports 0009")
    _drop(schema_editor, OLD, "reports 0009")


def backwards(apps, schema_editor):
    _build(schema_editor, OLD, "reports 0009 (reversed)")
    _drop(schema_editor, NEW, "reports 0009 (reversed)")


def _fk(**kwargs):
    return models.ForeignKey(db_index=False, **kwargs)


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY

    dependencies = [
        ("agencies", "0001_initial"),
        ("notifications", "0001_initial"),  # drops an outbox index too
        ("reports", "0008_report_open_due_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.RemoveIndex(model_name="report", name="report_region_idx"),
                migrations.AlterField(
                    model_name="report", name="agency",
                    field=_fk(blank=True, help_text="Instansi yang menangani saat ini", null=True,
                              on_delete=django.db.models.deletion.PROTECT, related_name="reports", to="agencies.agency"),
                ),
                migrations.AlterField(
                    model_name="report", name="channel",
                    field=models.CharField(choices=[("web", "Situs web"), ("mobile", "Aplikasi seluler"), ("sms", "SMS 1708"),
                                                    ("email", "E-mail"), ("social", "Media sosial"), ("counter", "Loket layanan"),
                                                    ("call_centre", "Call centre 112"), ("letter", "Surat"),
                                                    ("aspiration_house", "Rumah aspirasi"), ("partner", "Sistem mitra"),
                                                    ("open311", "Open311"), ("federation", "Instansi lain (federasi)"),
                                                    ("api", "API")], default="web", max_length=20),
                ),
                migrations.AlterField(
                    model_name="report", name="duplicate_of",
                    field=_fk(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                              related_name="duplicates", to="reports.report"),
                ),
                migrations.AlterField(
                    model_name="report", name="region",
                    field=_fk(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="reports",
                              to="agencies.region"),
                ),
                migrations.AlterField(
                    model_name="report", name="reporter",
                    field=_fk(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="reports",
                              to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(model_name="report", name="submitted_at", field=models.DateTimeField()),
                migrations.AlterField(
                    model_name="report", name="target_agency",
                    field=_fk(blank=True, help_text="Instansi tujuan pilihan pelapor (opsional)", null=True,
                              on_delete=django.db.models.deletion.PROTECT, related_name="targeted_reports",
                              to="agencies.agency"),
                ),
                migrations.AlterField(
                    model_name="report", name="topic",
                    field=_fk(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="reports",
                              to="agencies.topic"),
                ),
                migrations.AlterField(
                    model_name="reportassignment", name="previous",
                    field=_fk(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                              to="reports.reportassignment"),
                ),
                migrations.AlterField(
                    model_name="reportassignment", name="report",
                    field=_fk(on_delete=django.db.models.deletion.CASCADE, related_name="assignments", to="reports.report"),
                ),
                migrations.AlterField(
                    model_name="reportevent", name="actor",
                    field=_fk(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                              to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name="reportevent", name="report",
                    field=_fk(on_delete=django.db.models.deletion.PROTECT, related_name="events", to="reports.report"),
                ),
                migrations.AddIndex(
                    model_name="report",
                    index=models.Index(fields=["region", "submitted_at"], name="report_region_prefix_idx",
                                       opclasses=["varchar_pattern_ops", ""]),
                ),
                migrations.AddIndex(
                    model_name="report",
                    index=models.Index(condition=models.Q(("target_agency__isnull", False)), fields=["target_agency"],
                                       name="report_target_agency_idx"),
                ),
                migrations.AddIndex(
                    model_name="report",
                    index=models.Index(condition=models.Q(("duplicate_of__isnull", False)), fields=["duplicate_of"],
                                       name="report_duplicate_of_idx"),
                ),
                migrations.AddIndex(
                    model_name="reportassignment",
                    index=models.Index(condition=models.Q(("previous__isnull", False)), fields=["previous"],
                                       name="assignment_previous_idx"),
                ),
                migrations.AddIndex(
                    model_name="reportevent",
                    index=models.Index(condition=models.Q(("actor__isnull", False)), fields=["actor"], name="event_actor_idx"),
                ),
            ],
        ),
    ]
