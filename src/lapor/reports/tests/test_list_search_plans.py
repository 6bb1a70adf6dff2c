"""The report list's fast plans return exactly what the plain privacy rule and filters select.

Staff inboxes read the newest reports per agency path from assignment_inbox_idx, searches read
windows of time from the GIN index, and relevance ranks the newest matches: every page, on SQLite and
PostgreSQL, must equal the reference — report_filter(report_qs_for(user), f) sorted newest first —
for staff at every level, reporters, reports forwarded out of a scope, bounced back to the platform,
and disposed to a unit.
"""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from lapor.reports import search_plans as plans
from lapor.reports import selectors as sel
from lapor.reports import services as s
from lapor.reports.models import Report, ReportAssignment
from lapor.reports.selectors import ReportFilters

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.timezone.utc)
PG = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL plans")
USERS = (
    "platform",
    "overseer",
    "city_admin",
    "dept_admin",
    "liaison",
    "unit_staff",
    "health_admin",
    "other_admin",
    "other_liaison",
    "city_overseer",
    "reporter",
    "stranger",
)


def _submit(i: int, *, title: str, body: str = "", when: dt.datetime, reporter=None) -> Report:
    sub = s.Submission(
        title=title,
        body=body or f"{title}. Mohon segera ditindaklanjuti, laporan nomor {i}.",
        guest_email="" if reporter else f"warga{i}@contoh.example",
    )
    report, _secret = s.report_submit(submission=sub, reporter=reporter, now=when)
    return report


@pytest.fixture
def corpus(net):
    """28 reports over 28 hours (two share a second) routed every way the services allow."""
    platform = s.Actor(user=net.user("platform"))
    dept_admin = s.Actor(user=net.user("dept_admin"))
    words = ["Sampah menumpuk di pasar", "Jalan berlubang dekat sekolah", "Lampu jalan padam", "Air bersih keruh"]
    reports = []
    for i in range(28):
        when = T0 + dt.timedelta(hours=i) if i != 27 else T0 + dt.timedelta(hours=26)  # a tie on submitted_at
        reporter = net.user("dept_admin") if i == 5 else net.user("reporter") if i % 9 == 0 else None
        reports.append(_submit(i, title=f"{words[i % 4]} ({i})", when=when, reporter=reporter))
    for i, report in enumerate(reports):
        kind = i % 7
        if kind == 6:
            continue  # stays with the platform (submitted)
        target = [net.dept, net.health, net.other_dept, net.dept, net.dept, net.unit][kind]
        s.report_route(report=report, actor=platform, agency=target)
        if kind == 3:  # forwarded out of the city: the city and PUPR still see it (formerly)
            s.report_forward(report=report, actor=dept_admin, agency=net.other_city, reason="Wewenang Kota Padang")
        elif kind == 4:  # disposed to the unit
            s.report_dispose(report=report, actor=dept_admin, unit=net.unit)
        elif kind == 5:  # bounced back to the platform by the unit
            s.report_not_authority(report=report, actor=s.Actor(user=net.user("unit_staff")), reason="Bukan wewenang")
    return reports


def _reference(user, f: ReportFilters) -> list[str]:
    qs = sel.report_filter(sel.report_qs_for(user), f).order_by("-submitted_at", "-id")
    return list(qs.values_list("tracking_id", flat=True))


def _all_pages(user, f: ReportFilters, *, limit: int = 4, order: str | None = None) -> list[str]:
    seen, cursor = [], None
    for _ in range(100):
        rows, cursor = sel.report_list_page(user, f, cursor=cursor, limit=limit, order=order)
        seen += [r.tracking_id for r in rows]
        if cursor is None:
            return seen
    raise AssertionError("pagination does not end")


def test_every_assignment_carries_its_reports_submission_time(corpus):
    assignments = ReportAssignment.objects.select_related("report")
    assert assignments.count() > 20
    assert all(a.report_submitted_at == a.report.submitted_at for a in assignments)


def test_an_assignment_is_moved_out_when_the_report_leaves_the_agencys_subtree(net, corpus):
    def flags(i):
        return [(a.agency_id, a.ended_at is not None, a.moved_out) for a in corpus[i].assignments.order_by("id")]

    assert flags(0) == [(net.dept.pk, False, False)]  # still there
    assert flags(3) == [(net.dept.pk, True, True), (net.other_city.pk, False, False)]  # forwarded to Kota Padang
    assert flags(4) == [(net.dept.pk, True, False), (net.unit.pk, False, False)]  # handed down to its unit
    assert flags(5) == [(net.unit.pk, True, True)]  # back to the platform's queue


