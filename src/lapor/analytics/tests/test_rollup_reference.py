"""The set-based roll-up equals, cell for cell, a plain per-report count over the raw tables
(every scope, every dimension, every month), after a full refresh and after an incremental one."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from lapor.agencies.models import Agency
from lapor.analytics.models import StatCell
from lapor.analytics.rollup import rollup_refresh
from lapor.reports import services as sv
from lapor.reports.deadlines import calendar_get, tz
from lapor.reports.models import Report


def _reference() -> Counter:
    """The obvious per-report computation, written independently of rollup.py."""
    zone, cal = tz(), calendar_get()
    paths = dict(Agency.objects.values_list("pk", "path"))
    cells: Counter = Counter()
    for r in Report.objects.all():
        day = r.submitted_at.astimezone(zone).date()
        month = day.replace(day=1)
        week = (day - dt.timedelta(days=day.weekday())).isoformat()
        code = r.region_id or ""
        parts = code.split(".") if code else []
        province = parts[0] if parts else ""
        regency = ".".join(parts[:2]) if len(parts) > 1 else ""
        topic = str(r.topic_id or 0)
        dims = [
            ("received", ""),
            ("state", r.state),
            ("type", r.type),
            ("channel", r.channel),
            ("topic", topic),
            ("province", province),
            ("regency", regency),
            ("week", week),
            ("topic_week", f"{topic}|{week}"),
        ]
        if regency:
            dims.append(("regency_week", f"{regency}|{week}"))
        if r.state == "done" and r.completed_at and r.completion_due_at:
            dims.append(("in_time", "1" if r.completed_at <= r.completion_due_at else "0"))
        for dim, value in (
            ("verify_days", r.verified_at),
            ("follow_up_days", r.first_follow_up_at),
            ("complete_days", r.completed_at),
        ):
            if value:
                dims.append((dim, str(cal.working_days_between(day, value.astimezone(zone).date()))))
        dims += [
            (d, "")
            for d, flag in (
                ("overdue", r.is_overdue),
                ("bounced", r.bounce_count > 0),
                ("reopened", r.reopen_count > 0),
            )
            if flag
        ]
        if r.rating:
            dims.append(("rating", str(r.rating)))
        scopes = ["n"]
        if not r.is_confidential and r.state not in ("submitted", "archived"):
            scopes.append("p")
        if r.agency_id:
            scopes += [f"a:{int(seg)}" for seg in paths[r.agency_id].split(".") if seg]
        if province:
            scopes.append(f"r:{province}")
        for scope in scopes:
            for dim, key in dims:
                cells[(scope, month, dim, key)] += 1
        if regency:
            for dim, key in dims:
                if dim != "regency_week":  # a regency scope holds one regency: no per-regency series
                    cells[(f"r:{regency}", month, dim, key)] += 1
    return cells


def _stored() -> Counter:
    return Counter(
        {(s, m, d, k): n for s, m, d, k, n in StatCell.objects.values_list("scope", "month", "dim", "key", "n")}
    )


def _assert_equal(stored: Counter, expected: Counter) -> None:
    missing = {k: v for k, v in expected.items() if stored.get(k) != v}
    extra = {k: v for k, v in stored.items() if k not in expected}
    assert not missing and not extra, (list(missing.items())[:10], list(extra.items())[:10])


def test_full_refresh_equals_a_per_report_count_in_every_cell(net, reports):
    rollup_refresh(full=True)
    expected = _reference()
    assert len(expected) > 500
    _assert_equal(_stored(), expected)


def test_incremental_refresh_after_changes_equals_a_full_recount(net, reports):
    rollup_refresh(full=True)
    reporter = sv.Actor(user=net.user("reporter"), is_reporter=True)
    changed = 0
    for report in Report.objects.filter(state="followed_up").order_by("submitted_at")[:3]:
        sv.report_complete(report=report, actor=reporter)
        sv.report_rate(report=Report.objects.get(pk=report.pk), actor=reporter, rating=5)
        changed += 1
    assert changed
    run = rollup_refresh()
    assert not run.full
    _assert_equal(_stored(), _reference())


def test_a_second_full_refresh_merges_changes_and_drops_vanished_cells(net, reports):
    rollup_refresh(full=True)
    before = _stored()
    reporter = sv.Actor(user=net.user("reporter"), is_reporter=True)
    report = Report.objects.filter(state="followed_up").order_by("submitted_at").first()
    sv.report_complete(report=report, actor=reporter)
    gone = Report.objects.filter(state="submitted").order_by("submitted_at").first()  # the only one of its cells, maybe
    Report.objects.filter(pk=gone.pk).update(
        submitted_at=gone.submitted_at.replace(year=2024)
    )  # moves to another month
    rollup_refresh(full=True)
    after, expected = _stored(), _reference()
    _assert_equal(after, expected)
    assert any(k[1].year == 2024 for k in after) and not any(k[1].year == 2024 for k in before)
    assert any(k not in after for k in before)  # cells that only this report filled are gone
