"""Every privileged action that is not a report event lands in the append-only audit log."""

import pytest

from lapor.accounts.models import ApiToken, AuditLog, Role, RoleAssignment
from lapor.accounts.testing import signin_staff, token_make


def _last(action: str) -> AuditLog:
    return AuditLog.objects.filter(action=action).latest("id")


def test_role_grant_and_revocation_are_recorded(net):
    grant = RoleAssignment.objects.create(user=net.user("stranger"), role=Role.LIAISON, agency=net.health)
    entry = _last("role_grant")
    assert entry.target_id == str(net.user("stranger").pk)
    assert entry.detail == {"role": "liaison", "agency_id": net.health.pk}
    grant.delete()
    assert _last("role_revoke").detail["role"] == "liaison"


def test_token_issue_and_revoke_are_recorded_with_the_actor_from_the_request(net, api):
    res = api.post("/api/auth/token", {"login": "budi@warga.example", "password": "rahasia-123"})
    assert res.status_code == 200
    entry = _last("token_issue")
    assert entry.detail["user_id"] == net.user("reporter").pk and entry.ip == "127.0.0.1"
    token = ApiToken.objects.get(pk=entry.target_id)
    token.is_active = False
    token.save()
    assert _last("token_revoke").target_id == str(token.pk)
    assert res.json()["token"] not in str(list(AuditLog.objects.values_list("detail", flat=True)))


def test_a_routing_rule_change_names_the_admin_who_made_it(net, api):
    res = api.post(
        "/api/routing-rules", {"topic_id": net.health_topic.pk, "agency_id": net.health.pk}, user=net.user("platform")
    )
    assert res.status_code == 201
    entry = _last("routing_rule_save")
    assert entry.actor == net.user("platform") and entry.detail["agency_id"] == net.health.pk


def test_a_flag_resolution_is_recorded(net, api):
    from lapor.reports import services
    from lapor.routing.models import ReportFlag

    report, _secret = services.report_submit(
        submission=services.Submission(
            title="Lampu jalan mati", body="Sudah dua minggu lampu jalan mati.", guest_email="tamu@example.com"
        ),
        reporter=None,
    )
    flag = ReportFlag.objects.create(report=report, kind=ReportFlag.Kind.REPEATED)
    assert api.post(f"/api/routing/flags/{flag.pk}/resolve", user=net.user("platform")).status_code == 200
    entry = _last("flag_resolve")
    assert entry.actor == net.user("platform") and entry.detail == {"report": report.tracking_id}


def test_staff_sign_ins_and_failed_logins_are_recorded_without_the_typed_login(net, client):
    client.post("/masuk/", {"login": "0812-9999-0000", "password": "salah"})
    failed = _last("login_failed")
    assert failed.ip == "127.0.0.1" and "0812" not in str(failed.detail)
    signin_staff(client, net.user("liaison"))
    assert _last("staff_signin").actor == net.user("liaison")
    client.post("/keluar/")
    client.post("/masuk/", {"login": "budi@warga.example", "password": "rahasia-123"})
    assert not AuditLog.objects.filter(action="staff_signin", actor=net.user("reporter")).exists()


def test_entries_cannot_be_changed_or_deleted(net):
    entry = AuditLog.objects.create(action="role_grant")
    entry.action = "nothing"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_the_admin_shows_the_log_read_only(net, client):
    admin = net.user("platform")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    token_make(net.user("liaison"))
    assert client.get("/admin/accounts/auditlog/").status_code == 200
    assert client.get("/admin/accounts/auditlog/add/").status_code == 403
    entry = AuditLog.objects.latest("id")
    res = client.post(f"/admin/accounts/auditlog/{entry.pk}/delete/", {"post": "yes"})
    assert res.status_code == 403 and AuditLog.objects.filter(pk=entry.pk).exists()