def test_migration_backfill_of_moved_out_matches_the_services(corpus):
    migration = importlib.import_module("lapor.reports.migrations.0005_assignment_moved_out")
    expected = dict(ReportAssignment.objects.values_list("id", "moved_out"))
    assert sum(expected.values()) >= 6
    ReportAssignment.objects.update(moved_out=False)

    editor = SimpleNamespace(connection=connection)  # what a backfill reads of the schema editor
    migration.backfill(None, editor)
    assert dict(ReportAssignment.objects.values_list("id", "moved_out")) == expected


def _unit_moved_under_health(net):
    """An agency moved after reports were routed to it: its assignments follow it to the new path."""
    from lapor.agencies.services import agency_move

    agency_move(agency=net.unit, new_parent=net.health)
    for user in net.users.values():
        user.__dict__.pop("_lapor_grants", None)


@pytest.mark.parametrize("moved", [False, True], ids=["tree-as-routed", "unit-moved-since"])
@pytest.mark.parametrize("min_share", [0.0, 2.0], ids=["per-path", "subtree-parts"])
@pytest.mark.parametrize(
    "filters",
    [
        ReportFilters(),
        ReportFilters(state=["routed"]),
        ReportFilters(state=["submitted", "in_progress"]),
        ReportFilters(submitted_from=(T0 + dt.timedelta(hours=10)).date()),
    ],
    ids=["all", "routed", "two-states", "from-date"],
)
def test_inbox_pages_equal_the_privacy_rule(net, corpus, filters, min_share, moved, monkeypatch):
    if moved:
        _unit_moved_under_health(net)
    monkeypatch.setattr(plans, "SCOPED_MIN_SHARE", min_share)
    for key in USERS:
        user = net.user(key)
        assert _all_pages(user, filters) == _reference(user, filters), key


def test_inbox_sees_reports_formerly_in_scope_and_own_reports(net, corpus):
    dept = set(_all_pages(net.user("dept_admin"), ReportFilters()))
    forwarded = [r.tracking_id for i, r in enumerate(corpus) if i % 7 == 3]
    bounced = [r.tracking_id for i, r in enumerate(corpus) if i % 7 == 5]
    assert set(forwarded) <= dept  # now with Kota Padang, once with PUPR
    assert corpus[5].tracking_id in dept  # filed by the PUPR admin, routed to Dinas Kesehatan
    assert set(bounced) <= set(_all_pages(net.user("unit_staff"), ReportFilters()))
    assert not set(forwarded) & set(_all_pages(net.user("health_admin"), ReportFilters()))
    other = set(_all_pages(net.user("other_admin"), ReportFilters()))
    assert set(forwarded) <= other and not set(bounced) & other


@pytest.mark.parametrize("q", ["sampah", "jalan", "air bersih", "tidak ada kata ini"])
def test_search_newest_pages_equal_the_privacy_rule(net, corpus, q):
    f = ReportFilters(q=q)
    for key in USERS:
        user = net.user(key)
        assert _all_pages(user, f, order="newest") == _reference(user, f), (key, q)


@PG
@pytest.mark.parametrize("moved", [False, True], ids=["tree-as-routed", "unit-moved-since"])
@pytest.mark.parametrize("scoped", [True, False], ids=["subtree-parts", "matches-first"])
def test_search_windows_equal_the_plain_query(net, corpus, scoped, moved, monkeypatch):
    """Force the windowed plans (the planner would read everything at this size): estimates of a
    million matches make the first window a day wide, then it widens."""
    if moved:
        _unit_moved_under_health(net)
    real = plans._rows_estimate
    monkeypatch.setattr(plans, "_rows_estimate", lambda qs: 1e6 if qs.model is Report else real(qs))
    monkeypatch.setattr(plans, "SCOPED_SEARCH_MAX_SHARE", 2.0 if scoped else 0.0)
    for q in ("sampah", "jalan"):
        f = ReportFilters(q=q)
        for key in USERS:
            user = net.user(key)
            assert _all_pages(user, f, limit=2, order="newest") == _reference(user, f), (key, q)


