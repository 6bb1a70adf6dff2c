"""E-mail intake: signed raw-MIME webhook; attachments kept; replies threaded by [tracking id]."""

from email.message import EmailMessage

import pytest

from lapor.reports.models import Attachment, Message, Report

from .helpers import SECRET, signed_post


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return out.getvalue()


PNG = _png()


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.LAPOR_EMAIL_SECRET = SECRET


def mime(
    sender="Siti <siti@warga.example>",
    subject="Jalan rusak",
    body="Jalan di RT 02 rusak parah.",
    msg_id="<m1@x>",
    attach=False,
) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = sender, "lapor@lapor.go.id", subject, msg_id
    msg.set_content(body)
    if attach:
        msg.add_attachment(PNG, maintype="image", subtype="png", filename="foto.png")
    return msg.as_bytes()


def post(client, raw):
    return signed_post(client, "/intake/email", raw, content_type="message/rfc822")


def test_an_email_becomes_a_report_with_its_attachment(net, client):
    res = post(client, mime(attach=True))
    assert res.status_code == 200, res.content
    report = Report.objects.get(tracking_id=res.json()["tracking_id"])
    assert report.channel == "email" and report.guest_email == "siti@warga.example" and report.title == "Jalan rusak"
    assert Attachment.objects.get(report=report).content_type == "image/png"
    assert post(client, mime(attach=True)).json()["duplicate"] is True and Report.objects.count() == 1


def test_a_reply_with_the_tracking_id_is_threaded_only_from_the_reporters_address(net, client):
    tid = post(client, mime()).json()["tracking_id"]
    res = post(
        client,
        mime(
            sender="siti@warga.example",
            subject=f"Re: [{tid}] Laporan diterima",
            body="Tambahan: lubangnya dua.\n> kutipan lama",
            msg_id="<m2@x>",
        ),
    )
    assert res.json()["action"] == "reply" and Report.objects.count() == 1
    assert Message.objects.get(report__tracking_id=tid).body == "Tambahan: lubangnya dua."
    res = post(client, mime(sender="orang@lain.example", subject=f"Re: [{tid}]", body="Saya ikut", msg_id="<m3@x>"))
    assert res.json()["action"] == "report" and Report.objects.count() == 2
    assert Message.objects.count() == 1


@pytest.mark.parametrize("case", ["unsigned", "wrong_secret", "no_from", "empty"])
def test_bad_or_unsigned_emails_are_refused(net, client, case):
    if case == "unsigned":
        res = client.generic("POST", "/intake/email", mime(), content_type="message/rfc822")
    elif case == "wrong_secret":
        res = signed_post(client, "/intake/email", mime(), secret="other", content_type="message/rfc822")
    elif case == "no_from":
        res = post(client, mime(sender="tanpa alamat"))
    else:
        res = post(client, b"")
    assert 400 <= res.status_code < 500 and res.json()["code"]
    assert not Report.objects.exists()
