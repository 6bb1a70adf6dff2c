"""Every role × every report operation × a report inside and outside the role's scope."""

import pytest

from lapor.accounts.testing import submission_data
from lapor.reports import services as s

ROLES = [
    "platform",
    "city_admin",
    "dept_admin",
    "liaison",
    "unit_staff",
    "health_admin",
    "other_admin",
    "other_liaison",
    "overseer",
    "city_overseer",
    "reporter",
    "stranger",
    None,
]

# Report routed to Dinas PUPR (under the city). Who may see it at all:
VISIBLE = {"platform", "city_admin", "dept_admin", "liaison", "overseer", "city_overseer", "reporter"}

OPERATIONS = {
    # name: (method, path suffix, payload factory, roles allowed)
    "detail": ("get", "", lambda n: None, VISIBLE),
    "timeline": ("get", "/timeline", lambda n: None, VISIBLE),
    "follow_up": (
        "post",
        "/follow-up",
        lambda n: {"body": "Sudah ditangani."},
        {"city_admin", "dept_admin", "liaison"},
    ),
    "note": (
        "post",
        "/notes",
        lambda n: {"body": "Catatan internal."},
        {"platform", "city_admin", "dept_admin", "liaison"},
    ),
    "not_authority": (
        "post",
        "/not-authority",
        lambda n: {"reason": "Bukan wewenang."},
        {"city_admin", "dept_admin", "liaison"},
    ),
    "postpone": (
        "post",
        "/postpone",
        lambda n: {"reason": "Menunggu anggaran."},
        {"platform", "city_admin", "dept_admin"},
    ),
    "archive": ("post", "/archive", lambda n: {"reason": "spam"}, {"platform", "city_admin", "dept_admin"}),
    "forward": (
        "post",
        "/forward",
        lambda n: {"agency_id": n.other_city.pk, "reason": "Lokasi di Padang"},
        {"platform", "city_admin", "dept_admin"},
    ),
    "dispose": ("post", "/dispose", lambda n: {"agency_id": n.unit.pk}, {"platform", "city_admin", "dept_admin"}),
    "reveal": ("get", "/reporter", lambda n: None, {"platform"}),
    "route": ("post", "/route", lambda n: {"agency_id": n.city.pk}, set()),  # wrong state for everyone
}


def report_at_dept(net, api) -> str:
    res = api.post("/api/reports", submission_data(), user=net.user("reporter"))
    tid = res.json()["tracking_id"]
    from lapor.reports.models import Report

    s.report_route(
        report=Report.objects.get(tracking_id=tid), actor=s.Actor(user=net.user("platform")), agency=net.dept
    )
    return tid


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_role_matrix(net, api, operation):
    method, suffix, payload, allowed = OPERATIONS[operation]
    failures = []
    for role in ROLES:
        tid = report_at_dept(net, api)
        user = net.user(role) if role else None
        res = getattr(api, method)(f"/api/reports/{tid}{suffix}", payload(net), user=user)
        if role in allowed:
            expected = {200, 201}
        elif role is None:
            expected = {401, 404}
        elif role in VISIBLE:
            expected = {403, 409}
        else:
            expected = {404}
        if res.status_code not in expected:
            failures.append(f"{role}: {res.status_code} not in {sorted(expected)} {res.content[:120]!r}")
        else:
            body = res.json() if res.content and res["Content-Type"].startswith("application/json") else {}
            if res.status_code >= 400:
                assert body.get("code") and body.get("message"), (role, body)
    assert not failures, "\n".join(failures)


def test_staff_list_shows_only_reports_in_scope(net, api):
    inside = report_at_dept(net, api)
    res = api.post("/api/reports", submission_data(title="Puskesmas tutup"), user=net.user("stranger"))
    outside = res.json()["tracking_id"]
    from lapor.reports.models import Report

    s.report_route(
        report=Report.objects.get(tracking_id=outside), actor=s.Actor(user=net.user("platform")), agency=net.other_dept
    )
    ids = lambda key: {r["tracking_id"] for r in api.get("/api/reports", user=net.user(key)).json()["items"]}
    assert ids("liaison") == {inside}
    assert ids("other_liaison") == {outside}
    assert ids("platform") == {inside, outside}
    assert ids("reporter") == {inside}
    assert ids("unit_staff") == set()
