"""A file name can name its sender ("KTP_Siti_Aminah.png"): on an anonymous report, staff see the
reporter's own files as "lampiran-<id>.<type>" on the page, in the API and in the download, while
the reporter sees the name they gave; files staff upload keep their names."""

from django.test import Client

from lapor.reports import services
from lapor.reports.attachments import attachment_add
from lapor.reports.models import Attachment

from .helpers import png_bytes, routed_to_dept

SENDER_NAMED = "KTP_Siti_Aminah.png"


def _with_files(net, *, anonymous: bool):
    report, secret = routed_to_dept(net, is_anonymous=anonymous)
    mine = attachment_add(report=report, actor=services.Actor(is_reporter=True), name=SENDER_NAMED, data=png_bytes())
    staffs = attachment_add(
        report=report, actor=services.Actor(user=net.user("liaison")), name="hasil_perbaikan.png", data=png_bytes()
    )
    return report, secret, mine, staffs


def _download_name(response) -> str:
    return response["Content-Disposition"]


def test_staff_see_neutral_names_for_an_anonymous_reporters_files(net, client, api):
    report, secret, mine, staffs = _with_files(net, anonymous=True)
    neutral = f"lampiran-{mine.pk}.png"
    client.force_login(net.user("liaison"))
    html = client.get(f"/petugas/laporan/{report.tracking_id}/").content.decode()
    assert "Siti" not in html and neutral in html and "hasil_perbaikan.png" in html
    download = client.get(f"/lacak/{report.tracking_id}/lampiran/{mine.pk}/")
    assert (
        download.status_code == 200 and neutral in _download_name(download) and "Siti" not in _download_name(download)
    )
    res = api.get(f"/api/reports/{report.tracking_id}/attachments/{mine.pk}", user=net.user("liaison"))
    assert res.status_code == 200 and neutral in res["Content-Disposition"] and "Siti" not in res["Content-Disposition"]

    # the reporter, with their secret, sees and downloads the name they gave
    guest = Client()
    guest.get(f"/lacak/{report.tracking_id}/k/{secret}/")
    assert SENDER_NAMED in guest.get(f"/lacak/{report.tracking_id}/").content.decode()
    assert SENDER_NAMED in _download_name(guest.get(f"/lacak/{report.tracking_id}/lampiran/{mine.pk}/"))


def test_a_reply_attachment_of_an_anonymous_reporter_is_neutral_in_the_staff_timeline(net, api):
    report, secret = routed_to_dept(net, is_anonymous=True)
    services.report_follow_up(report=report, actor=services.Actor(user=net.user("liaison")), body="Mohon foto KTP.")
    message = services.report_reply(report=report, actor=services.Actor(is_reporter=True), body="Ini fotonya.")
    att = attachment_add(
        report=report, actor=services.Actor(is_reporter=True), name=SENDER_NAMED, data=png_bytes(), message=message
    )
    timeline = api.get(f"/api/reports/{report.tracking_id}/timeline", user=net.user("liaison")).json()
    names = [a["name"] for m in timeline["messages"] for a in m["attachments"]]
    assert names == [f"lampiran-{att.pk}.png"]


def test_staff_see_real_names_when_the_report_is_not_anonymous(net, client):
    report, _secret, mine, _staffs = _with_files(net, anonymous=False)
    client.force_login(net.user("liaison"))
    assert SENDER_NAMED in client.get(f"/petugas/laporan/{report.tracking_id}/").content.decode()
    assert Attachment.objects.get(pk=mine.pk).original_name == SENDER_NAMED  # stored as given, shown by viewer
