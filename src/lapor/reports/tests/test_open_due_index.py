"""The staff inbox's index of open reports (migration 0008) covers exactly the open states and what
the inbox counts, and PostgreSQL uses it for the national work tabs and counts."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lapor.reports import lifecycle as lc
from lapor.reports.models import Report
from lapor.web import selectors as web_selectors

pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only")
migration = importlib.import_module("lapor.reports.migrations.0008_report_open_due_index")


def test_the_index_covers_exactly_the_open_states():
    assert set(migration.OPEN_STATES) == {str(s) for s in lc.OPEN_STATES}


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        # a test database is too small for the planner to bother: ask whether the index can serve the
        # tab in its order at all (it sorts anyway, whatever it costs, if the index cannot)
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_national_work_tab_and_counts_read_the_index(net):
    platform = net.user("platform")
    qs = Report.objects.all()
    tab = web_selectors.inbox_order(web_selectors.inbox_tab_qs(qs, "overdue", platform))[:100]
    assert "report_open_due_idx" in _plan(tab)
    assert "Sort" not in _plan(tab).split("report_open_due_idx")[0]  # read in order, not sorted afterwards
    with CaptureQueriesContext(connection) as captured:
        web_selectors.inbox_counts(qs, platform)
    (count_sql,) = [q["sql"] for q in captured.captured_queries]
    with connection.cursor() as cursor:
        # Whether the counts CAN be read from the index alone. After other tests' writes in this
        # database (no VACUUM inside a test's transaction) the planner may prefer the plain
        # (state, due_at) index; set it aside for this transaction (rolled back with the test).
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
        cursor.execute("DROP INDEX IF EXISTS report_state_due_idx")
        cursor.execute("EXPLAIN " + count_sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using report_open_due_idx" in plan
