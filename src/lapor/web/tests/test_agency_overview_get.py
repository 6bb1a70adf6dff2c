"""The agency admin's overview: own units, staff and deadlines; nobody else's."""


def test_agency_admin_sees_units_staff_and_overridden_deadline(net, client):
    net.dept.deadline_overrides = {"follow_up": 7}
    net.dept.save()
    client.force_login(net.user("dept_admin"))
    html = client.get("/petugas/instansi/").content.decode()
    assert "Bidang Bina Marga" in html and "Penghubung PUPR" in html and "Staf Bina Marga" in html
    assert "7 (khusus instansi ini)" in html
    assert "Dinas Kesehatan" not in html and "Penghubung Padang" not in html


def test_liaison_and_citizen_cannot_open_it(net, client):
    client.force_login(net.user("liaison"))
    assert client.get("/petugas/instansi/").status_code == 403
    client.force_login(net.user("reporter"))
    assert client.get("/petugas/instansi/").status_code == 403
