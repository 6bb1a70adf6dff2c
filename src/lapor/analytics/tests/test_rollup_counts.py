"""Roll-up numbers equal direct counts over the raw tables (generated data through the services)."""

from __future__ import annotations

import datetime as dt
from collections import Counter


from lapor.analytics import stats
from lapor.analytics.rollup import rollup_refresh
from lapor.analytics.selectors import Period, dashboard_get, drill_qs
from lapor.reports.deadlines import calendar_get, tz
from lapor.reports.models import Report

WHOLE = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 1))


def _direct(qs) -> dict:
    zone, cal = tz(), calendar_get()
    rows = list(qs)
    done = [r for r in rows if r.state == "done"]
    rated = [r.rating for r in rows if r.rating]
    in_time = [r for r in done if r.completion_due_at and r.completed_at <= r.completion_due_at]
    hist = Counter(
        cal.working_days_between(r.submitted_at.astimezone(zone).date(), r.verified_at.astimezone(zone).date())
        for r in rows
        if r.verified_at
    )
    return {
        "received": len(rows),
        "done": len(done),
        "in_time": len(in_time),
        "overdue": sum(r.is_overdue for r in rows),
        "bounced": sum(r.bounce_count > 0 for r in rows),
        "reopened": sum(r.reopen_count > 0 for r in rows),
        "rating_avg": round(sum(rated) / len(rated), 2) if rated else None,
        "verify_median": stats.percentile(hist, 0.5),
        "verify_p90": stats.percentile(hist, 0.9),
        "states": Counter(r.state for r in rows),
        "channels": Counter(r.channel for r in rows),
    }


def _check(dash: dict, direct: dict) -> None:
    t = dash["totals"]
    assert t["received"] == direct["received"] > 0
    assert t["done"] == direct["done"]
    assert t["done_in_time"] == direct["in_time"]
    assert t["overdue"] == direct["overdue"]
    assert t["bounced"] == direct["bounced"]
    assert t["reopened"] == direct["reopened"]
    assert t["rating_avg"] == direct["rating_avg"]
    assert dash["durations"]["verify"]["median"] == direct["verify_median"]
    assert dash["durations"]["verify"]["p90"] == direct["verify_p90"]
    assert {r["key"]: r["n"] for r in dash["by_state"]} == dict(direct["states"])
    assert {r["key"]: r["n"] for r in dash["by_channel"]} == dict(direct["channels"])


def test_national_agency_region_and_public_rollups_equal_direct_counts(net, reports):
    rollup_refresh(full=True)
    _check(dashboard_get("n", WHOLE), _direct(Report.objects.all()))
    _check(
        dashboard_get(f"a:{net.city.pk}", WHOLE), _direct(Report.objects.filter(agency__path__startswith=net.city.path))
    )
    _check(dashboard_get("r:13.74", WHOLE), _direct(Report.objects.filter(region__code__startswith="13.74")))
    public = Report.objects.filter(is_confidential=False).exclude(state__in=["submitted", "archived"])
    _check(dashboard_get("p", WHOLE), _direct(public))


def test_every_breakdown_number_drills_down_to_exactly_that_many_reports(net, reports):
    rollup_refresh(full=True)
    platform = net.user("platform")
    scope = f"a:{net.city.pk}"
    dash = dashboard_get(scope, WHOLE)
    for section, dim in (("by_state", "state"), ("by_topic", "topic"), ("by_channel", "channel"), ("by_type", "type")):
        for row in dash[section]:
            assert drill_qs(platform, scope=scope, period=WHOLE, dim=dim, key=row["key"]).count() == row["n"], (
                dim,
                row,
            )
    assert (
        drill_qs(platform, scope=scope, period=WHOLE, dim="in_time", key="1").count() == dash["totals"]["done_in_time"]
    )
    assert drill_qs(platform, scope=scope, period=WHOLE, dim="bounced").count() == dash["totals"]["bounced"]


def test_incremental_refresh_picks_up_a_change_made_after_the_last_run(net, reports):
    first = rollup_refresh(full=True)
    report = Report.objects.filter(state="followed_up").first()
    from lapor.reports import services as sv

    sv.report_complete(report=report, actor=sv.Actor(user=net.user("reporter"), is_reporter=True))
    before = dashboard_get("n", WHOLE)["totals"]["done"]
    run = rollup_refresh()
    assert not run.full and run.started_at > first.started_at
    assert dashboard_get("n", WHOLE)["totals"]["done"] == before + 1 == Report.objects.filter(state="done").count()
