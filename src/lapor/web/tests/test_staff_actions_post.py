"""The staff workspace: scope, masking, and actions that go through lapor.reports.services."""

from lapor.reports import services
from lapor.reports.models import Report

from .helpers import report_make, routed_to_dept


def test_inbox_lists_reports_in_scope_with_tab_counts(net, client):
    mine, _ = routed_to_dept(net, title="Jalan rusak di PUPR")
    other, _ = report_make(net, title="Laporan belum diverifikasi")
    client.force_login(net.user("dept_admin"))
    html = client.get("/petugas/").content.decode()
    assert mine.tracking_id in html and other.tracking_id not in html
    client.force_login(net.user("platform"))
    html = client.get("/petugas/?tab=verify").content.decode()
    assert other.tracking_id in html and mine.tracking_id not in html


def test_citizen_cannot_open_the_inbox(net, client):
    client.force_login(net.user("reporter"))
    assert client.get("/petugas/").status_code == 403


def test_staff_of_another_agency_gets_404(net, client):
    report, _ = routed_to_dept(net)
    client.force_login(net.user("other_admin"))
    assert client.get(f"/petugas/laporan/{report.tracking_id}/").status_code == 404
    res = client.post(f"/petugas/laporan/{report.tracking_id}/note/", {"note-body": "x"})
    assert res.status_code == 404


def test_liaison_never_sees_the_anonymous_reporters_name(net, client):
    report, _ = report_make(net, user=net.user("reporter"), is_anonymous=True)
    services.report_route(report=report, actor=services.Actor(user=net.user("platform")), agency=net.dept)
    client.force_login(net.user("liaison"))
    html = client.get(f"/petugas/laporan/{report.tracking_id}/").content.decode()
    assert "Anonim" in html and "Budi" not in html and "budi@warga.example" not in html


def test_platform_routes_with_the_agency_picker(net, client):
    report, _ = report_make(net)
    client.force_login(net.user("platform"))
    html = client.get(f"/petugas/laporan/{report.tracking_id}/").content.decode()
    assert 'data-action="route"' in html and 'data-action="follow_up"' not in html
    # Without JS: search first, then choose.
    res = client.post(f"/petugas/laporan/{report.tracking_id}/route/", {"route-agency_q": "PUPR", "search": "1"})
    assert res.status_code == 200 and f'value="{net.dept.pk}"' in res.content.decode()
    res = client.post(
        f"/petugas/laporan/{report.tracking_id}/route/", {"route-agency": str(net.dept.pk), "route-reason": ""}
    )
    assert res.status_code == 302
    report.refresh_from_db()
    assert report.state == "routed" and report.agency == net.dept


def test_wrong_state_action_shows_409_message_not_500(net, client):
    report, _ = routed_to_dept(net)
    client.force_login(net.user("dept_admin"))
    services.report_postpone(
        report=report, actor=services.Actor(user=net.user("dept_admin")), reason="Menunggu anggaran"
    )
    res = client.post(f"/petugas/laporan/{report.tracking_id}/postpone/", {"postpone-reason": "lagi"})
    assert res.status_code == 409
    assert "Tindakan tidak dapat dilakukan" in res.content.decode()


def test_missing_reason_is_shown_on_the_form(net, client):
    report, _ = routed_to_dept(net)
    client.force_login(net.user("liaison"))
    res = client.post(f"/petugas/laporan/{report.tracking_id}/not_authority/", {"not_authority-reason": ""})
    assert res.status_code == 409 and "Alasan wajib diisi" in res.content.decode()


def test_dispose_follow_up_and_archive_duplicate(net, client):
    report, _ = routed_to_dept(net)
    client.force_login(net.user("dept_admin"))
    res = client.post(f"/petugas/laporan/{report.tracking_id}/dispose/", {"dispose-unit": str(net.unit.pk)})
    assert res.status_code == 302
    client.force_login(net.user("unit_staff"))
    res = client.post(
        f"/petugas/laporan/{report.tracking_id}/follow_up/", {"follow_up-body": "Sudah ditambal.", "send_anyway": "1"}
    )
    assert res.status_code == 302
    assert Report.objects.get(pk=report.pk).state == "followed_up"

    dup, _ = report_make(net, title="Laporan ganda")
    client.force_login(net.user("platform"))
    res = client.post(f"/petugas/laporan/{dup.tracking_id}/archive/", {"archive-archive_reason": "duplicate"})
    assert res.status_code == 400 and "laporan asli" in res.content.decode().lower()
    res = client.post(
        f"/petugas/laporan/{dup.tracking_id}/archive/",
        {"archive-archive_reason": "duplicate", "archive-duplicate_of": report.tracking_id},
    )
    assert res.status_code == 302
    dup.refresh_from_db()
    assert dup.state == "archived" and dup.duplicate_of_id == report.pk


