"""Every door carries the conversation both ways, to the end (issue 17): one report per channel,
from intake to the citizen's rating, through that channel's own way back. Between the citizen's
steps the staff part is the same everywhere (``Staff``): the platform verifies and routes, the
agency's liaison follows up, the citizen answers on their channel, the liaison follows up again,
the citizen rates on their channel. Each test checks what reached the citizen on that channel, the
timeline with who did each step, and the final state and rating."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from lapor.accounts.models import User
from lapor.accounts.testing import token_make
from lapor.intake.models import InboundMessage, SocialDraft
from lapor.notifications.models import OutboxMessage
from lapor.notifications.services import outbox_flush
from lapor.partners.models import Partner
from lapor.partners.signing import SIGNATURE_HEADER, signature_valid
from lapor.reports.models import Message, Report, ReportEvent

from . import fake_cloud_api as wa
from .fake_cloud_api import serving
from .fake_social_relay import SECRET as RELAY_SECRET, social_relay
from .helpers import SECRET, signed_json, signed_post

PRIVATE = re.compile(r"https?://\S+/lacak/[0-9A-Z]{4}-[0-9A-Z]{4}/k/[\w-]+/")
FIRST_ANSWER = "Petugas sudah meninjau lokasi. Mohon sebutkan patokan terdekat."
SECOND_ANSWER = "Perbaikan selesai dikerjakan Bidang Bina Marga pada hari Kamis."
CITIZEN_ANSWER = "Patokannya di depan masjid, sisi timur jalan."
# the whole conversation, as the timeline records it: (action, who), from filing to the rating
CONVERSATION = [
    ("route", "platform_admin"),
    ("follow_up", "liaison"),
    ("reply", "reporter"),
    ("follow_up", "liaison"),
    ("complete", "reporter"),
    ("rate", "reporter"),
]


@pytest.fixture(autouse=True)
def _secrets(settings):
    settings.LAPOR_EMAIL_SECRET = settings.LAPOR_SMS_SECRET = settings.LAPOR_SOCIAL_SECRET = SECRET
    settings.LAPOR_PUBLIC_URL = "https://lapor.example.go.id"


@dataclass
class Staff:
    """The staff's part of every journey, through the staff API."""

    api: object
    net: object

    def verify(self, tid: str) -> None:
        """The platform verifies and routes the report (unless a routing rule already did)."""
        if Report.objects.get(tracking_id=tid).state == "submitted":
            res = self.api.post(
                f"/api/reports/{tid}/route", {"agency_id": self.net.dept.pk}, user=self.net.user("platform")
            )
            assert res.status_code == 200, res.content
        assert Report.objects.get(tracking_id=tid).state == "routed"

    def follow_up(self, tid: str, body: str) -> None:
        res = self.api.post(f"/api/reports/{tid}/follow-up", {"body": body}, user=self.net.user("liaison"))
        assert res.status_code == 201, res.content
        assert Report.objects.get(tracking_id=tid).state == "followed_up"
        outbox_flush()


@pytest.fixture
def staff(api, net) -> Staff:
    return Staff(api, net)


def timeline(tid: str) -> list[tuple[str, str]]:
    """The state changes of the report, with the role of who made each."""
    events = ReportEvent.objects.filter(report__tracking_id=tid, kind="transition").exclude(
        action__in=("social_answer",)
    )
    return [(e.action, e.actor_role) for e in events.order_by("created_at", "id")]


def finished(tid: str, rating: int, *, comment: str = "") -> Report:
    report = Report.objects.get(tracking_id=tid)
    assert (report.state, report.rating, report.rating_comment) == ("done", rating, comment)
    assert timeline(tid)[-len(CONVERSATION) :] == CONVERSATION, timeline(tid)
    kinds = [m.kind for m in Message.objects.filter(report=report).order_by("id")]
    assert kinds == ["follow_up", "reply", "follow_up"]
    assert Message.objects.get(report=report, kind="reply").body.startswith(CITIZEN_ANSWER[:20])
    return report


