"""The submit form: a guest or a citizen files a report through lapor.reports.services."""

from django.core.files.uploadedfile import SimpleUploadedFile

from lapor.reports.models import Attachment, Report

from .helpers import guest_submit, png_bytes, private_path


def test_guest_submits_and_gets_tracking_id_and_private_link(net, client):
    photo = SimpleUploadedFile("lubang.png", png_bytes(), content_type="image/png")
    res = client.post(
        "/lapor/",
        {
            "type": "complaint",
            "title": "Jalan berlubang",
            "body": "Lubang besar.",
            "guest_phone": "0812 3456 7890",
            "is_anonymous": "on",
            "province": "13",
            "regency": "13.74",
            "district": "13.74.02",
            "attachments": [photo],
        },
    )
    assert res.status_code == 302, res.content.decode()[:2000]
    report = Report.objects.get()
    assert report.is_anonymous and report.region_id == "13.74.02" and report.guest_phone.startswith("+62")
    assert Attachment.objects.filter(report=report).count() == 1
    page = client.get(res["Location"])
    html = page.content.decode()
    assert report.tracking_id in html
    # The private link opens the report for the guest in another browser.
    from django.test import Client

    other = Client()
    res = other.get(private_path(html))
    assert res.status_code == 302 and res["Location"].endswith(f"/lacak/{report.tracking_id}/")
    assert "Tanggapi" in other.get(res["Location"]).content.decode() or report.state == "submitted"


def test_missing_title_is_shown_next_to_the_field_in_indonesian(net, client):
    res = guest_submit(client, title="")
    assert res.status_code == 400
    html = res.content.decode()
    assert "Judul wajib diisi." in html
    assert html.index("Judul wajib diisi.") < html.index('name="body"')  # next to the title field
    assert not Report.objects.exists()


def test_missing_title_in_english_when_the_visitor_chose_english(net, client):
    client.cookies["django_language"] = "en"
    res = guest_submit(client, title="")
    assert res.status_code == 400 and "Title is required." in res.content.decode()


def test_guest_without_contact_gets_the_error_on_the_email_field(net, client):
    res = guest_submit(client, guest_email="")
    html = res.content.decode()
    assert res.status_code == 400 and "Isi e-mail atau nomor telepon" in html


def test_every_problem_of_the_form_is_shown_at_once_and_what_was_typed_stays(net, client):
    """One round trip on a slow phone: the empty title and the bad phone number both show, each
    next to its field, and the body typed so far is still in the form."""
    res = guest_submit(
        client, title="", guest_email="bukan-email", guest_phone="12", body="Lubang besar di depan pasar."
    )
    html = res.content.decode()
    assert res.status_code == 400 and "Judul wajib diisi." in html and "Nomor telepon tidak valid." in html
    assert "Alamat e-mail tidak valid" in html
    assert html.rindex("Judul wajib diisi.") < html.index('name="body"') < html.rindex("Nomor telepon tidak valid.")
    # and the summary at the top links to each field in error, before the form
    summary = html[html.index("data-error-summary") : html.index('id="report-form"')]
    assert '<a href="#id_title">Judul: Judul wajib diisi.</a>' in summary and 'href="#id_guest_phone"' in summary
    assert "Lubang besar di depan pasar." in html and not Report.objects.exists()


def test_bad_attachment_rolls_back_the_whole_report(net, client):
    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00" * 50, content_type="application/octet-stream")
    res = guest_submit(client, attachments=[bad])
    assert res.status_code == 400 and "Jenis berkas tidak diizinkan" in res.content.decode()
    assert not Report.objects.exists()


def test_region_refresh_without_javascript_shows_the_next_level(net, client):
    res = client.post("/lapor/", {"refresh": "region", "province": "13", "title": ""})
    assert res.status_code == 200
    html = res.content.decode()
    assert "Kota Padang Panjang" in html and not Report.objects.exists()


def test_signed_in_citizen_report_appears_in_my_reports(net, client):
    client.force_login(net.user("reporter"))
    res = client.post("/lapor/", {"type": "suggestion", "title": "Taman kota", "body": "Mohon tambah bangku."})
    assert res.status_code == 302
    report = Report.objects.get()
    assert report.reporter == net.user("reporter")
    assert report.tracking_id in client.get("/saya/").content.decode()


def test_csrf_is_enforced_on_the_submit_form(net):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    res = strict.post("/lapor/", {"title": "x", "body": "y", "guest_email": "a@b.example"})
    assert res.status_code == 403 and not Report.objects.exists()


def test_the_same_form_sent_twice_files_one_report(net, client):
    html = client.get("/lapor/").content.decode()
    import re

    key = re.search(r'name="submit_key" value="([^"]+)"', html).group(1)
    first = guest_submit(client, submit_key=key)
    second = guest_submit(client, submit_key=key)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Report.objects.count() == 1
    guest_submit(client, submit_key="another-form")
    assert Report.objects.count() == 2


def test_the_same_form_with_a_phone_sent_twice_files_one_report(net, client):
    """The web form's fields reach the idempotency hash as lists; a guest's phone among them is
    normalised element by element (a phone given as a bare string once broke every web submit)."""
    first = guest_submit(client, submit_key="k-phone", guest_email="", guest_phone="0812-3456-7890")
    second = guest_submit(client, submit_key="k-phone", guest_email="", guest_phone="0812-3456-7890")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Report.objects.count() == 1


def test_the_confirmation_states_whose_deadline_it_is(net, client):
    """A report routed on arrival is already verified: the page names the agency and its follow-up
    deadline (it said "akan diverifikasi paling lambat" with the follow-up date). One that waits for
    verification keeps the verification deadline."""
    res = client.post(
        "/lapor/",
        {
            "type": "complaint",
            "title": "Jalan berlubang",
            "body": "Lubang besar.",
            "guest_email": "a@example.com",
            "topic": str(net.roads.pk),
            "province": "13",
            "regency": "13.74",
            "district": "13.74.02",
        },
    )
    assert res.status_code == 302, res.content.decode()[:1000]
    report = Report.objects.get()
    html = client.get(res["Location"]).content.decode()
    assert report.state != "submitted" and report.agency is not None  # the routing rule routed it on arrival
    assert "akan diverifikasi" not in html and f"diteruskan ke {report.agency.name}" in html
    res = guest_submit(client, title="Lain")
    other = Report.objects.exclude(pk=report.pk).get()
    html = client.get(res["Location"]).content.decode()
    assert (other.state == "submitted") == ("Admin Nasional LAPOR! memverifikasi laporan ini" in html)


def test_the_same_form_key_with_another_text_is_refused(net, client):
    """The web form uses the service's idempotency (reports.services.report_submit_once): a key
    already used for another text files nothing and says so."""
    first = guest_submit(client, submit_key="k-1")
    assert first.status_code == 302 and Report.objects.count() == 1
    res = guest_submit(client, submit_key="k-1", title="Laporan yang lain sama sekali")
    assert res.status_code == 400 and Report.objects.count() == 1
    assert "Idempotency-Key sudah dipakai" in res.content.decode()
