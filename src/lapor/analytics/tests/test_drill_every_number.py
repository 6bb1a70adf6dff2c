"""Every number on a dashboard carries the drill-down behind it, and that drill-down, seen by the
viewer, lists exactly that many reports; unusual-volume alerts exist for agency and region scopes."""

from __future__ import annotations

import datetime as dt

from lapor.analytics.rollup import rollup_refresh
from lapor.analytics.selectors import Period, dashboard_get, drill_qs, league_table, period_parse
from lapor.reports import services as sv
from lapor.reports.models import Report
from lapor.reports.sweep import reports_sweep

from .conftest import clock

WHOLE = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 1))


def _count(viewer, q: dict) -> int:
    return drill_qs(
        viewer, scope=q["scope"], period=period_parse(q["from"], q["to"]), dim=q["dim"], key=q["key"]
    ).count()


def _numbers(d: dict) -> list[tuple[str, int, dict]]:
    """(what, number, drill parameters) for every number the dashboard shows."""
    t, dr = d["totals"], d["drill"]
    out = [
        ("received", t["received"], dr["received"]),
        ("done", t["done"], dr["done"]),
        ("in_time", t["done_in_time"], dr["in_time"]),
        ("late", t["done_late"], dr["late"]),
        ("overdue", t["overdue"], dr["overdue"]),
        ("bounced", t["bounced"], dr["bounced"]),
        ("reopened", t["reopened"], dr["reopened"]),
        ("rated", t["rating_n"], dr["rating"]),
        ("previous", d["previous_received"], d["previous_drill"]),
    ]
    out += [(f"duration {k}", v["n"], dr[k]) for k, v in d["durations"].items()]
    for section in ("by_state", "by_type", "by_channel", "by_topic", "by_region"):
        out += [(f"{section} {r['key']}", r["n"], r["drill"]) for r in d[section]]
    for r in d["top_topics"]:
        out += [
            (f"topic {r['key']}", r["n"], r["drill"]),
            (f"topic {r['key']} before", r["previous"], r["previous_drill"]),
        ]
    for r in d["trend_months"]:
        out += [
            (f"month {r['month']}", r["received"], r["drill"]),
            (f"month {r['month']} done", r["done"], r["done_drill"]),
            (f"month {r['previous_month']}", r["previous"], r["previous_drill"]),
        ]
    for r in d["trend_weeks"]:
        out += [
            (f"week {r['week']}", r["received"], r["drill"]),
            (f"week {r['previous_week']}", r["previous"], r["previous_drill"]),
        ]
    out += [(f"alert {a['kind']} {a['key']}", a["count"], a["drill"]) for a in d["alerts"]]
    out += [(f"overdue {r['agency']}", r["overdue"], r["drill"]) for r in d["overdue_by_agency"]]
    return out


def test_every_dashboard_number_drills_down_to_exactly_that_many_reports_in_the_viewers_scope(net, reports):
    counts = reports_sweep(now=dt.datetime(2025, 7, 1, tzinfo=dt.timezone.utc))  # some reports become overdue
    assert counts["overdue"] > 0
    rollup_refresh(full=True)
    seen = set()
    cases = [
        ("n", net.user("platform")),
        (f"a:{net.city.pk}", net.user("city_admin")),
        (f"a:{net.dept.pk}", net.user("dept_admin")),
        ("r:13.74", net.user("overseer")),
        ("p", None),
    ]
    for scope, viewer in cases:
        numbers = _numbers(dashboard_get(scope, WHOLE, today=dt.date(2025, 7, 10)))
        assert len(numbers) > 40, scope
        for what, n, q in numbers:
            assert q["scope"] == scope or (what.startswith("overdue ") and q["scope"].startswith("a:")), (
                scope,
                what,
                q,
            )
            assert _count(viewer, q) == n, (scope, what, n, q)
            seen.add(what.split()[0])
    assert {"overdue", "month", "week", "topic", "duration", "previous"} <= seen


def test_league_table_numbers_drill_down_too(net, reports, settings):
    rollup_refresh(full=True)
    settings.LAPOR_ANALYTICS_GRADES = {"min_reports": 1}
    rows = league_table(net.user("city_admin"), WHOLE)["rows"]
    assert rows
    for r in rows:
        for what, n in (
            ("received", r["received"]),
            ("done", r["done"]),
            ("in_time", r["done_in_time"]),
            ("overdue", r["overdue"]),
            ("rating", r["rating_n"]),
        ):
            assert _count(net.user("city_admin"), r["drill"][what]) == n, (r["name"], what)


def test_a_spike_raises_an_alert_in_the_national_agency_and_region_dashboards(net):
    platform = sv.Actor(user=net.user("platform"))
    reporter = net.user("reporter")
    for i in range(12):  # Monday 28 July 2025 to Thursday 31 July; nothing on this topic before
        at = dt.datetime(2025, 7, 28, 2, tzinfo=dt.timezone.utc) + dt.timedelta(hours=7 * i)
        sub = sv.Submission(
            title=f"Jembatan ambruk {i}",
            body="Jembatan di jalan utama ambruk, tolong segera diperbaiki.",
            topic_id=net.roads.pk,
            region_code="13.74.02",
            channel="web",
            type="complaint",
            is_anonymous=False,
            is_confidential=False,
        )
        with clock(at):
            report, _secret = sv.report_submit(submission=sub, reporter=reporter, now=at)
            if report.state == "submitted":
                sv.report_route(report=report, actor=platform, agency=net.dept)
    assert Report.objects.filter(agency=net.dept).count() == 12
    rollup_refresh(full=True)
    july = Period(dt.date(2025, 7, 1), dt.date(2025, 7, 1))
    viewers = {
        "n": net.user("platform"),
        f"a:{net.city.pk}": net.user("city_admin"),
        f"a:{net.dept.pk}": net.user("dept_admin"),
        "r:13": net.user("overseer"),
        "r:13.74": net.user("overseer"),
        "p": None,
    }
    for scope, viewer in viewers.items():
        alerts = dashboard_get(scope, july, today=dt.date(2025, 8, 15))["alerts"]
        kinds = {(a["kind"], a["key"]): a for a in alerts}
        topic = kinds[("topic", str(net.roads.pk))]
        assert topic["count"] == 12 and topic["week"] == "2025-07-28" and topic["z"] >= 3, scope
        assert _count(viewer, topic["drill"]) == 12
        if scope == "r:13.74":
            assert not any(a["kind"] == "regency" for a in alerts)  # one regency: its topic alerts say it all
        else:
            regency = kinds[("regency", "13.74")]
            assert regency["count"] == 12 and _count(viewer, regency["drill"]) == 12, scope
    # An agency outside the spike sees no alert.
    assert dashboard_get(f"a:{net.other_city.pk}", july, today=dt.date(2025, 8, 15))["alerts"] == []
