"""Action plans are managed from the web (issue 20: the page once said "Dikelola lewat API: POST …")."""

from __future__ import annotations

from lapor.analytics.models import ActionPlan


def _new(net, **over):
    return {
        "agency": str(net.dept.pk),
        "topic": str(net.roads.pk),
        "title": "Tambal jalan rusak",
        "owner": "Kabid Bina Marga",
        "due_date": "2026-09-30",
        "progress": "20",
        "status": "in_progress",
        **over,
    }


def test_an_agency_admin_adds_a_plan_and_updates_its_progress(net, client):
    client.force_login(net.user("dept_admin"))
    html = client.get("/analytics/rencana-aksi").content.decode()
    assert "Dikelola lewat API" not in html and "Tambah rencana aksi" in html
    res = client.post("/analytics/rencana-aksi", _new(net))
    assert res.status_code == 302
    plan = ActionPlan.objects.get()
    assert (plan.agency_id, plan.topic_id, plan.progress, plan.created_by) == (
        net.dept.pk,
        net.roads.pk,
        20,
        net.user("dept_admin"),
    )
    res = client.post(f"/analytics/rencana-aksi/{plan.pk}", {"progress": "60", "status": "in_progress"})
    assert res.status_code == 302
    plan.refresh_from_db()
    assert plan.progress == 60
    html = client.get("/analytics/rencana-aksi").content.decode()
    assert "Rencana aksi \u201cTambal jalan rusak\u201d diperbarui." in html and "60% terlaksana" in html


def test_bad_input_is_a_clear_400_and_nothing_is_written(net, client):
    client.force_login(net.user("dept_admin"))
    res = client.post("/analytics/rencana-aksi", _new(net, progress="150", title=""))
    assert res.status_code == 400 and ActionPlan.objects.count() == 0
    assert 'role="alert"' in res.content.decode() or "errorlist" in res.content.decode()


def test_who_may_not_edit_gets_no_form_and_a_refusal(net, client):
    client.force_login(net.user("dept_admin"))
    client.post("/analytics/rencana-aksi", _new(net))
    plan = ActionPlan.objects.get()
    client.force_login(net.user("liaison"))  # a liaison reads plans, an admin writes them
    html = client.get("/analytics/rencana-aksi").content.decode()
    assert "Tambal jalan rusak" in html and "Tambah rencana aksi" not in html and "Perbarui kemajuan" not in html
    res = client.post(f"/analytics/rencana-aksi/{plan.pk}", {"progress": "90", "status": "done"})
    assert res.status_code == 403
    plan.refresh_from_db()
    assert plan.progress == 20
    client.force_login(net.user("health_admin"))  # another agency's admin cannot add a plan for PUPR
    res = client.post("/analytics/rencana-aksi", _new(net))
    assert res.status_code == 400 and ActionPlan.objects.count() == 1
