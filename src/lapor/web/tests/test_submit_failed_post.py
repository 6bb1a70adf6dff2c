"""A failed web submission says plainly that the report was not sent and gives back everything the
citizen typed, attachments included: a field to fix, an expired form (CSRF), a server error."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from lapor.reports import services
from lapor.reports.models import Attachment, Report

from .helpers import png_bytes


def _upload(name="foto-jalan.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


FIELDS = {
    "type": "complaint",
    "title": "Jembatan retak di Jalan Merdeka",
    "body": "Retak makin lebar sejak hujan.",
    "address": "Dekat SD 12",
    "guest_name": "Sari",
    "guest_email": "sari@warga.example",
    "is_confidential": "on",
}


def _kept_tokens(html: str) -> list[str]:
    return re.findall(r'name="kept" value="([^"]+)" checked', html)


def _assert_given_back(html: str, *, title: str = FIELDS["title"]) -> None:
    assert "BELUM terkirim" in html
    assert f'value="{title}"' in html and "Retak makin lebar sejak hujan." in html
    assert 'value="Dekat SD 12"' in html and 'value="sari@warga.example"' in html and 'value="Sari"' in html
    assert re.search(r'name="is_confidential"[^>]*checked', html)
    assert "foto-jalan.png" in html  # the file is still there, no need to choose it again


def test_a_field_to_fix_gives_back_text_and_files_which_are_attached_on_resend(net, client):
    res = client.post("/lapor/", {**FIELDS, "title": "", "attachments": _upload()})
    assert res.status_code == 400
    html = res.content.decode()
    _assert_given_back(html, title="")
    tokens = _kept_tokens(html)
    assert len(tokens) == 1
    assert Report.objects.count() == 0
    res = client.post("/lapor/", {**FIELDS, "kept": tokens})
    assert res.status_code == 302
    report = Report.objects.get()
    attachment = Attachment.objects.get(report=report)
    assert attachment.original_name == "foto-jalan.png"
    # a stashed file is used once: the same token again attaches nothing
    res = client.post("/lapor/", {**FIELDS, "title": "Laporan lain", "submit_key": "k2", "kept": tokens})
    assert res.status_code == 302 and Attachment.objects.count() == 1


def test_an_expired_form_gives_everything_back(net):
    client = Client(enforce_csrf_checks=True)
    client.get("/lapor/")  # the CSRF cookie of the form …
    client.cookies["csrftoken"] = "x" * 32  # … which then changed (expired session, another tab)
    res = client.post(
        "/lapor/",
        {**FIELDS, "csrfmiddlewaretoken": "y" * 32, "attachments": _upload()},
        HTTP_ORIGIN="http://testserver",
    )
    assert res.status_code == 403
    html = res.content.decode()
    _assert_given_back(html)
    assert "token keamanan kedaluwarsa" in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    res = client.post("/lapor/", {**FIELDS, "csrfmiddlewaretoken": token, "kept": _kept_tokens(html)})
    assert res.status_code == 302
    assert Attachment.objects.filter(report=Report.objects.get()).count() == 1


def test_a_form_from_another_site_is_not_given_back(net):
    client = Client(enforce_csrf_checks=True)
    for headers in ({"HTTP_ORIGIN": "https://jahat.example"}, {"HTTP_REFERER": "https://jahat.example/x"}, {}):
        res = client.post("/lapor/", {**FIELDS, "attachments": _upload()}, **headers)
        html = res.content.decode()
        assert res.status_code == 403 and "Jembatan retak" not in html and "foto-jalan.png" not in html
        assert "Formulir ini sudah kedaluwarsa" in html  # the site's 403 page, in Indonesian


def test_a_server_error_gives_everything_back(net, client, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "report_submit", broken)
    res = client.post("/lapor/", {**FIELDS, "attachments": _upload()})
    assert res.status_code == 500
    html = res.content.decode()
    _assert_given_back(html)
    assert "gangguan di server" in html
    monkeypatch.undo()
    res = client.post("/lapor/", {**FIELDS, "kept": _kept_tokens(html)})
    assert res.status_code == 302 and Attachment.objects.count() == 1


def test_in_english(net, client):
    client.cookies["django_language"] = "en"
    res = client.post("/lapor/", {**FIELDS, "title": "", "attachments": _upload()})
    html = res.content.decode()
    assert res.status_code == 400 and "Your report was NOT sent." in html and "foto-jalan.png" in html
    assert "Files you already chose" in html


def test_unknown_or_forged_stash_tokens_attach_nothing(net, client, tmp_path):
    res = client.post("/lapor/", {**FIELDS, "kept": ["../../secret_key", "A" * 32, "x"]})
    assert res.status_code == 302 and Attachment.objects.count() == 0


@pytest.mark.parametrize("n_kept", [5])
def test_kept_and_new_files_together_respect_the_limit(net, client, n_kept):
    res = client.post("/lapor/", {**FIELDS, "title": "", "attachments": [_upload(f"f{i}.png") for i in range(n_kept)]})
    tokens = _kept_tokens(res.content.decode())
    assert len(tokens) == 5
    res = client.post("/lapor/", {**FIELDS, "kept": tokens, "attachments": _upload("keenam.png")})
    assert res.status_code == 400 and "Paling banyak 5 lampiran." in res.content.decode()
    assert Report.objects.count() == 0


def test_when_the_stash_is_full_the_page_asks_for_the_file_again(net, client, monkeypatch):
    from lapor.web import stash

    monkeypatch.setattr(stash, "MAX_TOTAL_BYTES", 10)  # smaller than the photo
    res = client.post("/lapor/", {**FIELDS, "title": "", "attachments": _upload()})
    html = res.content.decode()
    assert res.status_code == 400 and not _kept_tokens(html)
    assert "foto-jalan.png: tidak dapat kami simpan, pilih berkas ini sekali lagi." in html
    assert not (stash._root()).exists() or not any(stash._root().iterdir())
