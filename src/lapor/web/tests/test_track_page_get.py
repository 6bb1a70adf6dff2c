"""The citizen's track page: who may open it, the timeline, reply, complete, rate and reopen."""

from django.test import Client

from lapor.reports import services
from lapor.reports.models import Message, Report

from .helpers import report_make, routed_to_dept


def _guest_client(report, secret) -> Client:
    client = Client()
    res = client.get(f"/lacak/{report.tracking_id}/k/{secret}/")
    assert res.status_code == 302
    return client


def test_unverified_report_is_hidden_without_the_private_link(net, client):
    report, _secret = report_make(net)
    assert client.get(f"/lacak/{report.tracking_id}/").status_code == 404
    assert client.get(f"/lacak/{report.tracking_id}/k/wrong-secret/").status_code == 404


def test_guest_reads_follow_up_replies_and_sees_deadline_in_words(net):
    report, secret = routed_to_dept(net)
    services.report_follow_up(
        report=report, actor=services.Actor(user=net.user("liaison")), body="Sudah kami perbaiki."
    )
    guest = _guest_client(report, secret)
    html = guest.get(f"/lacak/{report.tracking_id}/").content.decode()
    assert "Sudah kami perbaiki." in html and "Dinas PUPR" in html
    assert "paling lambat " in html  # e.g. "paling lambat Jumat, 27 November 2026"
    res = guest.post(f"/lacak/{report.tracking_id}/balas/", {"body": "Masih ada lubang di sisi kiri."})
    assert res.status_code == 302
    report.refresh_from_db()
    assert report.state == "in_progress"
    assert Message.objects.filter(report=report, kind="reply").count() == 1


def test_internal_notes_never_reach_the_reporter(net):
    report, secret = routed_to_dept(net)
    services.report_note(report=report, actor=services.Actor(user=net.user("liaison")), body="Catatan rahasia petugas")
    html = _guest_client(report, secret).get(f"/lacak/{report.tracking_id}/").content.decode()
    assert "Catatan rahasia petugas" not in html


def test_not_satisfied_rating_reopens_the_report(net):
    report, secret = routed_to_dept(net)
    services.report_follow_up(report=report, actor=services.Actor(user=net.user("liaison")), body="Selesai.")
    guest = _guest_client(report, secret)
    assert guest.post(f"/lacak/{report.tracking_id}/selesai/").status_code == 302
    res = guest.post(f"/lacak/{report.tracking_id}/nilai/", {"satisfied": "no", "rating": "2", "comment": ""})
    assert (
        res.status_code == 409
        and "Alasan wajib diisi" in res.content.decode()
        or "Komentar wajib diisi" in res.content.decode()
    )
    res = guest.post(
        f"/lacak/{report.tracking_id}/nilai/", {"satisfied": "no", "rating": "2", "comment": "Belum diperbaiki."}
    )
    assert res.status_code == 302
    report.refresh_from_db()
    assert report.state == "in_progress" and report.reopen_count == 1 and report.rating == 2


def test_public_report_page_shows_anonim_and_no_reply_form(net, client):
    report, _ = routed_to_dept(net, is_anonymous=True)
    html = client.get(f"/lacak/{report.tracking_id}/").content.decode()
    assert "Anonim" in html and "tamu@example.com" not in html and 'action="/lacak/' not in html


def test_confidential_report_is_never_public(net, client):
    report, _ = routed_to_dept(net, is_confidential=True)
    assert client.get(f"/lacak/{report.tracking_id}/").status_code == 404
    assert report.tracking_id not in client.get("/laporan/").content.decode()


def test_owner_signed_in_can_reply_without_a_secret(net, client):
    report, _ = report_make(net, user=net.user("reporter"))
    client.force_login(net.user("reporter"))
    res = client.post(f"/lacak/{report.tracking_id}/balas/", {"body": "Tambahan informasi."})
    assert res.status_code == 302
    assert Report.objects.get(pk=report.pk).messages.count() == 1
