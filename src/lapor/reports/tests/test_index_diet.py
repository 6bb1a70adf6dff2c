"""Every submission writes each index of the tables it touches: none of them may be a plain copy of
the leading columns of another (migration 0009 dropped eleven such; a new ForeignKey or db_index=True
next to a composite index that leads with the same column would bring one back)."""

import pytest
from django.db import connection

TABLES = (
    "reports_report",
    "reports_reportevent",
    "reports_reportassignment",
    "notifications_outboxmessage",
    "reports_idempotencyrecord",
)


@pytest.mark.django_db
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL catalogue")
def test_no_index_only_repeats_the_leading_columns_of_another():
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT t.relname, x.relname, i.indkey::text, i.indclass::text, i.indnkeyatts,
                                 i.indisunique, i.indpred IS NOT NULL, i.indexprs IS NOT NULL
                          FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class x ON x.oid = i.indexrelid
                          WHERE t.relname = ANY(%s)""",
            [list(TABLES)],
        )
        rows = cursor.fetchall()
    indexes = [
        (table, name, list(zip(keys.split()[:n], classes.split()[:n])), unique, partial or expression)
        for table, name, keys, classes, n, unique, partial, expression in rows
    ]
    covered = [
        (name, other)
        for table, name, cols, unique, special in indexes
        if not unique and not special
        for t2, other, cols2, _u, special2 in indexes
        if t2 == table and other != name and not special2 and len(cols2) > len(cols) and cols2[: len(cols)] == cols
    ]
    assert covered == []