# --- Web: a guest, with the private link ---------------------------------------------------------


def _mails_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def test_web_guest_from_the_form_to_the_rating_with_the_private_link(net, api, staff):
    citizen = "tamu@warga.example"
    res = api.post(
        "/api/reports",
        {
            "type": "complaint",
            "channel": "web",
            "title": "Trotoar amblas",
            "body": "Trotoar di Jl. Sudirman amblas sedalam 30 cm.",
            "guest_email": citizen,
        },
    )
    assert res.status_code == 201, res.content
    tid = res.json()["tracking_id"]
    outbox_flush()
    staff.verify(tid)
    staff.follow_up(tid, FIRST_ANSWER)
    answer = _mails_to(citizen)[-1]
    assert FIRST_ANSWER in answer.body and f"[{tid}]" in answer.subject

    browser = Client()  # the guest opens the private link of the mail, on any device
    assert browser.get(urlsplit(PRIVATE.search(answer.body).group(0)).path).status_code == 302
    assert browser.post(f"/lacak/{tid}/balas/", {"body": CITIZEN_ANSWER}).status_code == 302
    assert Report.objects.get(tracking_id=tid).state == "in_progress"
    staff.follow_up(tid, SECOND_ANSWER)
    assert SECOND_ANSWER in _mails_to(citizen)[-1].body
    assert browser.post(f"/lacak/{tid}/selesai/").status_code == 302
    assert (
        browser.post(f"/lacak/{tid}/nilai/", {"satisfied": "yes", "rating": "4", "comment": "Rapi"}).status_code == 302
    )

    finished(tid, 4, comment="Rapi")
    told = [m.subject for m in _mails_to(citizen)]
    assert all(tid in s for s in told) and len(told) >= 3  # acknowledgement, the two answers


# --- E-mail: threaded replies, the rating too ----------------------------------------------------


def _mime(*, sender, subject, body, msg_id, in_reply_to="") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = sender, "lapor@lapor.example.go.id", subject, msg_id
    if in_reply_to:
        msg["In-Reply-To"], msg["References"] = in_reply_to, in_reply_to
    msg.set_content(body)
    return msg.as_bytes()


def _email_in(client, **kw) -> dict:
    res = signed_post(client, "/intake/email", _mime(**kw), content_type="message/rfc822")
    assert res.status_code == 200, res.content
    outbox_flush()
    return res.json()


def test_email_from_the_first_mail_to_the_rating_by_replying(net, client, staff):
    citizen = "siti@warga.example"
    tid = _email_in(
        client,
        sender=f"Siti <{citizen}>",
        subject="Jalan berlubang",
        body="Lubang besar di Jl. Merdeka.",
        msg_id="<e1@w>",
    )["tracking_id"]
    assert f"[{tid}]" in _mails_to(citizen)[-1].subject  # the acknowledgement
    staff.verify(tid)
    staff.follow_up(tid, FIRST_ANSWER)
    answer = _mails_to(citizen)[-1]
    assert FIRST_ANSWER in answer.body
    # the citizen's mail client keeps no tracking number in the subject: In-Reply-To threads it
    out = _email_in(
        client,
        sender=citizen,
        subject="Re: tindak lanjut",
        body=f"{CITIZEN_ANSWER}\n\n> {FIRST_ANSWER}",
        msg_id="<e2@w>",
        in_reply_to=answer.extra_headers["Message-ID"],
    )
    assert out == {"status": "ok", "action": "reply", "tracking_id": tid, "skipped_attachments": []}
    staff.follow_up(tid, SECOND_ANSWER)
    second = _mails_to(citizen)[-1]
    assert SECOND_ANSWER in second.body and "nilai 1-5" in second.body
    out = _email_in(
        client,
        sender=citizen,
        subject=f"Re: [{tid}] Tindak lanjut laporan Anda",
        body="PUAS 5 cepat sekali\n\nDikirim dari ponsel saya",
        msg_id="<e3@w>",
        in_reply_to=second.extra_headers["Message-ID"],
    )
    assert out == {"status": "ok", "action": "rate", "tracking_id": tid}
    thanks = _mails_to(citizen)[-1]
    assert f"[{tid}]" in thanks.subject and "5 dari 5" in thanks.body

    finished(tid, 5, comment="cepat sekali")
    again = _email_in(client, sender=citizen, subject=f"Re: [{tid}]", body="4", msg_id="<e4@w>")
    assert again["status"] == "rejected" and Report.objects.get(tracking_id=tid).rating == 5  # rated once


