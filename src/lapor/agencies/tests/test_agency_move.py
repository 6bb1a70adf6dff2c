"""Moving an agency in the tree takes its subtree and the reports routed inside it along: its own
staff keep their reports, the new parents see them, the old parents keep only what they handled."""

from __future__ import annotations

import pytest

from lapor.agencies.models import Agency
from lapor.agencies.services import agency_move
from lapor.core.errors import ValidationFailed
from lapor.reports import services as s
from lapor.reports.models import ReportAssignment
from lapor.reports.selectors import report_qs_for


def _visible(net, key: str) -> set[int]:
    user = net.user(key)
    user.__dict__.pop("_lapor_grants", None)  # grants are memoised per request on the user
    return set(report_qs_for(user).values_list("pk", flat=True))


@pytest.fixture
def handled(net):
    """disposed: routed to PUPR, disposed to its unit Bina Marga (open there).
    bounced: routed straight to Bina Marga, sent back to the platform as not its authority."""
    platform = s.Actor(user=net.user("platform"))
    reports = {}
    for key in ("disposed", "bounced"):
        reports[key], _secret = s.report_submit(
            submission=s.Submission(
                title=f"Jalan berlubang ({key})",
                body="Jalan berlubang besar di depan pasar, mohon diperbaiki.",
                guest_email=f"{key}@contoh.example",
            )
        )
    s.report_route(report=reports["disposed"], actor=platform, agency=net.dept)
    s.report_dispose(report=reports["disposed"], actor=s.Actor(user=net.user("dept_admin")), unit=net.unit)
    s.report_route(report=reports["bounced"], actor=platform, agency=net.unit)
    s.report_not_authority(
        report=reports["bounced"], actor=s.Actor(user=net.user("unit_staff")), reason="Bukan wewenang"
    )
    return {k: r.pk for k, r in reports.items()}


def _moved_out_recomputed() -> dict[int, bool]:
    """moved_out as AssignmentQuerySet.end would have set it had the tree always looked like now."""
    expected = {}
    for report_id in ReportAssignment.objects.values_list("report_id", flat=True).distinct():
        chain = list(ReportAssignment.objects.filter(report_id=report_id).order_by("assigned_at", "id"))
        for a, nxt in zip(chain, chain[1:] + [None]):
            if a.ended_at is not None:
                expected[a.pk] = not (
                    nxt and nxt.assigned_at == a.ended_at and nxt.agency_path.startswith(a.agency_path)
                )
    return expected


def test_a_moved_unit_keeps_its_reports_and_its_new_parent_sees_them(net, handled):
    assert _visible(net, "unit_staff") == set(handled.values())
    assert _visible(net, "dept_admin") == set(handled.values())
    assert _visible(net, "health_admin") == set()

    agency_move(agency=net.unit, new_parent=net.health)

    assert _visible(net, "unit_staff") == set(handled.values())  # its own reports, open and former
    assert _visible(net, "health_admin") == set(handled.values())  # the new parent oversees its history
    assert _visible(net, "dept_admin") == {handled["disposed"]}  # PUPR keeps what it handled itself
    unit_path = Agency.objects.get(pk=net.unit.pk).path
    assert unit_path.startswith(net.health.path)
    assert set(ReportAssignment.objects.filter(agency=net.unit).values_list("agency_path", flat=True)) == {unit_path}
    flags = dict(ReportAssignment.objects.filter(ended_at__isnull=False).values_list("pk", "moved_out"))
    assert flags == _moved_out_recomputed()
    # PUPR's assignment of the disposed report now ended with the report leaving PUPR's subtree
    dept_assignment = ReportAssignment.objects.get(report_id=handled["disposed"], agency=net.dept)
    assert dept_assignment.moved_out is True

    agency_move(agency=Agency.objects.get(pk=net.unit.pk), new_parent=net.dept)  # and back again
    assert _visible(net, "dept_admin") == set(handled.values())
    assert _visible(net, "health_admin") == set()
    assert ReportAssignment.objects.get(pk=dept_assignment.pk).moved_out is False
    assert (
        dict(ReportAssignment.objects.filter(ended_at__isnull=False).values_list("pk", "moved_out"))
        == _moved_out_recomputed()
    )


def test_an_agency_cannot_move_under_itself(net):
    with pytest.raises(ValidationFailed):
        agency_move(agency=net.dept, new_parent=net.unit)


@pytest.fixture
def admin_client(client, net):
    user = net.user("platform")
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(user)
    return client


def _admin_post(client, agency: Agency, **changes):
    data = {
        "name": agency.name,
        "short_name": agency.short_name,
        "kind": agency.kind,
        "parent": agency.parent_id or "",
        "region": agency.region_id or "",
        "joined_on": "",
        "is_active": "on",
        "deadline_overrides": "{}",
    } | changes
    return client.post(f"/admin/agencies/agency/{agency.pk}/change/", data)


def test_changing_the_parent_in_the_admin_moves_the_subtree_and_its_reports(admin_client, net, handled):
    response = _admin_post(admin_client, net.dept, parent=net.health.pk, short_name="PUPR")
    assert response.status_code == 302, response.content[:2000]
    dept = Agency.objects.get(pk=net.dept.pk)
    assert (dept.parent_id, dept.short_name) == (net.health.pk, "PUPR")
    unit = Agency.objects.get(pk=net.unit.pk)
    assert unit.path == f"{dept.path}{unit.pk:08d}." and unit.depth == dept.depth + 1  # the subtree came along
    assert _visible(net, "health_admin") == set(handled.values())
    assert _visible(net, "unit_staff") == set(handled.values())


def test_the_admin_refuses_a_parent_inside_the_agency_itself(admin_client, net):
    before = Agency.objects.get(pk=net.dept.pk).path
    response = _admin_post(admin_client, net.dept, parent=net.unit.pk)
    assert response.status_code == 200
    assert "tidak dapat dipindahkan ke bawah dirinya sendiri" in response.content.decode()
    assert Agency.objects.get(pk=net.dept.pk).path == before


def test_a_report_routed_by_a_process_that_has_not_seen_the_move_yet_follows_it(net):
    """Routing rules (and their agencies) are cached per process; another process follows a move only
    within seconds. A report it routes meanwhile is still filed under the agency's current path."""
    import time

    from lapor.agencies import refcache

    def submit(n: int):
        report, _secret = s.report_submit(
            submission=s.Submission(
                title=f"Jalan berlubang {n}",
                body=f"Jalan berlubang besar nomor {n} di depan pasar, mohon diperbaiki segera.",
                topic_id=net.roads.pk,
                region_code=net.district.code,
                guest_email=f"warga{n}@contoh.example",
            )
        )
        return report

    assert submit(1).agency_id == net.dept.pk  # the rule is now in this process's cache
    stale_rules = refcache._state["rules"]
    assert stale_rules is not None
    agency_move(agency=net.dept, new_parent=net.other_city)
    refcache._state.update(rules=stale_rules, checked=time.monotonic(), at=time.monotonic())  # another process
    second = submit(2)
    assert second.agency_id == net.dept.pk
    assert ReportAssignment.objects.get(report=second).agency_path == Agency.objects.get(pk=net.dept.pk).path
    assert second.pk in _visible(net, "dept_admin")
    assert second.pk not in _visible(net, "city_admin")  # the former parent
