"""The whole path of a report through the API, as each role would drive it."""

from lapor.accounts.testing import submission_data
from lapor.reports.models import Report, ReportEvent


def test_guest_report_travels_the_whole_lifecycle(net, api):
    # A guest reports a road problem in the demo city; no routing rule for a topic-less report.
    res = api.post("/api/reports", submission_data(guest_email="warga@example.com", region_code="13.74.02"))
    assert res.status_code == 201, res.content
    created = res.json()
    tid, secret = created["tracking_id"], created["guest_secret"]
    assert created["state"] == "submitted" and secret

    # The platform verifies and routes it to the city.
    res = api.post(f"/api/reports/{tid}/route", {"agency_id": net.city.pk}, user=net.user("platform"))
    assert res.status_code == 200, res.content
    assert res.json()["state"] == "routed" and res.json()["agency"]["id"] == net.city.pk

    # The city disposes it to the roads department, which disposes to its unit.
    res = api.post(f"/api/reports/{tid}/dispose", {"agency_id": net.dept.pk}, user=net.user("city_admin"))
    assert res.status_code == 200, res.content
    res = api.post(f"/api/reports/{tid}/dispose", {"agency_id": net.unit.pk}, user=net.user("dept_admin"))
    assert res.json()["state"] == "in_progress" and res.json()["agency"]["id"] == net.unit.pk

    # The unit posts a follow-up; the guest reads it and replies; the liaison answers again.
    res = api.post(
        f"/api/reports/{tid}/follow-up", {"body": "Sudah kami tambal hari ini."}, user=net.user("unit_staff")
    )
    assert res.status_code == 201 and res.json()["state"] == "followed_up"
    res = api.get(f"/api/reports/{tid}/timeline", secret=secret)
    assert [m["body"] for m in res.json()["messages"]] == ["Sudah kami tambal hari ini."]
    res = api.post(f"/api/reports/{tid}/replies", {"body": "Masih ada lubang di sisi kiri."}, secret=secret)
    assert res.status_code == 201 and res.json()["state"] == "in_progress"
    res = api.post(
        f"/api/reports/{tid}/follow-up", {"body": "Sisi kiri juga sudah ditambal."}, user=net.user("unit_staff")
    )
    assert res.json()["state"] == "followed_up"

    # The guest accepts and rates it.
    assert api.post(f"/api/reports/{tid}/complete", secret=secret).json()["state"] == "done"
    res = api.post(f"/api/reports/{tid}/rating", {"rating": 5}, secret=secret)
    assert res.status_code == 200 and res.json()["rating"] == 5

    report = Report.objects.get(tracking_id=tid)
    actions = list(ReportEvent.objects.filter(report=report, kind="transition").values_list("action", flat=True))
    assert actions == ["route", "dispose", "dispose", "follow_up", "reply", "follow_up", "complete", "rate"]


def test_rule_routes_a_report_without_a_human(net, api):
    res = api.post(
        "/api/reports", submission_data(topic_id=net.roads.pk, region_code="13.74.02.1001"), user=net.user("reporter")
    )
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["state"] == "routed" and body["agency"]["id"] == net.dept.pk
    event = ReportEvent.objects.get(report__tracking_id=body["tracking_id"], action="route")
    assert event.actor_role == "system" and event.data["automatic"] is True