# --- SMS 1708 ---------------------------------------------------------------------------------------


def _sms(client, text: str, message_id: str, sender: str = "0812-3456-7890") -> dict:
    res = signed_json(client, "/intake/sms", {"sender": sender, "text": text, "message_id": message_id})
    assert res.status_code == 200, res.content
    outbox_flush()
    return res.json()


def _sms_to(phone: str) -> list[str]:
    rows = OutboxMessage.objects.filter(channel="sms", recipient=phone).order_by("id")
    assert all(r.status == "sent" for r in rows), [(r.status, r.last_error) for r in rows]
    return [r.payload["text"] for r in rows]


def test_sms_from_lapor_to_nilai(net, client, staff):
    phone = "+6281234567890"
    tid = _sms(client, "LAPOR Jembatan kayu di dusun Koto lapuk", "s1")["tracking_id"]
    assert tid in _sms_to(phone)[-1]
    staff.verify(tid)
    staff.follow_up(tid, FIRST_ANSWER)
    assert f"BALAS {tid}" in _sms_to(phone)[-1]
    assert _sms(client, f"BALAS {tid} {CITIZEN_ANSWER}", "s2")["action"] == "reply"
    assert "diterima" in _sms_to(phone)[-1]
    staff.follow_up(tid, SECOND_ANSWER)
    assert _sms(client, f"NILAI {tid} 4 sudah bagus", "s3") == {"status": "ok", "action": "rate", "tracking_id": tid}
    assert tid in _sms_to(phone)[-1] and "penilaian" in _sms_to(phone)[-1]

    finished(tid, 4, comment="sudah bagus")
    texts = _sms_to(phone)
    assert any("Perbaikan selesai" in t for t in texts) and any("meninjau lokasi" in t for t in texts)


# --- WhatsApp (the local fake Cloud API) ------------------------------------------------------------


@pytest.fixture
def cloud(settings):
    with wa.cloud_api() as fake:
        wa.configure(settings, fake)
        yield fake


def _wa(client, cloud, message) -> dict:
    cloud.customer_wrote(WA_ID)
    res = wa.signed(client, wa.webhook(WA_ID, message, name="Siti Warga"))
    assert res.status_code == 200, res.content
    outbox_flush()
    return res.json()["messages"][0]


WA_ID = "6281299990001"


def test_whatsapp_from_the_first_message_to_a_quoted_rating(net, client, staff, cloud):
    tid = _wa(client, cloud, wa.text_message("wamid.J1", "LAPOR Lampu jalan di Gang Mawar mati"))["tracking_id"]
    assert tid in cloud.texts(WA_ID)[-1]
    staff.verify(tid)
    staff.follow_up(tid, FIRST_ANSWER)
    assert FIRST_ANSWER in cloud.texts(WA_ID)[-1]
    out = _wa(client, cloud, wa.text_message("wamid.J2", CITIZEN_ANSWER))  # just writes back
    assert out == {"status": "ok", "action": "reply", "tracking_id": tid}
    staff.follow_up(tid, SECOND_ANSWER)
    answer = next(m for m in reversed(cloud.sent) if SECOND_ANSWER in json.dumps(m))
    # the citizen quotes our answer and writes only "PUAS": their rating of it
    out = _wa(client, cloud, wa.text_message("wamid.J3", "PUAS", context=answer["wamid"]))
    assert out == {"status": "ok", "action": "rate", "tracking_id": tid}
    assert "penilaian" in cloud.texts(WA_ID)[-1] and not cloud.refused

    finished(tid, 5)


