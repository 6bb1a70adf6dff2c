"""Agency admins manage their own units, staff roles and deadline overrides — only inside their subtree."""

from lapor.accounts.models import RoleAssignment
from lapor.agencies.models import Agency
from lapor.accounts.testing import signin_staff, user_make


def test_agency_admin_adds_a_unit_sets_deadlines_and_grants_a_role(net, client):
    signin_staff(client, net.user("dept_admin"))
    res = client.post(f"/petugas/instansi/{net.dept.pk}/unit/", {"name": "Bidang Jembatan"})
    assert res.status_code == 302
    unit = Agency.objects.get(name="Bidang Jembatan")
    assert unit.parent == net.dept and unit.path.startswith(net.dept.path) and unit.kind == "unit"

    client.post(f"/petugas/instansi/{net.dept.pk}/batas-waktu/", {"follow_up": "7", "verify": ""})
    net.dept.refresh_from_db()
    assert net.dept.deadline_overrides == {"follow_up": 7}

    newcomer = user_make("Petugas Baru", email="baru@pemda.example")
    client.post(
        f"/petugas/instansi/{net.dept.pk}/petugas/",
        {"email": "baru@pemda.example", "role": "liaison", "unit": str(unit.pk)},
    )
    assignment = RoleAssignment.objects.get(user=newcomer)
    assert (assignment.role, assignment.agency) == ("liaison", unit)
    page = client.get("/petugas/instansi/").content.decode()
    assert "Petugas Baru" in page and "Bidang Jembatan" in page

    client.post(f"/petugas/instansi/peran/{assignment.pk}/cabut/")
    assert not RoleAssignment.objects.filter(user=newcomer).exists()


def test_out_of_scope_and_bad_input_are_refused(net, client):
    signin_staff(client, net.user("dept_admin"))
    assert client.post(f"/petugas/instansi/{net.other_dept.pk}/unit/", {"name": "Bidang Liar"}).status_code == 403
    assert client.post(f"/petugas/instansi/{net.city.pk}/batas-waktu/", {"follow_up": "2"}).status_code == 403
    client.post(f"/petugas/instansi/{net.dept.pk}/batas-waktu/", {"follow_up": "500"})
    net.dept.refresh_from_db()
    assert net.dept.deadline_overrides == {}
    client.post(f"/petugas/instansi/{net.dept.pk}/petugas/", {"email": "tidak.ada@pemda.example", "role": "liaison"})
    client.post(
        f"/petugas/instansi/{net.dept.pk}/petugas/", {"email": net.user("stranger").email, "role": "platform_admin"}
    )
    assert not RoleAssignment.objects.filter(user=net.user("stranger")).exists()
    other = RoleAssignment.objects.get(user=net.user("other_liaison"))
    assert client.post(f"/petugas/instansi/peran/{other.pk}/cabut/").status_code == 403


def test_liaisons_cannot_manage_the_agency(net, client):
    signin_staff(client, net.user("liaison"))
    assert client.post(f"/petugas/instansi/{net.dept.pk}/unit/", {"name": "Bidang X"}).status_code == 403
