"""The files a reporter sends at the origin about a report a peer holds (an e-mail's attachment with
the reply, a file on its own through the API) travel to the peer inside the signed relay, and are
stored there as the reporter's, through the peer's own attachment rules, once per relay id."""

import base64
import hashlib
import io
import json
import uuid
from email.message import EmailMessage

import pytest
from django.test import Client, override_settings

from lapor.core.tests import canary as cy
from lapor.intake.tests import fake_cloud_api as wa
from lapor.intake.tests.helpers import SECRET as DOOR_SECRET
from lapor.intake.tests.helpers import signed_post
from lapor.intake.tests.test_whatsapp_receive import WA_ID, cloud, send  # noqa: F401 (fixture)
from lapor.partners.signing import signed_headers
from lapor.reports.attachments import attachment_add, attachment_path
from lapor.reports.models import Attachment, Message, Report
from lapor.reports.services import Actor
from lapor.reports.tests.test_attachments_upload import jpeg_with_gps

from .helpers import report_make
from .test_federation_reporter_relay import forwarded_and_answered, relays
from .test_federation_roundtrip import SECRET, two_deployments  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("two_deployments")


def email_with_photo(client, subject: str, body: str, message_id: str, *, name: str = "jalan.jpg"):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = "siti@warga.example", "lapor@x", subject, message_id
    msg.set_content(body)
    msg.add_attachment(jpeg_with_gps(), maintype="image", subtype="jpeg", filename=name)
    return signed_post(client, "/intake/email", msg.as_bytes(), content_type="message/rfc822")


def test_a_photo_sent_with_an_email_reply_is_stored_at_the_peer_with_the_reply(
    net, client, transport, settings, django_capture_on_commit_callbacks
):
    settings.LAPOR_EMAIL_SECRET = DOOR_SECRET
    res = email_with_photo(client, "Jalan provinsi amblas", "Lubang besar di km 12.", "<f0@warga>")
    origin = Report.objects.get(tracking_id=res.json()["tracking_id"])
    remote = forwarded_and_answered(net, client, django_capture_on_commit_callbacks, origin)
    with django_capture_on_commit_callbacks(execute=True):
        res = email_with_photo(client, f"Re: [{origin.tracking_id}] Tindak lanjut", "Belum, lihat foto.", "<f1@x>")
    assert res.json()["action"] == "reply", res.content

    sent = relays(transport)
    assert len(sent) == 1, "the photo rides the reply's relay, not a call of its own"
    wire = json.loads(sent[0]["body"])
    assert wire["action"] == "reply" and [a["name"] for a in wire["attachments"]] == ["jalan.jpg"]
    assert b"siti@" not in sent[0]["body"]

    reply = Message.objects.get(report=remote, kind="reply")
    stored = Attachment.objects.get(report=remote, message=reply)
    origin_file = Attachment.objects.get(report=origin, message__kind="reply")
    assert (stored.original_name, stored.content_type) == ("jalan.jpg", "image/jpeg")
    assert stored.uploaded_by == remote.reporter and not stored.is_internal
    data = attachment_path(stored).read_bytes()
    assert b"KameraRahasia" not in data and stored.sha256 == origin_file.sha256 == hashlib.sha256(data).hexdigest()