# --- Social media: the thread of the post ------------------------------------------------------------


@pytest.fixture
def relay(settings):
    with social_relay() as fake:
        settings.LAPOR_SOCIAL_REPLY_URLS = {"x": fake.url}
        settings.LAPOR_SOCIAL_REPLY_SECRET = RELAY_SECRET
        yield fake


def _tweet(client, post_id: str, text: str, *, reply_to: str = "", handle: str = "warga_contoh") -> dict:
    tweet = {"id_str": post_id, "text": text, "user": {"id_str": "42", "screen_name": handle}}
    if reply_to:
        tweet["in_reply_to_status_id_str"] = reply_to
    res = signed_json(client, "/intake/social/x", {"for_user_id": "1708", "tweet_create_events": [tweet]})
    assert res.status_code == 200, res.content
    outbox_flush()
    return res.json()


def test_social_from_the_mention_to_a_rating_replied_on_the_thread(net, client, api, staff, relay):
    _tweet(client, "1900000000000000001", "@LAPOR1708 lampu jalan di Jl. Contoh mati sudah seminggu")
    draft = SocialDraft.objects.get()
    res = api.post(f"/api/intake/social/{draft.pk}/convert", {"title": "Lampu jalan mati"}, user=net.user("platform"))
    assert res.status_code == 201, res.content
    tid = res.json()["tracking_id"]
    staff.verify(tid)
    staff.follow_up(tid, FIRST_ANSWER)

    # the citizen answers under their own post
    out = _tweet(client, "1900000000000000002", f"@LAPOR1708 {CITIZEN_ANSWER}", reply_to=draft.post_id)
    assert out["drafts"] == [] and out["replies"] == [{"status": "ok", "action": "reply"}]
    assert Report.objects.get(tracking_id=tid).state == "in_progress"
    # someone else's reply under the post is theirs, not the reporter's: it goes to triage
    other = _tweet(
        client, "1900000000000000003", "@LAPOR1708 di gang saya juga", reply_to=draft.post_id, handle="tetangga"
    )
    assert other["replies"] == [] and len(other["drafts"]) == 1
    staff.follow_up(tid, SECOND_ANSWER)
    # ... and rates under our reply, whose id the network never told us
    out = _tweet(client, "1900000000000000004", "@LAPOR1708 nilai 4", reply_to="1900000000000009999")
    assert out == {"status": "ok", "drafts": [], "replies": [{"status": "ok", "action": "rate"}]}
    again = _tweet(client, "1900000000000000004", "@LAPOR1708 nilai 4", reply_to="1900000000000009999")
    assert again["replies"][0]["duplicate"] and Report.objects.get(tracking_id=tid).rating == 4

    events = [(p["event"], p["mode"], p["in_reply_to"]) for p in relay.posted]
    assert events == [
        ("submitted", "reply", draft.post_id),
        ("follow_up", "reply", draft.post_id),
        ("reply_received", "reply", "1900000000000000002"),
        ("follow_up", "reply", draft.post_id),
        ("rated", "reply", "1900000000000000004"),
    ], events
    assert "4 dari 5" in relay.posted[-1]["text"] and not relay.refused
    assert all(len(p["text"]) <= 280 for p in relay.posted)
    answers = ReportEvent.objects.filter(report__tracking_id=tid, action="social_answer").order_by("id")
    assert [e.data["event"] for e in answers] == ["follow_up", "reply_received", "follow_up", "rated"]
    assert all(e.actor_role == "system" for e in answers)
    assert OutboxMessage.objects.filter(channel="webhook", status="sent").count() == 5
    assert InboundMessage.objects.filter(channel="social:x").count() == 2

    finished(tid, 4)


# --- A partner system (partner API; its Open311 view) ------------------------------------------------


