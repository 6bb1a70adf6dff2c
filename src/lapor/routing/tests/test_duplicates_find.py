"""Likely duplicates: similar text, same area, recent, open."""

from lapor.reports import services as s
from lapor.reports.models import Report


def submit(net, title, body, region="13.74.02.1001", user="reporter", **kw):
    report, _ = s.report_submit(
        submission=s.Submission(title=title, body=body, region_code=region, **kw), reporter=net.user(user)
    )
    return report


def test_similar_reports_in_the_same_district_are_found(net, api):
    original = submit(
        net, "Jembatan gantung putus", "Jembatan gantung di Bukit Surungan putus, warga tidak bisa menyeberang sungai"
    )
    submit(net, "Sampah menumpuk", "Sampah di pasar tidak diangkut sejak minggu lalu")
    submit(
        net, "Jembatan gantung putus", "Jembatan gantung putus warga menyeberang sungai", region="13.71"
    )  # other city
    new = submit(
        net,
        "Jembatan putus",
        "Jembatan gantung putus sejak kemarin, warga terpaksa menyeberang sungai",
        user="stranger",
    )
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
    confidential = submit(
        net,
        "Pungli di kantor kelurahan",
        "Petugas kelurahan meminta uang pungli untuk surat pengantar",
        is_confidential=True,
    )
    s.report_route(report=confidential, actor=s.Actor(user=net.user("platform")), agency=net.city)
    public = submit(net, "Pungli surat pengantar", "Petugas kelurahan meminta uang untuk surat pengantar KTP")
    s.report_route(report=public, actor=s.Actor(user=net.user("platform")), agency=net.city)
    res = api.post(
        "/api/routing/similar",
        {"title": "Pungli", "body": "petugas kelurahan minta uang surat pengantar", "region_code": "13.74.02"},
    )
    assert [r["tracking_id"] for r in res.json()] == [public.tracking_id]


def test_cluster_answers_every_report_once(net, api):
    reports = [submit(net, "Banjir", f"Banjir di jalan utama rumah warga {i} terendam") for i in range(3)]
    for r in reports:
        assert Report.objects.get(pk=r.pk).state == "submitted"
        s.report_route(report=r, actor=s.Actor(user=net.user("platform")), agency=net.dept)
    res = api.post(
        "/api/routing/clusters",
        {"title": "Banjir jalan utama", "tracking_ids": [r.tracking_id for r in reports]},
        user=net.user("liaison"),
    )
    assert res.status_code == 201, res.content
    res = api.post(
        f"/api/routing/clusters/{res.json()['id']}/follow-up",
        {"body": "Pompa air sudah dikerahkan ke lokasi."},
        user=net.user("liaison"),
    )
    assert sorted(res.json()["followed_up"]) == sorted(r.tracking_id for r in reports)
    assert set(Report.objects.filter(pk__in=[r.pk for r in reports]).values_list("state", flat=True)) == {"followed_up"}


def test_outsiders_cannot_cluster_or_link(net, api):
    a = submit(net, "Banjir", "Banjir di jalan utama rumah warga terendam")
    b = submit(net, "Banjir lagi", "Banjir di jalan utama rumah warga terendam air")
    for r in (a, b):
        s.report_route(report=r, actor=s.Actor(user=net.user("platform")), agency=net.dept)
    res = api.post(
        "/api/routing/clusters",
        {"title": "x", "tracking_ids": [a.tracking_id, b.tracking_id]},
        user=net.user("other_admin"),
    )
    assert res.status_code == 404
    res = api.post(f"/api/routing/reports/{a.tracking_id}/links", {"other": b.tracking_id}, user=net.user("overseer"))
    assert res.status_code == 403


def _routed(net, title, body, agency, **kw):
    report = submit(net, title, body, **kw)
    s.report_route(report=report, actor=s.Actor(user=net.user("platform")), agency=agency)
    return report