def test_relevance_ranks_by_how_well_a_report_matches(net, db):
    older = _submit(
        1, title="Sampah sampah sampah", body="Sampah menumpuk, bau sampah menyebar ke rumah warga.", when=T0
    )
    newer = _submit(
        2,
        title="Jalan rusak",
        body="Jalan rusak parah; ada juga sedikit sampah di tepinya.",
        when=T0 + dt.timedelta(hours=1),
    )
    _submit(3, title="Lampu padam", body="Lampu jalan padam sejak seminggu.", when=T0 + dt.timedelta(hours=2))
    platform = net.user("platform")
    by_relevance = _all_pages(platform, ReportFilters(q="sampah"), limit=1)
    assert by_relevance == [older.tracking_id, newer.tracking_id]
    assert _all_pages(platform, ReportFilters(q="sampah"), limit=1, order="newest") == [
        newer.tracking_id,
        older.tracking_id,
    ]
    assert _all_pages(platform, ReportFilters(q="sampah"), order="relevance") == by_relevance


def test_relevance_pages_cover_the_newest_candidates_once(net, corpus, monkeypatch):
    monkeypatch.setattr(sel, "RANK_CANDIDATES", 5)
    for key in ("platform", "city_admin", "dept_admin"):
        user = net.user(key)
        pages = _all_pages(user, ReportFilters(q="jalan"), limit=2)
        assert len(pages) == len(set(pages))
        assert set(pages) == set(_reference(user, ReportFilters(q="jalan"))[:5]), key


def test_the_list_api_takes_an_order_and_refuses_a_foreign_cursor(net, corpus, api):
    platform = net.user("platform")
    res = api.get("/api/reports", {"q": "sampah", "limit": 2}, user=platform)
    assert res.status_code == 200
    cursor = res.json()["next_cursor"]
    assert (
        api.get("/api/reports", {"q": "sampah", "order": "newest", "cursor": cursor}, user=platform).status_code == 400
    )
    assert api.get("/api/reports", {"q": "sampah", "order": "bogus"}, user=platform).status_code == 422
    public = api.get("/api/public/reports", {"q": "sampah", "order": "newest", "limit": 50}).json()["items"]
    times = [item["submitted_at"] for item in public]
    assert times and times == sorted(times, reverse=True)


NOT_NULL = "0015_tidy_assignment_submitted_not_null"


def test_migration_fills_what_older_code_left_empty_then_refuses_empty(transactional_db, net, corpus):
    """Unapplied, the column takes NULL again (as rows older code wrote); applied again, those are
    filled from their report, the column refuses NULL and the partial index for such rows is gone."""

    migration = importlib.import_module(f"lapor.reports.migrations.{NOT_NULL}").Migration
    before = [dep for dep in migration.dependencies if dep[0] == "reports"]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE reports_reportassignment SET report_submitted_at = NULL WHERE report_id %% %s = 0", [2])
        assert cursor.rowcount > 5
        assert "assignment_unsorted_idx" in connection.introspection.get_constraints(cursor, "reports_reportassignment")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assignments = list(ReportAssignment.objects.select_related("report"))
    assert len(assignments) > 20
    assert all(a.report_submitted_at == a.report.submitted_at for a in assignments)
    with connection.cursor() as cursor:
        assert "assignment_unsorted_idx" not in connection.introspection.get_constraints(
            cursor, "reports_reportassignment"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportAssignment.objects.filter(pk=assignments[0].pk).update(report_submitted_at=None)
    dept_admin = net.user("dept_admin")  # and the inbox, with nothing read apart, still sees every report
    assert _all_pages(dept_admin, ReportFilters()) == _reference(dept_admin, ReportFilters())


@pytest.mark.django_db
def test_generated_assignments_carry_the_submission_time():
    from lapor.demo.load import demo_load
    from lapor.reports.deadlines import calendar_reset
    from lapor.demo.generate import reports_generate

    calendar_reset()
    demo_load(villages=False)
    reports_generate(count=60, seed=3, batch=20, now=T0)
    assignments = ReportAssignment.objects.select_related("report")
    assert assignments.exists()
    assert all(a.report_submitted_at == a.report.submitted_at for a in assignments)
    generated = dict(assignments.values_list("id", "moved_out"))
    assert any(generated.values())
    migration = importlib.import_module("lapor.reports.migrations.0005_assignment_moved_out")
    ReportAssignment.objects.update(moved_out=False)

    editor = SimpleNamespace(connection=connection)  # what a backfill reads of the schema editor
    migration.backfill(None, editor)  # the history says the same as the generator
    assert dict(ReportAssignment.objects.values_list("id", "moved_out")) == generated
