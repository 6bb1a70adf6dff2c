"""One report per channel, from intake to the citizen's rating, followed through the messages we
send: every message to the reporter carries their way back (a private link in e-mails, a short
link in SMS), a reply to any of our e-mails threads into its report, SMS stay in GSM-7 and within
their parts, staff hear when the citizen answers."""

import re
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from lapor.intake.tests.helpers import SECRET, signed_json, signed_post
from lapor.notifications.models import OutboxMessage
from lapor.notifications.sms import sms_is_gsm7, sms_segments
from lapor.reports.models import Message, Report

pytestmark = pytest.mark.django_db(transaction=True)  # deliveries run on commit

PRIVATE = re.compile(r"https?://\S+/lacak/[0-9A-Z]{4}-[0-9A-Z]{4}/k/[\w-]+/")
SHORT = re.compile(r"https?://\S+/k/[0-9A-Z]{4}-[0-9A-Z]{4}/[\w-]+")


@pytest.fixture(autouse=True)
def _secrets(settings):
    settings.LAPOR_EMAIL_SECRET = settings.LAPOR_SMS_SECRET = SECRET
    settings.LAPOR_PUBLIC_URL = "https://lapor.example.go.id"


def _mime(*, sender, subject, body, msg_id, in_reply_to="") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = sender, "lapor@lapor.example.go.id", subject, msg_id
    if in_reply_to:
        msg["In-Reply-To"], msg["References"] = in_reply_to, in_reply_to
    msg.set_content(body)
    return msg.as_bytes()


def _email_in(client, **kw):
    res = signed_post(client, "/intake/email", _mime(**kw), content_type="message/rfc822")
    assert res.status_code == 200, res.content
    return res.json()


def _mails_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def _follow(link: str) -> Client:
    """The citizen opens a link from a message on another device: that browser may then act as the reporter."""
    browser = Client()
    res = browser.get(urlsplit(link).path)
    assert res.status_code == 302, link
    return browser


def _rate(browser: Client, tid: str) -> None:
    assert browser.post(f"/lacak/{tid}/selesai/").status_code == 302
    res = browser.post(f"/lacak/{tid}/nilai/", {"satisfied": "yes", "rating": "5", "comment": ""})
    assert res.status_code == 302, res.content
    assert Report.objects.get(tracking_id=tid).rating == 5


def test_email_journey_every_mail_carries_the_private_link_and_a_reply_to_any_of_them_threads(net, client, api):
    citizen = "siti@warga.example"
    tid = _email_in(
        client,
        sender=f"Siti <{citizen}>",
        subject="Lampu jalan mati",
        body="Lampu di Jl. Sudirman mati.",
        msg_id="<c1@warga.example>",
    )["tracking_id"]
    ack = _mails_to(citizen)[-1]
    assert f"[{tid}]" in ack.subject and PRIVATE.search(ack.body)
    assert ack.extra_headers["Message-ID"].startswith("<") and ack.extra_headers["Message-ID"].endswith(">")

    api.post(f"/api/reports/{tid}/route", {"agency_id": net.dept.pk}, user=net.user("platform"))
    routed = _mails_to(citizen)[-1]
    assert f"[{tid}]" in routed.subject and PRIVATE.search(routed.body)
    api.post(f"/api/reports/{tid}/follow-up", {"body": "Lampu sudah kami ganti."}, user=net.user("liaison"))
    answer = _mails_to(citizen)[-1]
    assert "Lampu sudah kami ganti." in answer.body and PRIVATE.search(answer.body)

    # The citizen answers with a mail client that dropped the tracking number from the subject:
    # the In-Reply-To header alone threads it, and the liaison hears of it.
    mail.outbox.clear()
    res = _email_in(
        client,
        sender=citizen,
        subject="Re: tindak lanjut",
        body="Lampu di ujung jalan masih mati.",
        msg_id="<c2@warga.example>",
        in_reply_to=answer.extra_headers["Message-ID"],
    )
    assert res["action"] == "reply" and res["tracking_id"] == tid and Report.objects.count() == 1
    assert Message.objects.filter(report__tracking_id=tid, kind="reply").count() == 1
    staff_note = _mails_to(net.user("liaison").email)
    assert (
        len(staff_note) == 1
        and "Lampu di ujung jalan masih mati." in staff_note[0].body
        and tid in staff_note[0].subject
    )
    assert citizen not in staff_note[0].body and "Siti" not in staff_note[0].body

    # A staff member answering one of our mails files nothing.
    res = _email_in(
        client,
        sender=net.user("liaison").email,
        subject="Re: x",
        body="ok",
        msg_id="<s1@x>",
        in_reply_to=staff_note[0].extra_headers["Message-ID"],
    )
    assert res["status"] == "rejected" and Report.objects.count() == 1

    api.post(f"/api/reports/{tid}/follow-up", {"body": "Ujung jalan juga sudah."}, user=net.user("liaison"))
    _rate(_follow(PRIVATE.search(_mails_to(citizen)[-1].body).group(0)), tid)


