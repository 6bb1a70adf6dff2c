"""Likely duplicates: similar text, same area, recent, open."""
from lapor.reports import services as s
from lapor.reports.models import Report


def submit(net, title, body, region="13.74.02.1001", user="reporter", **kw):
    report, _ = s.report_submit(submission=s.Submission(title=title, body=body, region_code=region, **kw),
                                reporter=net.user(user))
    return report


def test_similar_reports_in_the_same_district_are_found(net, api):
    original = submit(net, "Jembatan gantung putus", "Jembatan gantung di Bukit Surungan putus, warga tidak bisa menyeberang sungai")
    submit(net, "Sampah menumpuk", "Sampah di pasar tidak diangkut sejak minggu lalu")
    submit(net, "Jembatan gantung putus", "Jembatan gantung putus warga menyeberang sungai", region="13.71")  # other city
    new = submit(net, "Jembatan putus", "Jembatan gantung putus sejak kemarin, warga terpaksa menyeberang sungai", user="stranger")
    res = api.get(f"/api/routing/reports/{new.tracking_id}/duplicates", user=net.user("platform"))
    assert res.status_code == 200, res.content
    found = res.json()
    assert [f["tracking_id"] for f in found] == [original.tracking_id]
    assert 0.3 <= found[0]["similarity"] <= 1


def test_closed_reports_are_not_duplicates(net, api):
    original = submit(net, "Lampu jalan mati", "Lampu jalan di gang mawar mati total sudah seminggu gelap")
    s.report_archive(report=original, actor=s.Actor(user=net.user("platform")), reason="too_general")
    new = submit(net, "Lampu jalan mati", "Lampu jalan gang mawar mati total seminggu gelap gulita", user="stranger")
    assert api.get(f"/api/routing/reports/{new.tracking_id}/duplicates", user=net.user("platform")).json() == []


def test_public_similarity_check_never_shows_confidential_reports(net, api):
    confidential = submit(net, "Pungli di kantor kelurahan", "Petugas kelurahan meminta uang pungli untuk surat pengantar",
                          is_confidential=True)
    s.report_route(report=confidential, actor=s.Actor(user=net.user("platform")), agency=net.city)
    public = submit(net, "Pungli surat pengantar", "Petugas kelurahan meminta uang untuk surat pengantar KTP")
    s.report_route(report=public, actor=s.Actor(user=net.user("platform")), agency=net.city)
    res = api.post("/api/routing/similar", {"title": "Pungli", "body": "petugas kelurahan minta uang surat pengantar",
                                            "region_code": "13.74.02"})
    assert [r["tracking_id"] for r in res.json()] == [public.tracking_id]


def test_cluster_answers_every_report_once(net, api):
    reports = [submit(net, "Banjir", f"Banjir di jalan utama rumah warga {i} terendam") for i in range(3)]
    for r in reports:
        assert Report.objects.get(pk=r.pk).state == "submitted"
        s.report_route(report=r, actor=s.Actor(user=net.user("platform")), agency=net.dept)
    res = api.post("/api/routing/clusters", {"title": "Banjir jalan utama", "tracking_ids": [r.tracking_id for r in reports]},
                   user=net.user("liaison"))
    assert res.status_code == 201, res.content
    res = api.post(f"/api/routing/clusters/{res.json()['id']}/follow-up",
                   {"body": "Pompa air sudah dikerahkan ke lokasi."}, user=net.user("liaison"))
    assert sorted(res.json()["followed_up"]) == sorted(r.tracking_id for r in reports)
    assert set(Report.objects.filter(pk__in=[r.pk for r in reports]).values_list("state", flat=True)) == {"followed_up"}


def test_outsiders_cannot_cluster_or_link(net, api):
    a = submit(net, "Banjir", "Banjir di jalan utama rumah warga terendam")
    b = submit(net, "Banjir lagi", "Banjir di jalan utama rumah warga terendam air")
    for r in (a, b):
        s.report_route(report=r, actor=s.Actor(user=net.user("platform")), agency=net.dept)
    res = api.post("/api/routing/clusters", {"title": "x", "tracking_ids": [a.tracking_id, b.tracking_id]},
                   user=net.user("other_admin"))
    assert res.status_code == 404
    res = api.post(f"/api/routing/reports/{a.tracking_id}/links", {"other": b.tracking_id}, user=net.user("overseer"))
    assert res.status_code == 403
