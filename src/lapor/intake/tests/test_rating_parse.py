"""One reading of a rating in a text message, for every door (SMS, WhatsApp, social, e-mail)."""

import pytest

from lapor.intake.rating import Rating, rating_parse

from .helpers import signed_json


@pytest.mark.parametrize(
    "text,rating",
    [
        ("4", Rating(4)),
        ("nilai 4", Rating(4, keyword=True)),
        ("NILAI ABCD-1234 3 agak lama", Rating(3, comment="agak lama", tracking="ABCD-1234", keyword=True)),
        ("PUAS", Rating(5)),
        ("puas 4 mantap", Rating(4, comment="mantap")),
        ("5 puas", Rating(5)),
        ("TIDAK PUAS jalan masih rusak", Rating(1, satisfied=False, comment="jalan masih rusak")),
        ("Tidak puas 2 masih bocor", Rating(2, satisfied=False, comment="masih bocor")),
        ("2 lampu masih mati", None),  # a reply that starts with a number
        ("6", None),
        ("PUASA", None),
        ("Terima kasih", None),
        ("NILAI bagus", None),
    ],
)
def test_the_shared_vocabulary(db, text, rating):
    assert rating_parse(text) == rating


def test_the_keywords_are_configurable_with_the_sms_ones(db, settings):
    settings.LAPOR_SMS_KEYWORDS = {"rate": ["SKOR"]}
    assert rating_parse("SKOR 3") == Rating(3, keyword=True) and rating_parse("NILAI 3") is None


def sms(client, text, message_id, sender="0812-3456-7890"):
    res = signed_json(client, "/intake/sms", {"sender": sender, "text": text, "message_id": message_id})
    assert res.status_code == 200, res.content
    return res.json()


def test_sms_not_satisfied_without_a_reason_is_told_what_is_missing(net, client, settings):
    from lapor.notifications.models import OutboxMessage
    from lapor.reports.models import Report
    from lapor.reports.services import Actor, report_follow_up, report_route

    settings.LAPOR_SMS_SECRET = "test-shared-secret"
    tid = sms(client, "LAPOR Selokan mampet di RT 2", "m1")["tracking_id"]
    report = Report.objects.get(tracking_id=tid)
    if report.state == "submitted":
        report_route(report=report, actor=Actor(user=net.user("platform")), agency=net.dept)
    report_follow_up(report=report, actor=Actor(user=net.user("liaison")), body="Sudah dibersihkan.")
    out = sms(client, f"NILAI {tid} TIDAK PUAS", "m2")
    assert out["status"] == "rejected" and out["reason"] == "required"  # the reason for reopening
    assert Report.objects.get(pk=report.pk).state == "followed_up"  # nothing half done
    told = OutboxMessage.objects.filter(channel="sms").latest("id").payload["text"]
    assert tid in told and "Komentar" in told, told
    assert sms(client, "NILAI tujuh", "m3")["reason"] == "format"
    out = sms(client, "TIDAK PUAS masih tergenang", "m4")
    assert out == {"status": "ok", "action": "rate", "tracking_id": tid}
    report.refresh_from_db()
    assert (report.state, report.rating, report.reopen_count) == ("in_progress", 1, 1)


def test_whatsapp_a_bare_score_rates_the_report_done_and_unrated_and_a_reply_still_answers(net, client, settings):
    from lapor.reports.models import Report
    from lapor.reports.services import Actor, report_complete, report_follow_up, report_route

    from . import fake_cloud_api as wa
    from .test_whatsapp_receive import WA_ID, send

    with wa.cloud_api() as cloud:
        wa.configure(settings, cloud)
        tid = send(client, cloud, wa.text_message("wamid.R1", "LAPOR Pohon tumbang di Jl. Kenanga"))["tracking_id"]
        report = Report.objects.get(tracking_id=tid)
        if report.state == "submitted":
            report_route(report=report, actor=Actor(user=net.user("platform")), agency=net.dept)
        report_follow_up(report=report, actor=Actor(user=net.user("liaison")), body="Pohon sudah dipotong.")
        assert send(client, cloud, wa.text_message("wamid.R2", "2 dahan masih di jalan"))["action"] == "reply"
        report_follow_up(report=report, actor=Actor(user=net.user("liaison")), body="Dahan sudah diangkut.")
        report_complete(report=report, actor=Actor(user=net.user("platform")))
        out = send(client, cloud, wa.text_message("wamid.R3", "4"))
        assert out == {"status": "ok", "action": "rate", "tracking_id": tid}
        assert Report.objects.get(pk=report.pk).rating == 4 and "penilaian" in cloud.texts(WA_ID)[-1]