def test_the_public_similarity_check_shows_an_anonymous_report_as_the_public_sees_it(net, api):
    """A guest's "similar reports" answer: never the stored title of an anonymous report with the
    reporter's name in it, and a guessed name does not find the report either."""
    report, _ = s.report_submit(
        submission=s.Submission(
            title="Pungli surat pengantar, lapor oleh Zubaidah",
            body="Petugas kelurahan meminta uang untuk surat pengantar KTP. Saya Zubaidah Lubis.",
            region_code="13.74.02.1001",
            is_anonymous=True,
            guest_name="Zubaidah Lubis",
            guest_email="z@warga.example",
        )
    )
    s.report_route(report=report, actor=s.Actor(user=net.user("platform")), agency=net.city)
    res = api.post(
        "/api/routing/similar",
        {
            "title": "Pungli surat pengantar",
            "body": "petugas kelurahan minta uang surat pengantar KTP",
            "region_code": "13.74.02",
        },
    )
    assert res.status_code == 200
    [found] = res.json()
    assert found["tracking_id"] == report.tracking_id and "Zubaidah" not in res.content.decode()
    assert found["title"] == "Pungli surat pengantar, lapor oleh [nama disamarkan]"
    guess = api.post(
        "/api/routing/similar",
        {"title": "Zubaidah Lubis", "body": "Zubaidah Lubis Zubaidah", "region_code": "13.74.02"},
    )
    assert guess.status_code == 200 and guess.json() == []


def test_a_cluster_answer_names_and_answers_only_reports_in_the_callers_scope(net, api):
    mine = [_routed(net, "Banjir", f"Banjir di jalan utama rumah warga {i} terendam", net.dept) for i in range(2)]
    theirs = _routed(net, "Banjir", "Banjir di jalan utama rumah warga terendam", net.other_dept, region="13.71")
    res = api.post(
        "/api/routing/clusters",
        {"title": "Banjir", "tracking_ids": [r.tracking_id for r in (*mine, theirs)]},
        user=net.user("platform"),
    )
    assert res.status_code == 201, res.content
    cluster_id = res.json()["id"]
    res = api.post(
        f"/api/routing/clusters/{cluster_id}/follow-up",
        {"body": "Pompa air sudah dikerahkan."},
        user=net.user("liaison"),
    )
    assert res.status_code == 200, res.content
    assert sorted(res.json()["followed_up"]) == sorted(r.tracking_id for r in mine)
    assert theirs.tracking_id not in res.content.decode()
    assert Report.objects.get(pk=theirs.pk).state == "routed"
    # a caller with no report of the cluster in scope learns nothing
    res = api.post(f"/api/routing/clusters/{cluster_id}/follow-up", {"body": "x"}, user=net.user("health_admin"))
    assert res.status_code == 403 and theirs.tracking_id not in res.content.decode()


def test_archiving_as_a_duplicate_accepts_only_an_original_in_the_callers_scope(net, api):
    from lapor.reports.models import ReportEvent

    report = _routed(net, "Banjir", "Banjir di jalan utama", net.dept)
    elsewhere = _routed(net, "Banjir", "Banjir di jalan utama kota lain", net.other_dept, region="13.71")
    res = api.post(
        f"/api/reports/{report.tracking_id}/archive",
        {"reason": "duplicate", "duplicate_of": elsewhere.tracking_id},
        user=net.user("dept_admin"),
    )
    assert res.status_code == 404 and res.json()["code"] == "unknown_report"
    assert Report.objects.get(pk=report.pk).state == "routed"
    assert not ReportEvent.objects.filter(report=report, action="archive").exists()
    original = _routed(net, "Banjir", "Banjir di jalan utama dekat pasar", net.dept)
    res = api.post(
        f"/api/reports/{report.tracking_id}/archive",
        {"reason": "duplicate", "duplicate_of": original.tracking_id},
        user=net.user("dept_admin"),
    )
    assert res.status_code == 200, res.content
    assert Report.objects.get(pk=report.pk).duplicate_of_id == original.pk
