"""The deadline of the peer deployment that holds a report we forwarded (partners/federation.py,
docs/federation.md step 6a): ``peer_due_at`` and the peer's name.

The staff inbox's "late" tab and its counts now also take a report whose peer deadline passed
(reports.selectors.peer_late_q), so ``report_open_due_idx`` (migration 0008) INCLUDEs
``peer_due_at`` too: the counts stay an index-only scan. Built CONCURRENTLY under a new name,
then the old one dropped and the new one renamed: the inbox keeps an index throughout.
"""

from django.db import migrations, models

from lapor.core.pgindex import index_create_concurrently

NAME, BUILDING = "report_open_due_idx", "report_open_due_peer_idx"
OPEN_STATES = ("submitted", "routed", "in_progress", "followed_up", "postponed")


def _create(name: str, include: str) -> str:
    return (
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON reports_report "
        f"(due_at ASC NULLS LAST, submitted_at DESC, id DESC) INCLUDE ({include}) "
        "WHERE state IN (" + ", ".join(f"'{s}'" for s in OPEN_STATES) + ")"
    )


def _swap(schema_editor, include: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    index_create_concurrently(schema_editor, BUILDING, _create(BUILDING, include), label="reports 0016")
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")
    schema_editor.execute(f"ALTER INDEX {BUILDING} RENAME TO {NAME}")


def index_with_peer_due(apps, schema_editor):
    _swap(schema_editor, "state, is_overdue, escalation_level, agency_id, peer_due_at")


def index_without_peer_due(apps, schema_editor):
    _swap(schema_editor, "state, is_overdue, escalation_level, agency_id")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY

    dependencies = [
        ("reports", "0015_tidy_assignment_submitted_not_null"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="peer_due_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="report",
            name="peer_due_name",
            field=models.CharField(blank=True, db_default="", default="", max_length=150),
        ),
        migrations.RunPython(index_with_peer_due, index_without_peer_due),
    ]