@pytest.fixture
def partner_hooks():
    """The partner's webhook receiver: a local HTTP server that records what we tell it."""
    got: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            got.append({"headers": dict(self.headers), "raw": raw, "body": json.loads(raw)})
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    with serving(Handler) as base:
        yield base, got


def test_partner_system_from_its_submission_to_the_rating_it_relays(net, client, staff, partner_hooks, settings):
    settings.LAPOR_WEBHOOK_ALLOW_PRIVATE = True  # the partner's receiver below listens on loopback
    base, got = partner_hooks
    user = User.objects.create_user(full_name="Sambat Online")
    partner = Partner.objects.create(name="Sambat Online", user=user, webhook_url=f"{base}/hooks/lapor")
    auth = {"Authorization": f"Bearer {token_make(user)}"}
    assert partner.webhook_secret  # every webhook below is checked against it

    def call(path: str, data: dict):
        res = client.post(
            f"/api/partners/reports{path}", json.dumps(data), content_type="application/json", headers=auth
        )
        outbox_flush()
        return res

    res = call(
        "",
        {
            "title": "Jalan berlubang",
            "body": "Lubang di depan pasar.",
            "region_code": "13.74.02",
            "external_ref": "SAMBAT-7",
        },
    )
    assert res.status_code == 201, res.content
    tid = res.json()["tracking_id"]
    staff.verify(tid)
    staff.follow_up(tid, FIRST_ANSWER)
    assert call(f"/{tid}/replies", {"body": CITIZEN_ANSWER}).status_code == 201
    staff.follow_up(tid, SECOND_ANSWER)
    res = call(f"/{tid}/rating", {"rating": 3, "comment": "lumayan", "satisfied": True})
    assert res.status_code == 200, res.content

    changes = [g["body"]["action"] for g in got if g["body"]["kind"] in ("submitted", "transition")]
    assert changes == ["", "route", "follow_up", "reply", "follow_up", "complete", "rate"], changes
    assert all(g["body"]["external_ref"] == "SAMBAT-7" for g in got)
    assert all(signature_valid(partner.webhook_secret, g["raw"], g["headers"][SIGNATURE_HEADER]) for g in got)
    assert got[-1]["body"]["report"]["state"] == "done"
    finished(tid, 3, comment="lumayan")
    # a GeoReport (Open311) client of the same system reads it closed
    detail = client.get(f"/open311/v2/requests/{tid}.json")
    assert detail.status_code == 200 and detail.json()[0]["status"] == "closed"


# --- Counter (assisted entry): the citizen answers by SMS ---------------------------------------------


def test_counter_from_the_officers_entry_to_the_citizens_sms_rating(net, client, api, staff):
    res = api.post(
        "/api/intake/assisted",
        {
            "channel": "counter",
            "consent": True,
            "title": "Air PDAM keruh",
            "body": "Air keruh sejak seminggu di RT 03.",
            "citizen_name": "Pak Darto",
            "citizen_phone": "0813-5555-0101",
        },
        user=net.user("liaison"),
    )
    assert res.status_code == 201, res.content
    tid, phone = res.json()["tracking_id"], "+6281355550101"
    outbox_flush()
    assert tid in _sms_to(phone)[-1]  # the receipt's number, by SMS too
    staff.verify(tid)
    staff.follow_up(tid, FIRST_ANSWER)
    assert f"BALAS {tid}" in _sms_to(phone)[-1]
    assert _sms(client, f"BALAS {tid} {CITIZEN_ANSWER}", "c1", sender=phone)["action"] == "reply"
    staff.follow_up(tid, SECOND_ANSWER)
    # a bare score answers the report waiting for this number's rating
    assert _sms(client, "5", "c2", sender=phone) == {"status": "ok", "action": "rate", "tracking_id": tid}
    assert "penilaian" in _sms_to(phone)[-1]

    report = finished(tid, 5)
    submitted = ReportEvent.objects.get(report=report, kind="submitted")
    assert submitted.data["assisted"] and submitted.data["entered_by"] == net.user("liaison").pk
    assert report.reporter_id is None and report.guest_phone == phone
