"""PostgreSQL keeps each report's parsed search_text in search_vector (migrations 0006, 0010): written
on insert and whenever the text changes, never stale, and the backfill fills rows older code left empty."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection

from lapor.reports import selectors as sel
from lapor.reports import services as s
from lapor.reports.models import Report

pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only")


def _stale() -> list[int]:
    """Reports whose stored vector differs from parsing their text now."""
    with connection.cursor() as cursor:
        cursor.execute("""SELECT id FROM reports_report WHERE search_vector IS NULL
                          OR search_vector <> to_tsvector('indonesian'::regconfig, search_text) ORDER BY id""")
        return [row[0] for row in cursor.fetchall()]


def _submit(title: str) -> Report:
    report, _secret = s.report_submit(
        submission=s.Submission(
            title=title,
            body=f"{title}. Mohon segera ditindaklanjuti oleh dinas terkait.",
            guest_email="warga@contoh.example",
        )
    )
    return report


def _found(q: str) -> set[int]:
    return set(sel.report_search(Report.objects.all(), q).values_list("id", flat=True))


def test_insert_and_text_change_keep_the_vector_and_search_current(net):
    drain, lamp = _submit("Saluran air tersumbat"), _submit("Lampu jalan padam")
    assert _stale() == []
    assert _found("saluran") == {drain.pk}

    drain.title, drain.body = "Jembatan retak", "Jembatan kayu di desa retak parah."
    drain.save(update_fields=["title", "body"])
    assert _stale() == []
    assert _found("saluran") == set()
    assert _found("jembatan") == {drain.pk}

    assert _found("lampu") == {lamp.pk}


def test_a_save_that_leaves_the_text_alone_does_not_parse_it_again(net):
    """Django's save() writes every column, search_text included: the trigger compares the text."""
    report = _submit("Lampu jalan padam")
    with connection.cursor() as cursor:  # a marker only a re-parse would overwrite
        cursor.execute(
            "UPDATE reports_report SET search_vector = to_tsvector('simple', 'penanda') WHERE id = %s", [report.pk]
        )
    report.refresh_from_db()
    report.state = "routed"
    report.save()  # UPDATE … SET title = …, body = …, search_text = …, state = … with the same text
    assert _stale() == [report.pk]  # still the marker: not parsed again
    report.body = "Lampu jalan padam sejak seminggu, gang gelap di malam hari."
    report.save()
    assert _stale() == []
    assert _found("gelap") == {report.pk}


def test_the_migration_backfill_fills_what_older_code_left_empty(net):
    reports = [_submit(f"Sampah menumpuk di pasar {i}") for i in range(3)]
    with connection.cursor() as cursor:  # as if written before the trigger existed
        cursor.execute("UPDATE reports_report SET search_vector = NULL WHERE id <> %s", [reports[0].pk])
    assert _stale() == sorted(r.pk for r in reports[1:])

    editor = SimpleNamespace(connection=connection)  # what a backfill reads of the schema editor
    importlib.import_module("lapor.reports.migrations.0006_report_search_vector").backfill(None, editor)
    assert _stale() == []
    with connection.cursor() as cursor:  # as if inserted by code older than 0010
        cursor.execute("UPDATE reports_report SET search_text = '' WHERE id <> %s", [reports[0].pk])
    assert _found("sampah") == {reports[0].pk}  # found by no search until filled: never by the raw text
    importlib.import_module("lapor.reports.migrations.0010_report_search_text").backfill(None, editor)
    assert _stale() == []
    assert _found("sampah") == {r.pk for r in reports}


def test_the_old_expression_index_is_gone_and_the_column_is_indexed(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'reports_report'")
        indexes = dict(cursor.fetchall())
    assert "report_fts_idx" not in indexes
    assert "gin (search_vector)" in indexes["report_search_idx"]


def test_the_trigger_also_fills_the_vector_of_a_bulk_load_that_skips_triggers(net):
    """The demo generator loads 50,000+ reports with session_replication_role = replica (no FK triggers)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgenabled FROM pg_trigger WHERE tgname = 'report_search_vector'")
        assert cursor.fetchone()[0] == "A"
        cursor.execute("SET session_replication_role = replica")
        try:
            report = _submit("Sampah menumpuk di pasar")
        finally:
            cursor.execute("RESET session_replication_role")
    assert _stale() == []
    assert _found("sampah") == {report.pk}
