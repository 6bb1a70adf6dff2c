"""The reporter of a forwarded report stays at the origin; what they do there about the peer's
answer (reply, accept, rate, reopen), from any door, travels to the peer that holds the report:
signed, through the outbox, recorded in the origin's timeline, applied once by the peer's own
lifecycle services, and never carrying an anonymous reporter's identity."""

import json
import uuid
from email.message import EmailMessage

import pytest
from django.test import override_settings

from lapor.intake.tests import fake_cloud_api as wa
from lapor.intake.tests.helpers import SECRET as DOOR_SECRET
from lapor.intake.tests.helpers import signed_json, signed_post
from lapor.intake.tests.test_whatsapp_receive import WA_ID, cloud, send  # noqa: F401 (fixture)
from lapor.notifications.models import OutboxMessage
from lapor.notifications.services import outbox_retry
from lapor.partners.models import FederationLink
from lapor.partners.signing import signed_headers
from lapor.reports import services
from lapor.reports.models import Message, Report, ReportEvent
from lapor.reports.services import Actor

from .helpers import report_make
from .test_federation_answer import peer_answers, remote_of
from .test_federation_roundtrip import PROVINCE, SECRET, forward, two_deployments  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("two_deployments")
RELAY_URL = f"http://{PROVINCE}/federation/reporter"


def forwarded_and_answered(net, client, capture, origin, body="Sudah diperbaiki."):
    if origin.state == "submitted":
        with capture(execute=True):
            services.report_route(report=origin, actor=Actor(user=net.user("platform")), agency=net.city)
    with capture(execute=True):
        assert forward(client, net, origin).status_code == 201
    remote = remote_of(origin)
    if remote.state == "submitted":  # the province verifies it to one of its agencies
        with override_settings(LAPOR_FEDERATION_ID="sumbar"), capture(execute=True):
            services.report_route(report=remote, actor=Actor(user=net.user("platform")), agency=net.other_city)
        remote.refresh_from_db()
    peer_answers(net, remote, capture, body=body)
    origin.refresh_from_db()
    assert origin.state == "followed_up"
    return remote


def relays(transport) -> list[dict]:
    return [s for s in transport.to(PROVINCE) if s["path"] == "/federation/reporter"]


def test_a_reply_by_sms_reaches_the_peer(net, client, transport, settings, django_capture_on_commit_callbacks):
    settings.LAPOR_SMS_SECRET = DOOR_SECRET
    res = signed_json(
        client, "/intake/sms", {"sender": "0812-3456-7890", "text": "LAPOR Jalan provinsi amblas", "message_id": "s1"}
    )
    origin = Report.objects.get(tracking_id=res.json()["tracking_id"])
    remote = forwarded_and_answered(net, client, django_capture_on_commit_callbacks, origin)
    with django_capture_on_commit_callbacks(execute=True):
        res = signed_json(
            client,
            "/intake/sms",
            {"sender": "0812-3456-7890", "text": f"BALAS {origin.tracking_id} masih berlubang", "message_id": "s2"},
        )
    assert res.json()["action"] == "reply", res.content
    assert Message.objects.get(report=remote, kind="reply").body == "masih berlubang"
    assert b"0812" not in relays(transport)[0]["body"] and b"+62" not in relays(transport)[0]["body"]


def email(client, subject: str, body: str, message_id: str):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = "siti@warga.example", "lapor@x", subject, message_id
    msg.set_content(body)
    return signed_post(client, "/intake/email", msg.as_bytes(), content_type="message/rfc822")