def test_a_whatsapp_photo_sent_as_a_reply_reaches_the_peer_cleaned(
    net,
    client,
    transport,
    cloud,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    tid = send(client, cloud, wa.text_message("wamid.P1", "LAPOR Jembatan provinsi retak"))["tracking_id"]
    origin = Report.objects.get(tracking_id=tid)
    remote = forwarded_and_answered(net, client, django_capture_on_commit_callbacks, origin)
    cloud.media_add("777001", cy.PHOTO)
    with django_capture_on_commit_callbacks(execute=True):
        out = send(client, cloud, wa.image_message("wamid.P2", "777001", caption=f"BALAS {tid} masih retak"))
    assert out["action"] == "reply" and out["status"] == "ok", out
    [relay] = relays(transport)
    assert [a["content_type"] for a in json.loads(relay["body"])["attachments"]] == ["image/jpeg"]
    stored = Attachment.objects.get(report=remote, message__body="masih retak")
    assert cy.A_NAME.encode() not in attachment_path(stored).read_bytes()  # the photo's metadata is gone
    wired = base64.b64decode(json.loads(relay["body"])["attachments"][0]["data"])
    assert cy.A_NAME.encode() not in wired and WA_ID.encode() not in relay["body"]


def test_a_file_the_reporter_adds_on_its_own_travels_as_a_step_and_once(
    net, client, transport, django_capture_on_commit_callbacks
):
    origin = report_make(net)
    remote = forwarded_and_answered(net, client, django_capture_on_commit_callbacks, origin)
    with django_capture_on_commit_callbacks(execute=True):
        attachment_add(report=origin, actor=Actor(user=net.user("reporter")), name="bukti.jpg", data=jpeg_with_gps())
    sent = relays(transport)
    assert [json.loads(s["body"])["action"] for s in sent] == ["attach"]
    assert Attachment.objects.filter(report=remote, message=None, original_name="bukti.jpg").count() == 1
    assert origin.events.filter(action="federate_relay", data__step="attach").count() == 1

    with override_settings(LAPOR_FEDERATION_ID="sumbar"):  # redelivered under a new delivery id
        fresh = signed_headers(SECRET, sent[0]["body"], str(uuid.uuid4()), 1_700_000_000)
        again = client.post(sent[0]["path"], data=sent[0]["body"], content_type="application/json", headers=fresh)
    assert again.status_code == 202
    assert Attachment.objects.filter(report=remote).count() == 1


def test_an_anonymous_reporters_name_in_a_file_name_is_masked(
    net, client, transport, django_capture_on_commit_callbacks
):
    origin = report_make(net, is_anonymous=True)
    remote = forwarded_and_answered(net, client, django_capture_on_commit_callbacks, origin)
    name = net.user("reporter").full_name.split()[0]
    with django_capture_on_commit_callbacks(execute=True):
        attachment_add(
            report=origin, actor=Actor(user=net.user("reporter")), name=f"foto {name}.jpg", data=jpeg_with_gps()
        )
    wire = relays(transport)[0]["body"]
    assert name.encode() not in wire
    assert name not in Attachment.objects.get(report=remote).original_name


def test_a_file_the_peers_rules_refuse_is_left_out_and_the_reply_stands(
    net, client, transport, django_capture_on_commit_callbacks
):
    origin = report_make(net)
    remote = forwarded_and_answered(net, client, django_capture_on_commit_callbacks, origin)
    body = {
        "type": "report.reporter",
        "origin": "padangpanjang",
        "tracking_id": origin.tracking_id,
        "relay_id": "9001",
        "action": "reply",
        "body": "Ini skripnya.",
        "attachments": [{"name": "x.exe", "data": base64.b64encode(b"MZ\x90\x00 not allowed").decode()}],
    }
    raw = json.dumps(body).encode()
    with override_settings(LAPOR_FEDERATION_ID="sumbar"):
        res = client.post(
            "/federation/reporter",
            data=raw,
            content_type="application/json",
            headers=signed_headers(SECRET, raw, str(uuid.uuid4()), 1_700_000_000),
        )
    assert res.status_code == 202, res.content
    assert Message.objects.get(report=remote, kind="reply").body == "Ini skripnya."
    assert not Attachment.objects.filter(report=remote).exists()


@pytest.mark.parametrize(
    "attachments, code",
    [
        ("not a list", "invalid_attachment"),
        ([{"name": "a.jpg", "data": "***"}], "invalid_attachment"),
        ([{"name": "a.jpg", "data": base64.b64encode(b"abc").decode(), "sha256": "0" * 64}], "invalid_attachment"),
        ([{"name": "a.jpg", "data": base64.b64encode(b"x" * 2048).decode()}], "file_too_large"),
    ],
)
def test_a_malformed_or_oversized_file_list_is_refused_and_nothing_changes(
    net, client, transport, settings, django_capture_on_commit_callbacks, attachments, code
):
    origin = report_make(net)
    remote = forwarded_and_answered(net, client, django_capture_on_commit_callbacks, origin)
    settings.LAPOR_MAX_UPLOAD_BYTES = 1024
    body = {
        "type": "report.reporter",
        "origin": "padangpanjang",
        "tracking_id": origin.tracking_id,
        "relay_id": "9002",
        "action": "reply",
        "body": "Lihat lampiran.",
        "attachments": attachments,
    }
    raw = json.dumps(body).encode()
    with override_settings(LAPOR_FEDERATION_ID="sumbar"):
        res = client.post(
            "/federation/reporter",
            data=raw,
            content_type="application/json",
            headers=signed_headers(SECRET, raw, str(uuid.uuid4()), 1_700_000_000),
        )
    assert (res.status_code, res.json()["code"]) == (400, code)
    assert not Message.objects.filter(report=remote, kind="reply").exists()


def test_a_photo_sent_with_a_reply_on_the_track_page_rides_the_reply_to_the_peer(
    net, client, transport, django_capture_on_commit_callbacks
):
    origin = report_make(net, is_anonymous=True)
    remote = forwarded_and_answered(net, client, django_capture_on_commit_callbacks, origin)
    reporter = Client()
    reporter.force_login(net.user("reporter"))
    name = net.user("reporter").full_name.split()[0]
    photo = io.BytesIO(jpeg_with_gps())
    photo.name = f"foto {name}.jpg"
    with django_capture_on_commit_callbacks(execute=True):
        res = reporter.post(
            f"/lacak/{origin.tracking_id}/balas/", {"body": "Belum, lihat foto.", "attachments": [photo]}
        )
    assert res.status_code == 302, res.content.decode()[:1000]
    sent = relays(transport)
    assert len(sent) == 1, "the photo rides the reply's relay, not a call of its own"
    wire = json.loads(sent[0]["body"])
    assert wire["action"] == "reply" and len(wire["attachments"]) == 1
    assert name.encode() not in sent[0]["body"]  # an anonymous reporter's name in the file name is masked
    stored = Attachment.objects.get(report=remote, message__kind="reply")
    assert stored.uploaded_by == remote.reporter and b"KameraRahasia" not in attachment_path(stored).read_bytes()
