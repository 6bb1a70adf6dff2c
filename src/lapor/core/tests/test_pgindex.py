"""index_create_concurrently: an index left invalid by an interrupted concurrent build is built again
(CREATE INDEX … IF NOT EXISTS alone would keep the invalid one and report success)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection, utils

from lapor.core.pgindex import index_create_concurrently

pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only")


def _valid(name: str) -> bool | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = %s", [name]
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


@pytest.mark.django_db(transaction=True)  # CONCURRENTLY cannot run inside a transaction
def test_an_invalid_leftover_is_dropped_and_built_again():
    editor = SimpleNamespace(connection=connection, execute=lambda sql: connection.cursor().execute(sql))
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE pgindex_probe (n int)")
        try:
            cursor.execute("INSERT INTO pgindex_probe VALUES (1), (1)")
            with pytest.raises(utils.IntegrityError):  # a failed concurrent build leaves an invalid index
                cursor.execute("CREATE UNIQUE INDEX CONCURRENTLY pgindex_probe_idx ON pgindex_probe (n)")
            assert _valid("pgindex_probe_idx") is False
            index_create_concurrently(
                editor,
                "pgindex_probe_idx",
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS pgindex_probe_idx ON pgindex_probe (n)",
                label="test",
            )
            assert _valid("pgindex_probe_idx") is True
        finally:
            cursor.execute("DROP TABLE pgindex_probe")
