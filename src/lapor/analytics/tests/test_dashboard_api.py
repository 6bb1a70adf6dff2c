"""Dashboards, league table and drill-downs over the API, respecting the viewer's scope."""

import datetime as dt

from lapor.analytics.models import ActionPlan
from lapor.analytics.rollup import rollup_refresh
from lapor.reports.models import Report

Q = {"from": "2025-01", "to": "2025-12"}


def test_national_dashboard_is_for_national_staff_and_says_how_fresh_it_is(net, api, reports):
    rollup_refresh(full=True)
    res = api.get("/api/analytics/dashboard", {**Q, "scope": "n"}, user=net.user("overseer"))
    assert res.status_code == 200, res.content
    body = res.json()
    assert body["totals"]["received"] == Report.objects.count()
    assert body["data_as_of"] and len(body["trend_months"]) == 12
    # An agency admin sees only their own subtree.
    assert api.get("/api/analytics/dashboard", {**Q, "scope": "n"}, user=net.user("dept_admin")).status_code == 403
    assert (
        api.get(
            "/api/analytics/dashboard", {**Q, "scope": f"a:{net.other_city.pk}"}, user=net.user("city_admin")
        ).status_code
        == 403
    )
    own = api.get("/api/analytics/dashboard", Q, user=net.user("city_admin")).json()
    assert own["scope"] == f"a:{net.city.pk}"
    assert own["totals"]["received"] == Report.objects.filter(agency__path__startswith=net.city.path).count()
    # A citizen is not staff.
    assert api.get("/api/analytics/dashboard", Q, user=net.user("reporter")).status_code == 403


def test_bad_input_is_a_clear_4xx(net, api):
    admin = net.user("platform")
    # what the schema says (month, scope, dim, sort) is a 422; what it cannot (from after to) a 400
    assert api.get("/api/analytics/dashboard", {"from": "2025-13"}, user=admin).status_code == 422
    assert api.get("/api/analytics/dashboard", {"scope": "x:1"}, user=admin).status_code == 422
    assert api.get("/api/analytics/dashboard", {"from": "2025-06", "to": "2025-01"}, user=admin).status_code == 400
    assert api.get("/api/analytics/reports", {"dim": "nope"}, user=admin).status_code == 422
    assert api.get("/api/analytics/league", {"sort": "nope"}, user=admin).status_code == 422
    assert api.get("/api/analytics/dashboard", {"scope": "a:999999"}, user=admin).json()["code"] == "unknown_scope"
    assert api.get("/api/analytics/dashboard").status_code == 401


def test_drill_down_hides_anonymous_reporters_from_agency_staff(net, api, reports):
    rollup_refresh(full=True)
    scope = f"a:{net.city.pk}"
    res = api.get("/api/analytics/reports", {**Q, "scope": scope, "limit": 200}, user=net.user("city_admin"))
    items = res.json()["items"]
    assert len(items) == Report.objects.filter(agency__path__startswith=net.city.path).count()
    anonymous = [i for i in items if i["is_anonymous"]]
    assert anonymous and all(i["reporter"]["name"] == "Anonim" and i["reporter"]["contact"] is None for i in anonymous)


def test_league_table_grades_agencies_and_can_be_sorted(net, api, reports, settings):
    rollup_refresh(full=True)
    settings.LAPOR_ANALYTICS_GRADES = {"min_reports": 1}
    rows = api.get("/api/analytics/league", {**Q, "sort": "-received"}, user=net.user("platform")).json()["rows"]
    assert rows and [r["received"] for r in rows] == sorted((r["received"] for r in rows), reverse=True)
    assert {r["grade_label"] for r in rows} <= {"Baik", "Sedang", "Kurang"}
    dept = next(r for r in rows if r["agency_id"] == net.dept.pk)
    assert dept["received"] == Report.objects.filter(agency__path__startswith=net.dept.path).count()
    # An agency admin's table holds only agencies inside their scope.
    mine = api.get("/api/analytics/league", Q, user=net.user("city_admin")).json()["rows"]
    assert mine and {r["agency_id"] for r in mine} <= {net.city.pk, net.dept.pk, net.unit.pk, net.health.pk}


def test_grading_thresholds(settings):
    from lapor.analytics.selectors import grade_for, grades_config

    conf = grades_config()
    row = {"received": 50, "completion_rate": 0.9, "in_time_rate": 0.8, "rating_avg": 4.0}
    assert grade_for(row, conf) == "good"
    assert grade_for({**row, "in_time_rate": 0.6}, conf) == "fair"
    assert grade_for({**row, "rating_avg": 2.0}, conf) == "poor"
    assert grade_for({**row, "received": 2}, conf) == "unrated"


def test_action_plans_are_managed_by_agency_admins_and_shown_beside_their_topic(net, api, reports):
    body = {
        "agency_id": net.dept.pk,
        "topic_id": net.roads.pk,
        "title": "Tambal jalan rusak",
        "owner": "Kabid Bina Marga",
        "due_date": "2025-09-30",
        "progress": 20,
    }
    assert api.post("/api/analytics/plans", body, user=net.user("health_admin")).status_code == 403
    res = api.post("/api/analytics/plans", body, user=net.user("dept_admin"))
    assert res.status_code == 201, res.content
    plan_id = res.json()["id"]
    res = api.call(
        "PATCH",
        f"/api/analytics/plans/{plan_id}",
        {"progress": 60, "status": "in_progress"},
        user=net.user("dept_admin"),
    )
    assert res.status_code == 200 and ActionPlan.objects.get(pk=plan_id).progress == 60
    assert (
        api.call("PATCH", f"/api/analytics/plans/{plan_id}", {"progress": 160}, user=net.user("dept_admin")).status_code
        == 422
    )
    rollup_refresh(full=True)
    dash = api.get("/api/analytics/dashboard", {**Q, "scope": "n"}, user=net.user("platform")).json()
    roads = next(t for t in dash["top_topics"] if t["key"] == str(net.roads.pk))
    assert [p["title"] for p in roads["plans"]] == ["Tambal jalan rusak"]


def test_connectivity_counts_agencies_by_kind_and_year_and_who_is_active(net, api, reports):
    net.dept.joined_on = dt.date(2019, 5, 1)
    net.dept.save()
    res = api.get("/api/analytics/connectivity", user=net.user("platform")).json()
    assert res["connected"] == 6 and {"year": 2019, "joined": 1, "cumulative": 1} in res["by_year"]
    dept_kind = next(r for r in res["by_kind"] if r["kind"] == "department")
    assert dept_kind["connected"] == 3