def test_a_reply_to_the_auto_completion_warning_threads_by_its_subject_too(net, client, api):
    citizen = "budi@warga.example"
    tid = _email_in(client, sender=citizen, subject="Sampah menumpuk", body="Sampah di pasar.", msg_id="<b1@x>")[
        "tracking_id"
    ]
    # what the old warning's subject looked like: the tracking number without brackets
    res = _email_in(
        client,
        sender=citizen,
        subject=f"Re: Laporan {tid} akan selesai otomatis",
        body="Belum selesai.",
        msg_id="<b2@x>",
    )
    assert res["action"] == "reply" and Report.objects.count() == 1
    # someone else naming the number files their own report
    res = _email_in(client, sender="lain@x.example", subject=f"Re: Laporan {tid}", body="Saya juga.", msg_id="<b3@x>")
    assert res["action"] == "report" and Report.objects.count() == 2


def _sms(client, text, message_id, sender="0812-3456-7890"):
    res = signed_json(client, "/intake/sms", {"sender": sender, "text": text, "message_id": message_id})
    assert res.status_code == 200, res.content
    return res.json()


def _sms_to(phone: str) -> list[str]:
    return [m.payload["text"] for m in OutboxMessage.objects.filter(channel="sms", recipient=phone).order_by("id")]


def test_sms_journey_gsm7_answers_in_parts_with_a_short_link_and_the_reply_format(net, client, api, settings):
    settings.LAPOR_SMS_ANSWER_SEGMENTS = 3
    phone = "+6281234567890"
    tid = _sms(client, "LAPOR Jembatan kayu di dusun kami lapuk", "g1")["tracking_id"]
    assert SHORT.search(_sms_to(phone)[-1])
    api.post(f"/api/reports/{tid}/route", {"agency_id": net.dept.pk}, user=net.user("platform"))
    answer = (
        "Terima kasih atas laporan Anda. Tim Bina Marga sudah meninjau jembatan pada hari Senin dan "
        "mencatat tiga papan yang lapuk serta satu tiang yang miring… " * 4
    ).strip()
    api.post(f"/api/reports/{tid}/follow-up", {"body": answer}, user=net.user("liaison"))
    text = _sms_to(phone)[-1]
    assert sms_is_gsm7(text) and "…" not in text
    assert len(sms_segments(text)) <= 3 and len(text) > 300  # not cut at ~40 characters
    assert SHORT.search(text) and f"BALAS {tid} <isi>" in text

    _sms(client, "BALAS", "g2")
    assert "BALAS <nomor> <isi>" in _sms_to(phone)[-1]
    _sms(client, f"BALAS {tid}", "g3")
    assert "BALAS <nomor> <isi>" in _sms_to(phone)[-1]
    assert _sms(client, f"BALAS {tid} Tiangnya belum diganti", "g4")["action"] == "reply"
    told = OutboxMessage.objects.filter(recipient=net.user("liaison").email, dedupe_key__contains=":staff_replied:")
    assert [tid in m.payload["subject"] and "Tiangnya belum diganti" in m.payload["body"] for m in told] == [True]

    api.post(f"/api/reports/{tid}/follow-up", {"body": "Tiang sudah diganti."}, user=net.user("liaison"))
    for text in _sms_to(phone):
        assert sms_is_gsm7(text), text
    _rate(_follow(SHORT.search(_sms_to(phone)[-1]).group(0)), tid)