def test_a_reply_by_email_reaches_the_peer(net, client, transport, settings, django_capture_on_commit_callbacks):
    settings.LAPOR_EMAIL_SECRET = DOOR_SECRET
    res = email(client, "Banjir di jalan provinsi", "Air menggenang setinggi lutut.", "<r0@warga>")
    origin = Report.objects.get(tracking_id=res.json()["tracking_id"])
    remote = forwarded_and_answered(net, client, django_capture_on_commit_callbacks, origin)
    with django_capture_on_commit_callbacks(execute=True):
        res = email(
            client, f"Re: [{origin.tracking_id}] Tindak lanjut", "Belum, airnya masih menggenang.\n> kutipan", "<r1@x>"
        )
    assert res.json()["action"] == "reply", res.content
    assert Message.objects.get(report=remote, kind="reply").body == "Belum, airnya masih menggenang."
    assert b"siti@" not in relays(transport)[0]["body"]


def test_a_rating_by_whatsapp_reaches_the_peer(
    net,
    client,
    transport,
    cloud,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    tid = send(client, cloud, wa.text_message("wamid.F1", "LAPOR Jembatan provinsi retak"))["tracking_id"]
    origin = Report.objects.get(tracking_id=tid)
    remote = forwarded_and_answered(net, client, django_capture_on_commit_callbacks, origin)
    with django_capture_on_commit_callbacks(execute=True):
        out = send(client, cloud, wa.text_message("wamid.F2", f"NILAI {tid} 5 cepat sekali"))
    assert out["action"] == "rate" and out["status"] == "ok", out
    remote.refresh_from_db()
    assert (remote.state, remote.rating, remote.rating_comment) == ("done", 5, "cepat sekali")
    assert [json.loads(s["body"])["action"] for s in relays(transport)] == ["complete", "rate"]
    assert WA_ID.encode() not in b"".join(s["body"] for s in relays(transport))


def test_an_anonymous_reporters_name_and_contact_never_reach_the_peer(
    net, client, transport, django_capture_on_commit_callbacks
):
    origin = report_make(net, is_anonymous=True)
    remote = forwarded_and_answered(net, client, django_capture_on_commit_callbacks, origin)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_reply(
            report=origin,
            actor=Actor(user=net.user("reporter")),
            body="Saya Budi Santoso, hubungi budi@warga.example atau 0812-3456-7890.",
        )
    wire = relays(transport)[0]["body"]
    assert b"Budi" not in wire and b"budi@" not in wire and b"3456-7890" not in wire
    stored = Message.objects.get(report=remote, kind="reply")
    assert "Budi" not in stored.body and "budi@" not in stored.body and "3456" not in stored.body
    assert stored.author == remote.reporter and FederationLink.objects.get(direction="inbound").reporter_name == ""


def test_not_satisfied_reopens_the_report_at_the_peer_and_the_clock_stays_held(
    net, client, transport, django_capture_on_commit_callbacks
):
    origin = report_make(net)
    remote = forwarded_and_answered(net, client, django_capture_on_commit_callbacks, origin)
    reporter = Actor(user=net.user("reporter"))
    with django_capture_on_commit_callbacks(execute=True):
        services.report_complete(report=origin, actor=reporter)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_rate(report=origin, actor=reporter, rating=2, comment="Masih rusak", reopen=True)
    remote.refresh_from_db()
    origin.refresh_from_db()
    assert (remote.state, remote.reopen_count, remote.rating, remote.rating_comment) == (
        "in_progress",
        1,
        2,
        "Masih rusak",
    )
    assert origin.state == "in_progress" and origin.due_at is None  # the peer has it again
    reopened = ReportEvent.objects.get(report=origin, action="federate_relay", data__step="reopen")
    assert "dibuka kembali" in reopened.reason and reopened.is_public

    # The peer's next answer comes home, and can then be accepted.
    peer_answers(net, remote, django_capture_on_commit_callbacks, body="Sudah diaspal ulang.")
    origin.refresh_from_db()
    assert origin.state == "followed_up"
    assert Message.objects.filter(report=origin, kind="follow_up").last().body == "Sudah diaspal ulang."


def test_the_same_relay_delivered_twice_is_stored_once(net, client, transport, django_capture_on_commit_callbacks):
    origin = report_make(net)
    remote = forwarded_and_answered(net, client, django_capture_on_commit_callbacks, origin)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_reply(report=origin, actor=Actor(user=net.user("reporter")), body="Belum selesai.")
    sent = relays(transport)[0]
    events = ReportEvent.objects.filter(report=remote).count()
    with override_settings(LAPOR_FEDERATION_ID="sumbar"):
        again = client.post(sent["path"], data=sent["body"], content_type="application/json", headers=sent["headers"])
        # the same step under a new delivery id (the outbox re-sent a copy) is the same step
        fresh = signed_headers(SECRET, sent["body"], str(uuid.uuid4()), 1_700_000_000)
        third = client.post(sent["path"], data=sent["body"], content_type="application/json", headers=fresh)
    assert (again.status_code, third.status_code) == (202, 202)
    assert again.json() == third.json() == {"ok": True, "tracking_id": remote.tracking_id}
    assert Message.objects.filter(report=remote, kind="reply").count() == 1
    assert ReportEvent.objects.filter(report=remote).count() == events


def test_a_peer_that_is_down_gets_the_reply_from_the_dead_letter_retry(
    net, client, transport, settings, django_capture_on_commit_callbacks
):
    origin = report_make(net)
    remote = forwarded_and_answered(net, client, django_capture_on_commit_callbacks, origin)
    settings.LAPOR_OUTBOX_MAX_ATTEMPTS = 1
    transport.down.add(PROVINCE)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_reply(report=origin, actor=Actor(user=net.user("reporter")), body="Belum selesai.")
    dead = OutboxMessage.objects.get(recipient=RELAY_URL)
    assert dead.status == "dead" and not Message.objects.filter(report=remote, kind="reply").exists()
    assert ReportEvent.objects.filter(report=origin, action="federate_relay").count() == 1  # recorded once

    transport.down.clear()
    with django_capture_on_commit_callbacks(execute=True):
        outbox_retry(delivery_id=str(dead.delivery_id))
    dead.refresh_from_db()
    assert dead.status == "sent" and Message.objects.get(report=remote, kind="reply").body == "Belum selesai."


def test_nothing_travels_to_a_peer_that_handed_the_report_back(
    net, client, transport, django_capture_on_commit_callbacks
):
    origin = report_make(net)
    with django_capture_on_commit_callbacks(execute=True):
        forward(client, net, origin)
    remote = remote_of(origin)
    with override_settings(LAPOR_FEDERATION_ID="sumbar"), django_capture_on_commit_callbacks(execute=True):
        services.report_archive(report=remote, actor=Actor(user=net.user("platform")), reason="too_general")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_reply(report=origin, actor=Actor(user=net.user("reporter")), body="Tambahan informasi.")
    assert relays(transport) == [] and not OutboxMessage.objects.filter(recipient=RELAY_URL).exists()
    assert not ReportEvent.objects.filter(report=origin, action="federate_relay").exists()
    origin.refresh_from_db()
    assert origin.due_at is not None  # the clock runs here again, as it did since the peer archived


def test_a_second_answer_after_the_reply_reaches_the_reporter(
    net, client, transport, django_capture_on_commit_callbacks
):
    origin = report_make(net)
    remote = forwarded_and_answered(net, client, django_capture_on_commit_callbacks, origin, body="Jawaban pertama.")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_reply(report=origin, actor=Actor(user=net.user("reporter")), body="Masih ada masalah.")
    origin.refresh_from_db()
    assert origin.state == "in_progress" and origin.due_at is None
    assert ReportEvent.objects.filter(report=origin, action="clock_hold").count() == 2
    peer_answers(net, remote, django_capture_on_commit_callbacks, body="Jawaban kedua.")
    origin.refresh_from_db()
    assert origin.state == "followed_up" and origin.due_at is not None  # the reply window
    assert list(Message.objects.filter(report=origin, kind="follow_up").values_list("body", flat=True)) == [
        "Jawaban pertama.",
        "Jawaban kedua.",
    ]
