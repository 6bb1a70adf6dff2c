"""Online index builds for migrations on a live PostgreSQL database (CREATE INDEX CONCURRENTLY).

Used by migrations, so it must stay free of models and keep its behaviour: a migration applied
years from now calls it as it is then.
"""

from __future__ import annotations

import logging
import time

log = logging.getLogger("lapor.migrations")


def index_create_concurrently(schema_editor, name: str, sql: str, *, label: str) -> None:
    """Run ``sql`` (a ``CREATE INDEX CONCURRENTLY IF NOT EXISTS <name> …``). An interrupted concurrent
    build leaves an invalid index behind, which IF NOT EXISTS would keep: it is dropped and built again."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = %s", [name]
        )
        row = cursor.fetchone()
    if row is not None and not row[0]:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    started = time.monotonic()
    schema_editor.execute(sql)
    log.info("%s: %s built in %.1f s", label, name, time.monotonic() - started)
