"""WhatsApp (Cloud API webhooks): verification, signatures, commands shared with SMS, photos, the
guided flow, duplicates, and answers through the outbox to a local fake of the Cloud API."""

import pytest

from lapor.core.tests import canary as cy
from lapor.intake.models import InboundMessage, WhatsAppConversation
from lapor.notifications.models import OutboxMessage, WhatsAppContact
from lapor.notifications.services import outbox_flush
from lapor.reports.attachments import attachment_path
from lapor.reports.models import Attachment, Message, Report

from . import fake_cloud_api as wa

WA_ID, PHONE = "6281234567890", "+6281234567890"
PHOTO = cy.PHOTO


@pytest.fixture
def cloud(settings):
    with wa.cloud_api() as fake:
        wa.configure(settings, fake)
        yield fake


def send(client, fake, message, *, wa_id=WA_ID, name="Siti Warga"):
    """Meta delivers a message: our webhook gets it and the citizen's 24-hour window opens at Meta."""
    fake.customer_wrote(wa_id)
    res = wa.signed(client, wa.webhook(wa_id, message, name=name))
    assert res.status_code == 200, res.content
    outbox_flush()
    return res.json()["messages"][0]


def test_the_channel_is_off_without_settings_and_says_what_is_missing(db, client, settings):
    res = client.get("/intake/whatsapp", {"hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "1"})
    assert res.status_code == 404 and res.json()["code"] == "channel_off"
    settings.LAPOR_WHATSAPP_TOKEN = "t"
    res = client.post("/intake/whatsapp", b"{}", content_type="application/json")
    assert res.status_code == 503 and res.json()["code"] == "not_configured"
    assert "LAPOR_WHATSAPP_APP_SECRET" in res.json()["detail"]["missing"]


def test_subscription_check_echoes_the_challenge_only_for_our_verify_token(db, client, cloud):
    ok = client.get(
        "/intake/whatsapp",
        {"hub.mode": "subscribe", "hub.verify_token": wa.VERIFY_TOKEN, "hub.challenge": "1158201444"},
    )
    assert ok.status_code == 200 and ok.content == b"1158201444"
    bad = client.get("/intake/whatsapp", {"hub.mode": "subscribe", "hub.verify_token": "tebakan", "hub.challenge": "1"})
    assert bad.status_code == 403 and bad.json()["code"] == "bad_verify_token"


def test_an_unsigned_or_wrongly_signed_delivery_changes_nothing(db, client, cloud):
    payload = wa.webhook(WA_ID, wa.text_message("wamid.A1", "LAPOR jalan rusak"))
    assert (
        client.post("/intake/whatsapp", payload, content_type="application/json").json()["code"] == "signature_missing"
    )
    res = wa.signed(client, payload, secret="bukan-rahasia-kami")
    assert res.status_code == 401 and res.json()["code"] == "bad_signature"
    assert not Report.objects.exists() and not InboundMessage.objects.exists()


def test_lapor_files_a_report_and_the_acknowledgement_reaches_the_citizen_as_text(net, client, cloud):
    out = send(client, cloud, wa.text_message("wamid.A2", "LAPOR Lampu jalan di depan SD 3 mati sejak Senin"))
    report = Report.objects.get(tracking_id=out["tracking_id"])
    assert report.channel == "whatsapp" and report.body == "Lampu jalan di depan SD 3 mati sejak Senin"
    assert report.reporter.phone == PHONE and report.reporter.full_name == "Siti Warga"
    [ack] = cloud.sent
    assert ack["type"] == "text" and ack["to"] == WA_ID and report.tracking_id in ack["text"]["body"]
    assert not OutboxMessage.objects.filter(channel="sms").exists()  # answered where they wrote, not by SMS too


def test_a_delivery_repeated_by_meta_is_handled_once(net, client, cloud):
    first = send(client, cloud, wa.text_message("wamid.A3", "LAPOR air PDAM mati"))
    again = send(client, cloud, wa.text_message("wamid.A3", "LAPOR air PDAM mati"))
    assert again["duplicate"] and again["tracking_id"] == first["tracking_id"]
    assert Report.objects.count() == 1 and len(cloud.sent) == 1


def test_a_photo_with_a_lapor_caption_is_a_report_with_the_photo_downloaded_from_the_media_endpoint(net, client, cloud):
    cloud.media_add("1234567890", cy.PHOTO)
    out = send(client, cloud, wa.image_message("wamid.A4", "1234567890", caption="LAPOR Got mampet di pasar"))
    report = Report.objects.get(tracking_id=out["tracking_id"])
    att = Attachment.objects.get(report=report)
    assert cloud.media_requests == ["1234567890"] and att.content_type == "image/jpeg"
    assert cy.A_NAME.encode() in cy.PHOTO and cy.A_NAME.encode() not in attachment_path(att).read_bytes()  # cleaned


def test_status_answers_only_the_reporters_own_number(net, client, cloud):
    tid = send(client, cloud, wa.text_message("wamid.S1", "LAPOR sampah tidak diangkut"))["tracking_id"]
    assert send(client, cloud, wa.text_message("wamid.S2", f"STATUS {tid.lower()}"))["action"] == "status"
    assert "Menunggu verifikasi" in cloud.texts(WA_ID)[-1]
    other = send(client, cloud, wa.text_message("wamid.S3", f"STATUS {tid}"), wa_id="6281299998888")
    assert other["status"] == "rejected" and "tidak ditemukan" in cloud.texts("6281299998888")[-1]


def test_the_guided_flow_asks_topic_and_place_then_files_on_yes(net, client, cloud):
    assert (
        send(client, cloud, wa.text_message("wamid.F1", "Jalan berlubang besar, sudah dua motor jatuh"))["step"]
        == "topic"
    )
    assert "1. " in cloud.texts()[-1]
    names = [
        line.split(". ", 1)[1] for line in cloud.texts()[-1].splitlines() if line[:1].isdigit() and line[:2] != "0."
    ]
    choice = names.index(net.roads.parent.name) + 1
    assert send(client, cloud, wa.text_message("wamid.F2", str(choice)))["step"] == "place"
    cloud.media_add("5550001", PHOTO)
    assert send(client, cloud, wa.image_message("wamid.F2b", "5550001"))["step"] == "place"  # a photo on the way
    assert cloud.media_requests == ["5550001"]
    assert (
        send(client, cloud, wa.text_message("wamid.F3", "depan pasar, Bukit Surungan, Padang Panjang"))["step"]
        == "confirm"
    )
    assert "YA" in cloud.texts()[-1] and "Bukit Surungan" in cloud.texts()[-1]
    out = send(client, cloud, wa.text_message("wamid.F4", "ya"))
    report = Report.objects.get(tracking_id=out["tracking_id"])
    assert report.topic_id == net.roads.parent_id and report.region_id == "13.74.02.1001"
    assert report.body == "Jalan berlubang besar, sudah dua motor jatuh" and "Bukit Surungan" in report.address
    assert Attachment.objects.filter(report=report).count() == 1  # fetched again from the media endpoint on YA
    assert cloud.media_requests == ["5550001", "5550001"]
    assert not WhatsAppConversation.objects.exists()


def test_the_citizen_may_file_from_the_flow_as_anonymous_and_confidential(net, client, cloud):
    send(client, cloud, wa.text_message("wamid.P1", "Petugas kelurahan minta uang untuk surat pindah"))
    send(client, cloud, wa.text_message("wamid.P2", "0"))
    send(client, cloud, wa.text_message("wamid.P3", "Kantor kelurahan Bukit Surungan"))
    assert "RAHASIA" in cloud.texts()[-1]
    report = Report.objects.get(tracking_id=send(client, cloud, wa.text_message("wamid.P4", "rahasia"))["tracking_id"])
    assert report.is_anonymous and report.is_confidential and report.topic_id is None


def test_batal_cancels_the_flow_and_files_nothing(net, client, cloud):
    send(client, cloud, wa.text_message("wamid.C1", "Pungli di kantor desa"))
    send(client, cloud, wa.text_message("wamid.C2", "BATAL"))
    assert not Report.objects.exists() and not WhatsAppConversation.objects.exists()
    assert "dibatalkan" in cloud.texts()[-1]


def test_outside_the_24_hour_window_the_update_goes_as_the_approved_template(net, client, cloud):
    from lapor.reports.services import Actor, report_route

    tid = send(client, cloud, wa.text_message("wamid.T1", "LAPOR trotoar rusak"))["tracking_id"]
    WhatsAppContact.objects.update(last_inbound_at="2020-01-01T00:00:00Z")
    cloud.window.clear()
    report_route(report=Report.objects.get(tracking_id=tid), actor=Actor(user=net.user("platform")), agency=net.dept)
    outbox_flush()
    template = cloud.sent[-1]
    assert template["type"] == "template" and template["template"]["name"] == "lapor_pembaruan_laporan"
    params = [p["text"] for p in template["template"]["components"][0]["parameters"]]
    assert params[0] == tid and "Dinas PUPR" in params[1] and not cloud.refused


def test_a_closed_window_by_the_apis_clock_falls_back_to_the_template_in_the_same_attempt(net, client, cloud):
    # the citizen's message reaches us, but Meta's clock already closed the window (code 131047)
    res = wa.signed(client, wa.webhook(WA_ID, wa.text_message("wamid.T2", "STATUS XXXX-XXXX")))
    assert res.status_code == 200
    outbox_flush()
    msg = OutboxMessage.objects.get(channel="whatsapp")
    assert msg.status == "sent" and cloud.refused[-1]["code"] == 131047
    assert (
        cloud.sent[-1]["type"] == "template"
        and "tidak ditemukan" in cloud.sent[-1]["template"]["components"][0]["parameters"][1]["text"]
    )


def test_a_broken_api_is_retried_then_dead_lettered(net, client, cloud, settings):
    settings.LAPOR_OUTBOX_MAX_ATTEMPTS = 2
    settings.LAPOR_OUTBOX_BACKOFF_SECONDS = 0
    cloud.fail_next = [500, 500, 500]
    send(client, cloud, wa.text_message("wamid.R1", "LAPOR banjir di gang mawar"))
    outbox_flush()
    msg = OutboxMessage.objects.get(channel="whatsapp")
    assert msg.status == "dead" and msg.attempts == 2 and "HTTP 500" in msg.last_error and not cloud.sent


def test_quoting_our_message_threads_the_answer_into_its_report(net, client, cloud):
    tid = send(client, cloud, wa.text_message("wamid.Q1", "LAPOR lampu taman mati"))["tracking_id"]
    ack_id = cloud.sent[-1]["wamid"]
    send(client, cloud, wa.text_message("wamid.Q2", "Ada juga yang mati di ujung taman"))  # a new flow
    out = send(client, cloud, wa.text_message("wamid.Q3", "lampunya sudah 3 malam mati", context=ack_id))
    assert out == {"status": "ok", "action": "reply", "tracking_id": tid}
    assert Message.objects.get(report__tracking_id=tid).body == "lampunya sudah 3 malam mati"