def test_bulk_archive_from_the_inbox(net, client):
    a, _ = report_make(net, title="Spam satu")
    b, _ = report_make(net, title="Spam dua")
    client.force_login(net.user("platform"))
    res = client.post(
        "/petugas/massal/",
        {"report": [a.tracking_id, b.tracking_id], "bulk_action": "archive", "archive-archive_reason": "spam"},
    )
    assert res.status_code == 200
    assert set(Report.objects.values_list("state", flat=True)) == {"archived"}


def test_platform_admin_completes_a_followed_up_report(net, client):
    report, _ = routed_to_dept(net)
    services.report_follow_up(report=report, actor=services.Actor(user=net.user("liaison")), body="Selesai dikerjakan.")
    client.force_login(net.user("platform"))
    assert 'data-action="complete"' in client.get(f"/petugas/laporan/{report.tracking_id}/").content.decode()
    assert client.post(f"/petugas/laporan/{report.tracking_id}/complete/").status_code == 302
    assert Report.objects.get(pk=report.pk).state == "done"
    client.force_login(net.user("liaison"))
    assert client.post(f"/petugas/laporan/{report.tracking_id}/complete/").status_code == 409


def test_routing_screen_shows_the_rule_suggestion_and_likely_duplicates(net, client):
    from lapor.reports import services as s

    first, _ = s.report_submit(
        submission=s.Submission(
            title="Jembatan gantung putus",
            target_agency_id=net.city.pk,
            body="Jembatan gantung putus, warga tidak bisa menyeberang sungai",
            topic_id=net.roads.pk,
            region_code="13.74.02.1001",
        ),
        reporter=net.user("reporter"),
    )
    second, _ = s.report_submit(
        submission=s.Submission(
            title="Jembatan putus",
            target_agency_id=net.city.pk,
            body="Jembatan gantung putus sejak kemarin, warga menyeberang sungai",
            topic_id=net.roads.pk,
            region_code="13.74.02.1001",
        ),
        reporter=net.user("stranger"),
    )
    client.force_login(net.user("platform"))
    page = client.get(f"/petugas/laporan/{second.tracking_id}/").content.decode()
    assert "Saran disposisi" in page and 'name="route-agency" value="%d"' % net.dept.pk in page
    assert "Kemungkinan duplikat" in page and first.tracking_id in page
    res = client.post(f"/petugas/laporan/{second.tracking_id}/route/", {"route-agency": net.dept.pk, "go": "1"})
    assert res.status_code == 302
    second.refresh_from_db()
    assert second.agency == net.dept


def test_work_tabs_count_what_is_in_the_agencys_hands_and_all_keeps_the_history(net, client):
    import re

    here, _ = routed_to_dept(net, title="Jalan rusak di PUPR")
    away, _ = routed_to_dept(net, title="Salah alamat")
    services.report_forward(
        report=away,
        actor=services.Actor(user=net.user("dept_admin")),
        agency=net.health,
        reason="Urusan Dinas Kesehatan",
    )
    Report.objects.filter(pk__in=[here.pk, away.pk]).update(is_overdue=True)
    client.force_login(net.user("dept_admin"))
    html = client.get("/petugas/?tab=overdue").content.decode()
    assert here.tracking_id in html and away.tracking_id not in html  # no longer this agency's work
    counts = dict(re.findall(r'\?tab=(\w+)[^>]*>[^<]*<span class="count">(\d+)</span>', html))
    assert counts["agency"] == "1" and counts["overdue"] == "1" and "all" not in counts
    html = client.get("/petugas/?tab=all").content.decode()
    assert here.tracking_id in html and away.tracking_id in html  # the history stays visible
