"""Anonymous reporters: only a platform admin can look, every look is audited; attachments are
downloaded through a permission check."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lapor.reports import services
from lapor.reports.models import Attachment, ReportEvent

from .helpers import png_bytes, report_make, routed_to_dept


def test_platform_admin_reveals_an_anonymous_reporter_and_it_is_audited(net, client):
    report, _ = report_make(net, user=net.user("reporter"), is_anonymous=True)
    client.force_login(net.user("platform"))
    html = client.get(f"/petugas/laporan/{report.tracking_id}/").content.decode()
    assert "Budi" not in html and "/identitas/" in html
    res = client.post(f"/petugas/laporan/{report.tracking_id}/identitas/", {"reason": "Verifikasi identitas"})
    assert res.status_code == 200 and "Budi Santoso" in res.content.decode()
    assert ReportEvent.objects.filter(report=report, kind="identity_viewed", is_public=False).count() == 1


def test_agency_staff_cannot_reveal(net, client):
    report, _ = report_make(net, user=net.user("reporter"), is_anonymous=True)
    services.report_route(report=report, actor=services.Actor(user=net.user("platform")), agency=net.dept)
    client.force_login(net.user("dept_admin"))
    assert "/identitas/" not in client.get(f"/petugas/laporan/{report.tracking_id}/").content.decode()
    res = client.post(f"/petugas/laporan/{report.tracking_id}/identitas/", {"reason": "ingin tahu"})
    assert res.status_code == 403 and "Budi" not in res.content.decode()
    assert not ReportEvent.objects.filter(report=report, kind="identity_viewed").exists()


def test_follow_up_with_a_photo_reaches_the_guest_and_not_other_staff(net, client):
    report, secret = routed_to_dept(net)
    client.force_login(net.user("liaison"))
    photo = SimpleUploadedFile("hasil.png", png_bytes(), content_type="image/png")
    res = client.post(
        f"/petugas/laporan/{report.tracking_id}/follow_up/",
        {"follow_up-body": "Sudah diperbaiki, lihat foto.", "follow_up-attachments": [photo], "send_anyway": "1"},
    )
    assert res.status_code == 302
    att = Attachment.objects.get(report=report)
    url = f"/lacak/{report.tracking_id}/lampiran/{att.pk}/"
    guest = Client()
    assert guest.get(url).status_code == 404  # no secret yet
    guest.get(f"/lacak/{report.tracking_id}/k/{secret}/")
    assert url in guest.get(f"/lacak/{report.tracking_id}/").content.decode()
    res = guest.get(url)
    assert res.status_code == 200 and res["Content-Security-Policy"].startswith("default-src 'none'")
    other = Client()
    other.force_login(net.user("other_admin"))
    assert other.get(url).status_code == 404


def test_preferences_save_language_and_channels(net, client):
    client.force_login(net.user("reporter"))
    res = client.post("/saya/pengaturan/", {"language": "en", "notify_by": ["sms", "web"]})
    assert res.status_code == 302
    user = net.user("reporter")
    user.refresh_from_db()
    assert user.language == "en" and user.notify_by == ["sms", "web"]
    assert "Settings" in client.get("/saya/pengaturan/").content.decode()


def test_domain_error_escaping_a_page_is_a_friendly_4xx(net, client, monkeypatch):
    from lapor.core.errors import Conflict
    from lapor.web.views import public

    def boom(**kwargs):
        raise Conflict("Sudah ada.")

    monkeypatch.setattr(public.selectors, "home_counters", lambda: boom())
    res = client.get("/")
    assert res.status_code == 409 and "Sudah ada." in res.content.decode()


def test_staff_pages_show_an_anonymous_reports_text_masked(net, client):
    """Issue 14, item 1: the staff report page and the inbox (list and search) printed the stored
    title, body and address of an anonymous report: the reporter's name, NIK, phone and e-mail typed
    into the text reached every agency role."""
    reporter = net.user("reporter")
    reporter.full_name = "Zubaidah Kanarimurni"
    reporter.save(update_fields=["full_name"])
    canaries = ("Zubaidah", "Kanarimurni", "3174012345678901", "081298765432", "zub.kanari@contoh.id")
    report, _ = report_make(
        net,
        user=reporter,
        is_anonymous=True,
        title="Pungli di kantor, lapor Zubaidah Kanarimurni",
        body="Saya Zubaidah Kanarimurni (NIK 3174012345678901, HP 081298765432, "
        "zub.kanari@contoh.id) dimintai uang. Jalan berlubang.",
        address="Rumah Zubaidah Kanarimurni, Jl. Melati 3",
    )
    services.report_route(report=report, actor=services.Actor(user=net.user("platform")), agency=net.dept)
    for role in ("platform", "dept_admin", "liaison", "overseer"):
        client.force_login(net.user(role))
        pages = [f"/petugas/laporan/{report.tracking_id}/", "/petugas/", "/petugas/?q=berlubang", "/petugas/?tab=all"]
        for url in pages:
            res = client.get(url)
            html = res.content.decode()
            assert res.status_code == 200, (role, url)
            assert report.tracking_id in html, (role, url)
            leaked = [c for c in canaries if c in html]
            assert not leaked, (role, url, leaked)
    client.force_login(reporter)  # the reporter reads their own words
    assert "Kanarimurni" in client.get(f"/lacak/{report.tracking_id}/").content.decode()