def test_counter_journey_the_receipt_number_and_every_sms_lead_back(net, client, api):
    officer = net.user("liaison")
    missing = api.post(
        "/api/intake/assisted",
        {
            "channel": "counter",
            "consent": True,
            "title": "Air PDAM keruh",
            "body": "Air keruh sejak seminggu.",
            "citizen_name": "Pak Darto",
        },
        user=officer,
    )
    # the schema's rule (422) names the fields the officer fills, not the guest_* fields behind them
    assert missing.status_code == 422
    refusal = missing.json()["detail"][0]["msg"]
    assert "citizen_phone" in refusal and "citizen_email" in refusal
    assert "Pak Darto" not in missing.content.decode()
    assert "guest" not in str(missing.json())
    res = api.post(
        "/api/intake/assisted",
        {
            "channel": "counter",
            "consent": True,
            "title": "Air PDAM keruh",
            "body": "Air keruh sejak seminggu.",
            "citizen_name": "Pak Darto",
            "citizen_phone": "0813-5555-0101",
        },
        user=officer,
    )
    assert res.status_code == 201, res.content
    tid, phone = res.json()["tracking_id"], "+6281355550101"
    assert SHORT.search(_sms_to(phone)[-1])
    if Report.objects.get(tracking_id=tid).state == "submitted":
        api.post(f"/api/reports/{tid}/route", {"agency_id": net.dept.pk}, user=net.user("platform"))
    api.post(f"/api/reports/{tid}/follow-up", {"body": "Pipa sudah dibersihkan."}, user=officer)
    text = _sms_to(phone)[-1]
    assert "Pipa sudah dibersihkan." in text and sms_is_gsm7(text)
    _rate(_follow(SHORT.search(text).group(0)), tid)


def test_a_guest_who_filed_in_english_hears_in_english(net, client, api):
    tid = api.post(
        "/api/reports",
        {
            "type": "complaint",
            "title": "Broken street light",
            "channel": "web",
            "body": "The street light on Jl. Sudirman is broken.",
            "guest_email": "tourist@example.com",
        },
        lang="en",
    ).json()["tracking_id"]
    ack = _mails_to("tourist@example.com")[-1]
    assert tid in ack.subject and "Thank you" in ack.body and PRIVATE.search(ack.body), ack.body


def test_archiving_tells_the_reporter_why(net, client, api):
    citizen = "ani@warga.example"
    tid = _email_in(client, sender=citizen, subject="Tes", body="Halo halo.", msg_id="<a1@x>")["tracking_id"]
    api.post(
        f"/api/reports/{tid}/archive",
        {"reason": "too_general", "note": "Mohon sebutkan lokasi dan masalahnya."},
        user=net.user("platform"),
    )
    told = _mails_to(citizen)[-1]
    assert f"[{tid}]" in told.subject and "Masukan terlalu umum" in told.body
    assert "Mohon sebutkan lokasi dan masalahnya." in told.body and PRIVATE.search(told.body)


def test_a_reply_to_a_closed_report_is_answered_once_with_the_link(net, client, api):
    citizen = "rina@warga.example"
    tid = _email_in(client, sender=citizen, subject="Parit", body="Parit tersumbat.", msg_id="<r1@x>")["tracking_id"]
    api.post(f"/api/reports/{tid}/archive", {"reason": "too_general"}, user=net.user("platform"))
    mail.outbox.clear()
    res = _email_in(client, sender=citizen, subject=f"Re: [{tid}] Laporan diarsipkan", body="Kenapa?", msg_id="<r2@x>")
    assert res["status"] == "rejected" and res["tracking_id"] == tid and Report.objects.count() == 1
    answer = _mails_to(citizen)
    assert len(answer) == 1 and f"[{tid}]" in answer[0].subject and PRIVATE.search(answer[0].body)
    _email_in(client, sender=citizen, subject=f"Re: [{tid}]", body="Lagi", msg_id="<r3@x>")
    assert len(_mails_to(citizen)) == 1  # once a day: no loop with an auto-responder
