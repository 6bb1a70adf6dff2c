"""SMS 1708: signed gateway webhook, keywords, concatenated parts, retries, answers by SMS."""

import pytest

from lapor.accounts.models import User
from lapor.intake.models import SmsPart
from lapor.notifications.models import OutboxMessage
from lapor.reports.models import Message, Report

from .helpers import SECRET, signed_json, signed_post

PHONE = "0812-3456-7890"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.LAPOR_SMS_SECRET = SECRET


def sms(client, text, message_id, **extra):
    return signed_json(client, "/intake/sms", {"sender": PHONE, "text": text, "message_id": message_id, **extra})


def sms_texts():
    return [m.payload["text"] for m in OutboxMessage.objects.filter(channel="sms").order_by("id")]


def test_lapor_keyword_files_a_report_for_the_phone_and_acknowledges_by_sms(net, client):
    res = sms(client, "LAPOR Lampu jalan di depan SD 3 mati", "gw-1")
    assert res.status_code == 200, res.content
    tid = res.json()["tracking_id"]
    report = Report.objects.get(tracking_id=tid)
    assert report.channel == "sms" and report.body == "Lampu jalan di depan SD 3 mati"
    assert report.reporter.phone == "+6281234567890" and not report.reporter.has_usable_password()
    ack = OutboxMessage.objects.get(channel="sms", report=report)
    assert ack.recipient == "+6281234567890" and tid in ack.payload["text"]


def test_plain_text_without_keyword_is_a_report_too(net, client):
    res = sms(client, "jalan rusak di km 5", "gw-2")
    assert Report.objects.get(tracking_id=res.json()["tracking_id"]).body == "jalan rusak di km 5"


def test_a_gateway_retry_never_creates_a_second_report(net, client):
    first = sms(client, "LAPOR air PDAM mati", "gw-3").json()
    again = sms(client, "LAPOR air PDAM mati", "gw-3")
    assert (
        again.status_code == 200 and again.json()["tracking_id"] == first["tracking_id"] and again.json()["duplicate"]
    )
    assert Report.objects.count() == 1


def test_concatenated_parts_are_joined_in_order(net, client):
    res = sms(client, "jembatan di desa kami", "p2", part=2, total=2, ref="77")
    assert res.status_code == 202 and Report.objects.count() == 0
    res = sms(client, "LAPOR Sudah tiga bulan ", "p1", part=1, total=2, ref="77")
    assert res.status_code == 200
    assert Report.objects.get().body == "Sudah tiga bulan jembatan di desa kami"
    assert not SmsPart.objects.exists()


def test_status_answers_only_the_reporters_own_number(net, client):
    tid = sms(client, "LAPOR sampah tidak diangkut", "s1").json()["tracking_id"]
    res = sms(client, f"STATUS {tid.lower()}", "s2")
    assert res.json()["action"] == "status" and "Menunggu verifikasi" in sms_texts()[-1]
    other = signed_json(client, "/intake/sms", {"sender": "081299998888", "text": f"STATUS {tid}", "message_id": "s3"})
    assert other.json()["status"] == "rejected" and "tidak ditemukan" in sms_texts()[-1]


def test_balas_adds_a_reply_only_from_the_same_phone(net, client):
    tid = sms(client, "LAPOR got mampet", "b1").json()["tracking_id"]
    res = signed_json(
        client, "/intake/sms", {"sender": "081299998888", "text": f"BALAS {tid} bukan saya", "message_id": "b2"}
    )
    assert res.json()["status"] == "rejected"
    assert not Message.objects.exists()
    res = sms(client, f"BALAS {tid} sudah makin parah", "b3")
    assert res.json() == {"status": "ok", "action": "reply", "tracking_id": tid}
    assert Message.objects.get().body == "sudah makin parah"


def test_form_encoded_payloads_are_accepted(net, client):
    body = b"sender=%2B6281234567890&text=LAPOR+trotoar+rusak&message_id=f1"
    res = signed_post(client, "/intake/sms", body, content_type="application/x-www-form-urlencoded")
    assert res.status_code == 200, res.content and Report.objects.count() == 1


@pytest.mark.parametrize("case", ["unsigned", "wrong_secret", "bad_json", "no_message_id", "bad_phone", "bad_part"])
def test_bad_or_unsigned_payloads_are_refused_and_change_nothing(net, client, case):
    good = {"sender": PHONE, "text": "LAPOR x", "message_id": "z1"}
    if case == "unsigned":
        res = client.post("/intake/sms", good, content_type="application/json")
    elif case == "wrong_secret":
        res = signed_json(client, "/intake/sms", good, secret="nope")
    elif case == "bad_json":
        res = signed_post(client, "/intake/sms", b"{not json")
    elif case == "no_message_id":
        res = signed_json(client, "/intake/sms", {**good, "message_id": ""})
    elif case == "bad_phone":
        res = signed_json(client, "/intake/sms", {**good, "sender": "12"})
    else:
        res = signed_json(client, "/intake/sms", {**good, "part": 3, "total": 2, "ref": "r"})
    assert 400 <= res.status_code < 500 and res.json()["message"]
    assert not Report.objects.exists() and not OutboxMessage.objects.exists()
    assert not User.objects.filter(phone="+6281234567890").exists()


def test_get_is_not_allowed(client):
    assert client.get("/intake/sms").status_code == 405
