"""Answer templates: the agency admin keeps them; staff of the agency and its units start a
follow-up from them; nobody else can touch them."""

from lapor.web.models import AnswerTemplate
from lapor.web.services import answer_template_create

from .helpers import routed_to_dept


def test_agency_admin_adds_a_template_and_the_unit_uses_it(net, client):
    client.force_login(net.user("dept_admin"))
    res = client.post(
        "/petugas/instansi/templat/",
        {
            "agency": str(net.dept.pk),
            "title": "Jalan berlubang",
            "body": "Terima kasih, tim kami menambal dalam 3 hari kerja.",
        },
    )
    assert res.status_code == 302 and AnswerTemplate.objects.count() == 1
    report, _ = routed_to_dept(net)
    from lapor.reports import services

    services.report_dispose(report=report, actor=services.Actor(user=net.user("dept_admin")), unit=net.unit)
    client.force_login(net.user("unit_staff"))
    html = client.get(f"/petugas/laporan/{report.tracking_id}/").content.decode()
    assert "Jalan berlubang (Dinas PUPR)" in html
    template = AnswerTemplate.objects.get()
    res = client.post(
        f"/petugas/laporan/{report.tracking_id}/follow_up/", {"template": str(template.pk), "use_template": "1"}
    )
    assert res.status_code == 200 and "tim kami menambal dalam 3 hari kerja" in res.content.decode()
    report.refresh_from_db()
    assert report.state == "in_progress"  # choosing a template sends nothing


def test_other_agencies_cannot_see_or_delete_templates(net, client):
    template = answer_template_create(
        agency=net.dept, user=net.user("dept_admin"), title="T", body="Rahasia dapur PUPR"
    )
    client.force_login(net.user("other_admin"))
    assert "Rahasia dapur PUPR" not in client.get("/petugas/instansi/templat/").content.decode()
    assert client.post(f"/petugas/instansi/templat/{template.pk}/hapus/").status_code == 403
    client.force_login(net.user("liaison"))
    assert client.get("/petugas/instansi/templat/").status_code == 403
    assert AnswerTemplate.objects.count() == 1
    client.force_login(net.user("dept_admin"))
    assert client.post(f"/petugas/instansi/templat/{template.pk}/hapus/").status_code == 302
    assert AnswerTemplate.objects.count() == 0
