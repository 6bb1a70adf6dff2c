"""The reporter's reply on the track page takes files (the guest through the private link, the
signed-in citizen on their report): stored with the reply, shown in the timeline through the
projection, staff told as for any reply; a refused file says why in the reader's language and gives
back the typed text and the other files."""

import io
import re

from django.test import Client

from lapor.notifications.models import OutboxMessage
from lapor.reports import services
from lapor.reports.models import Attachment, Message, Report
from lapor.reports.projection import lens_for

from .helpers import png_bytes, report_make, routed_to_dept

EXE = b"MZ\x90\x00 this is not a photo"


def _file(name: str, data: bytes) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def _answer(net, report) -> Report:
    services.report_follow_up(report=report, actor=services.Actor(user=net.user("liaison")), body="Sudah kami cek.")
    return Report.objects.get(pk=report.pk)


def _guest(report, secret, lang: str = "id") -> Client:
    client = Client()
    if lang != "id":
        client.cookies["django_language"] = lang
    assert client.get(f"/lacak/{report.tracking_id}/k/{secret}/").status_code == 302
    return client


def test_the_guest_replies_with_a_photo_through_the_private_link(net, django_capture_on_commit_callbacks):
    report, secret = routed_to_dept(net)
    report = _answer(net, report)
    guest = _guest(report, secret)
    html = guest.get(f"/lacak/{report.tracking_id}/").content.decode()
    assert 'enctype="multipart/form-data"' in html and 'name="attachments"' in html
    with django_capture_on_commit_callbacks(execute=True):
        res = guest.post(
            f"/lacak/{report.tracking_id}/balas/",
            {"body": "Masih berlubang, lihat foto.", "attachments": [_file("lubang.png", png_bytes())]},
        )
    assert res.status_code == 302, res.content.decode()[:2000]
    reply = Message.objects.get(report=report, kind="reply")
    att = Attachment.objects.get(report=report, message=reply)
    assert att.original_name == "lubang.png" and not att.is_internal
    page = guest.get(f"/lacak/{report.tracking_id}/").content.decode()
    assert f'href="/lacak/{report.tracking_id}/lampiran/{att.pk}/"' in page
    assert "lubang.png" in page
    assert guest.get(f"/lacak/{report.tracking_id}/lampiran/{att.pk}/").status_code == 200
    told = OutboxMessage.objects.filter(recipient=net.user("liaison").email, dedupe_key__contains=":staff_replied:")
    assert told.count() == 1 and "Masih berlubang" in told.get().payload["body"]


def test_the_signed_in_citizens_file_name_is_masked_for_others_on_an_anonymous_report(net, client):
    report, _ = routed_to_dept(net, is_anonymous=True)
    Report.objects.filter(pk=report.pk).update(reporter=net.user("reporter"), guest_email="")
    report = _answer(net, Report.objects.get(pk=report.pk))
    client.force_login(net.user("reporter"))
    res = client.post(
        f"/lacak/{report.tracking_id}/balas/",
        {"body": "Foto KTP saya untuk bukti.", "attachments": [_file("KTP_Budi_Santoso.png", png_bytes())]},
    )
    assert res.status_code == 302
    att = Attachment.objects.get(report=report, message__kind="reply")
    assert "KTP_Budi_Santoso.png" in client.get(f"/lacak/{report.tracking_id}/").content.decode()  # their own
    public = Client().get(f"/lacak/{report.tracking_id}/").content.decode()
    assert "Budi" not in public  # the public page never names them, nor does the file
    shown = lens_for(report, net.user("liaison")).attachment_name(att)
    assert shown == f"lampiran-{att.pk}.png"


def test_a_refused_file_keeps_the_text_and_the_other_file_in_indonesian(net):
    report, secret = routed_to_dept(net)
    report = _answer(net, report)
    guest = _guest(report, secret)
    typed = "Belum diperbaiki. Lubangnya makin lebar setelah hujan deras semalam."
    res = guest.post(
        f"/lacak/{report.tracking_id}/balas/",
        {"body": typed, "attachments": [_file("foto.png", png_bytes()), _file("virus.jpg", EXE)]},
    )
    assert res.status_code == 400
    html = res.content.decode()
    assert typed in html  # nothing typed is lost
    assert "virus.jpg: Jenis berkas tidak diizinkan" in html and "Tanggapan Anda belum terkirim." in html
    assert not Message.objects.filter(report=report, kind="reply").exists()
    assert not Attachment.objects.filter(report=report).exists()
    tokens = re.findall(r'name="kept" value="([^"]+)" checked> foto\.png', html)
    assert len(tokens) == 1 and "virus.jpg (" not in html  # the good file waits; the refused one does not
    res = guest.post(f"/lacak/{report.tracking_id}/balas/", {"body": typed, "kept": tokens})
    assert res.status_code == 302
    assert [a.original_name for a in Attachment.objects.filter(message__kind="reply", report=report)] == ["foto.png"]


def test_a_refused_file_is_explained_in_english(net):
    report, secret = routed_to_dept(net)
    report = _answer(net, report)
    guest = _guest(report, secret, "en")
    res = guest.post(
        f"/lacak/{report.tracking_id}/balas/",
        {"body": "Still broken, see the photo.", "attachments": [_file("virus.jpg", EXE)]},
    )
    html = res.content.decode()
    assert res.status_code == 400 and "Still broken, see the photo." in html
    assert "virus.jpg: File type not allowed" in html and "Your reply has NOT been sent." in html


def test_too_many_files_are_refused_before_anything_is_stored(net, settings):
    report, _ = report_make(net, user=net.user("reporter"))
    client = Client()
    client.force_login(net.user("reporter"))
    files = [_file(f"f{i}.png", png_bytes()) for i in range(settings.LAPOR_MAX_ATTACHMENTS + 1)]
    res = client.post(f"/lacak/{report.tracking_id}/balas/", {"body": "Tambahan.", "attachments": files})
    assert res.status_code == 400 and "Tambahan." in res.content.decode()
    assert not Attachment.objects.filter(report=report).exists() and not report.messages.exists()


def test_a_reply_without_files_still_works_without_multipart(net, client):
    report, _ = report_make(net, user=net.user("reporter"))
    client.force_login(net.user("reporter"))
    res = client.post(f"/lacak/{report.tracking_id}/balas/", {"body": "Tambahan informasi."})
    assert res.status_code == 302 and report.messages.count() == 1
