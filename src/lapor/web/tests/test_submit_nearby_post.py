"""The submit form on a phone (issue #20, citizens): open reports nearby on the same topic before
filing, support instead of a duplicate, the in-form language switch, and the limits stated first."""

from django.core.files.uploadedfile import SimpleUploadedFile

from lapor.reports.models import Report
from lapor.web.models import Support

from .helpers import png_bytes, report_make

DRAFT = {
    "type": "complaint",
    "title": "Jalan berlubang besar di depan pasar",
    "body": "Jalan berlubang besar di depan pasar membahayakan pengendara motor.",
    "guest_email": "warga@example.com",
    "province": "13",
    "regency": "13.74",
}


def _open_report(net):
    report, _ = report_make(
        net,
        title="Jalan berlubang di depan pasar raya",
        body="Ada jalan berlubang besar di depan pasar, pengendara motor terjatuh.",
        topic_id=net.roads.pk,
        region_code="13.74.02",
    )
    assert report.state == "routed"  # the routing rule verified and routed it on arrival
    return report


def test_a_draft_like_an_open_report_nearby_shows_it_once_before_filing(net, client):
    existing = _open_report(net)
    photo = SimpleUploadedFile("lubang.png", png_bytes(), content_type="image/png")
    res = client.post("/lapor/", {**DRAFT, "topic": net.roads.pk, "attachments": [photo]})
    html = res.content.decode()
    assert res.status_code == 200 and Report.objects.count() == 1  # nothing filed yet
    assert 'data-testid="nearby"' in html and existing.tracking_id in html
    assert html.index('data-testid="nearby"') < html.index('name="title"')  # shown first, not below the fold
    assert 'name="nearby_seen"' in html and "lubang.png" in html  # the photo is kept for the second send
    assert "Dukung" in html and "satu akun satu dukungan" in html  # a guest is told why signing in is needed
    token = html.split('name="kept" value="')[1].split('"')[0]
    res = client.post("/lapor/", {**DRAFT, "topic": net.roads.pk, "nearby_seen": "1", "kept": token})
    assert res.status_code == 302 and Report.objects.count() == 2
    assert Report.objects.exclude(pk=existing.pk).get().attachments.count() == 1


def test_an_unrelated_draft_is_filed_at_once(net, client):
    _open_report(net)
    res = client.post(
        "/lapor/",
        {**DRAFT, "title": "Puskesmas tutup", "body": "Puskesmas tutup pada jam kerja.", "topic": net.health_topic.pk},
    )
    assert res.status_code == 302 and Report.objects.count() == 2


def test_a_citizen_supports_the_nearby_report_instead_of_filing(net, client):
    existing = _open_report(net)
    client.force_login(net.user("stranger"))
    res = client.post(f"/laporan/{existing.tracking_id}/dukung/", {"next": f"/lacak/{existing.tracking_id}/"})
    assert res.status_code == 302 and res["Location"] == f"/lacak/{existing.tracking_id}/"
    assert Support.objects.filter(report=existing).count() == 1
    html = client.get(f"/lacak/{existing.tracking_id}/").content.decode()
    assert "Didukung (1)" in html


def test_a_guest_tapping_dukung_is_told_why_and_comes_back_after_signing_in(net, client):
    existing = _open_report(net)
    res = client.post(
        f"/laporan/{existing.tracking_id}/dukung/", {"next": f"/lacak/{existing.tracking_id}/"}, follow=True
    )
    html = res.content.decode()
    assert "satu akun hanya dapat memberi satu dukungan" in html
    assert f"next=%2Flacak%2F{existing.tracking_id}%2F" in res.redirect_chain[-1][0]
    assert not Support.objects.exists()


def test_the_language_switch_inside_the_form_keeps_what_was_typed(net, client):
    photo = SimpleUploadedFile("lubang.png", png_bytes(), content_type="image/png")
    res = client.post("/lapor/", {**DRAFT, "refresh": "lang:en", "attachments": [photo]})
    html = res.content.decode()
    assert res.status_code == 200 and not Report.objects.exists()
    assert '<html lang="en">' in html and DRAFT["body"] in html and "lubang.png" in html
    assert res.cookies["django_language"].value == "en"
    assert "Tampilkan formulir dalam Bahasa Indonesia" in html


def test_the_limits_are_stated_before_choosing_a_file(net, client):
    html = client.get("/lapor/").content.decode()
    limits = html[html.index('data-testid="attach-limits"') :]
    assert html.index('data-testid="attach-limits"') < html.index('type="file"')
    assert "Paling banyak 5 berkas" in limits and "10 MB" in limits
    assert 'data-max-bytes="10485760"' in html
    assert html.count("MP3/M4A") == 1  # stated once, not again as the field's help
    assert 'aria-describedby="attach-limits"' in html


def test_region_steps_without_javascript_come_back_to_the_location(net, client):
    html = client.get("/lapor/").content.decode()
    assert 'formaction="/lapor/#lokasi"' in html and 'id="lokasi"' in html
    assert 'formaction="/lapor/#instansi"' in html


def test_support_counts_reach_the_public_api_the_staff_page_and_the_exports(net, client):
    from lapor.analytics.exports import PUBLIC_HEADER, public_rows
    from lapor.accounts.testing import signin_staff

    existing = _open_report(net)
    for key in ("stranger", "reporter"):
        supporter = client.__class__()
        supporter.force_login(net.user(key))
        supporter.post(f"/laporan/{existing.tracking_id}/dukung/", {"next": "/laporan/"})
    assert client.get(f"/api/public/reports/{existing.tracking_id}").json()["support_count"] == 2
    items = client.get("/api/public/reports").json()["items"]
    assert [i["support_count"] for i in items if i["tracking_id"] == existing.tracking_id] == [2]
    staff = client.__class__()
    signin_staff(staff, net.user("dept_admin"))
    assert 'data-testid="supports">2<' in staff.get(f"/petugas/laporan/{existing.tracking_id}/").content.decode()
    row = next(public_rows([Report.objects.get(pk=existing.pk)]))
    assert dict(zip(PUBLIC_HEADER, row))["dukungan"] == 2


def test_the_same_form_sent_twice_leads_to_its_report_not_to_itself_as_a_nearby_report(net, client):
    data = {**DRAFT, "topic": net.roads.pk, "submit_key": "k-123"}
    first = client.post("/lapor/", data)
    assert first.status_code == 302 and Report.objects.count() == 1
    again = client.post("/lapor/", data)  # the double tap on a slow link
    assert again.status_code == 302 and again["Location"] == first["Location"] and Report.objects.count() == 1
