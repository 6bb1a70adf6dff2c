"""A search's first window of time ends at the newest report, not at the clock: after a quiet spell
(or on a database filled in bursts) it still holds the newest matches, read in one statement."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lapor.reports import search_plans as plans
from lapor.reports import selectors as sel
from lapor.reports import services as s
from lapor.reports.selectors import ReportFilters

PG = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL search plans")


@PG
def test_search_after_a_quiet_year_reads_one_window(net):
    platform = s.Actor(user=net.user("platform"))
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=365)
    for i in range(60):
        report, _secret = s.report_submit(
            submission=s.Submission(
                title=f"Jalan berlubang nomor {i}", body="Mohon diperbaiki.", guest_email=f"w{i}@contoh.example"
            ),
            now=start + dt.timedelta(minutes=i),
        )
        s.report_route(report=report, actor=platform, agency=net.dept)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reports_report")
    with CaptureQueriesContext(connection) as ctx:
        rows, cursor = sel.report_public_page(ReportFilters(q="jalan"), cursor=None, limit=4, order="newest")
    windows = [q["sql"] for q in ctx.captured_queries if '"submitted_at" >=' in q["sql"]]
    assert [r.title for r in rows] == [f"Jalan berlubang nomor {i}" for i in (59, 58, 57, 56)]
    assert cursor is not None and len(windows) == 1
    # the estimate, the bounds, one window, the page: no second read over every match, and no bitmap-only
    # settings (the search's own wrapper, custom plans in a savepoint, is not counted)
    wrapper = ("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT", "plan_cache_mode")
    reads = [q["sql"] for q in ctx.captured_queries if not any(w in q["sql"] for w in wrapper)]
    assert len(reads) == 4 and not any("set_config" in sql or "enable_" in sql for sql in reads), reads


def test_a_window_that_found_next_to_nothing_grows_sixteen_times_at_most():
    assert plans._wider(1.0, 0, 200, span=1000.0) == 16.0
    assert plans._wider(1.0, 100, 200, span=1000.0) == 4.0
    assert plans._wider(1.0, 0, 200, span=10.0) is None  # wider than everything: read it all


@PG
def test_a_search_plans_for_its_own_words_even_with_prepared_statements(net, monkeypatch):
    """Searches run with plan_cache_mode=force_custom_plan (a generic plan for every word and window
    cost staff search 25-40 % more database time); the setting ends with the search."""
    seen = []
    real = plans.search_newest

    def spy(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('plan_cache_mode')")
            seen.append(cursor.fetchone()[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(plans, "search_newest", spy)
    s.report_submit(
        submission=s.Submission(title="Jalan rusak", body="Mohon diperbaiki.", guest_email="a@contoh.example")
    )
    sel.report_public_page(ReportFilters(q="jalan"), cursor=None, limit=4, order="newest")
    sel.report_public_page(ReportFilters(q="jalan"), cursor=None, limit=4, order="relevance")
    assert seen == ["force_custom_plan", "force_custom_plan"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('plan_cache_mode')")
        assert cursor.fetchone()[0] == "auto"
