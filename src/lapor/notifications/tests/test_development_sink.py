"""Outside production, an e-mail or SMS with no server configured lands in DATA_DIR/outbox/; in
production it fails and is retried (a missing setting must show in the outbox, not in a folder)."""

import email
import json
import logging

import pytest

from lapor.notifications.models import OutboxMessage
from lapor.notifications.services import outbox_deliver, outbox_enqueue

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def unconfigured(settings):
    settings.PRODUCTION = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.LAPOR_SMTP_HOST = ""
    settings.LAPOR_SMS_GATEWAY_URL = ""
    return settings


def test_sms_without_a_gateway_is_written_to_the_data_directory(unconfigured, caplog):
    caplog.set_level(logging.INFO, logger="lapor.notifications.senders")
    msg = outbox_enqueue(channel="sms", recipient="+6281234567890", payload={"text": "Laporan ABCD-EFGH diterima."})
    msg.refresh_from_db()
    assert msg.status == "sent" and msg.attempts == 1
    path = unconfigured.DATA_DIR / "outbox" / "sms" / f"{msg.delivery_id}.json"
    sent = json.loads(path.read_text())
    assert sent["to"] == "+6281234567890" and sent["text"] == "Laporan ABCD-EFGH diterima."
    assert sent["delivery_id"] == str(msg.delivery_id) and sent["parts"] == ["Laporan ABCD-EFGH diterima."]
    assert str(msg.delivery_id) in caplog.text
    assert "+6281234567890" not in caplog.text and "ABCD-EFGH" not in caplog.text  # the log names the file only


def test_email_without_smtp_is_written_as_an_eml_file(unconfigured):
    msg = outbox_enqueue(
        channel="email",
        recipient="warga@example.com",
        payload={"subject": "Laporan diterima", "body": "Nomor ABCD-EFGH"},
    )
    msg.refresh_from_db()
    assert msg.status == "sent"
    files = list((unconfigured.DATA_DIR / "outbox" / "email").iterdir())
    assert [f.name for f in files] == [f"{msg.delivery_id}.eml"]  # no partial file left behind
    parsed = email.message_from_bytes(files[0].read_bytes())
    assert parsed["To"] == "warga@example.com" and parsed["Subject"] == "Laporan diterima"
    assert parsed["X-Lapor-Delivery"] == str(msg.delivery_id)
    assert "ABCD-EFGH" in parsed.get_payload(decode=True).decode()


def test_a_second_delivery_of_the_same_message_rewrites_its_file(unconfigured):
    msg = outbox_enqueue(channel="sms", recipient="+6281234567890", payload={"text": "Satu."})
    OutboxMessage.objects.filter(pk=msg.pk).update(status="pending")  # as if the first delivery's ack was lost
    outbox_deliver(message_id=msg.pk)
    assert len(list((unconfigured.DATA_DIR / "outbox" / "sms").iterdir())) == 1


def test_in_production_a_missing_gateway_fails_and_is_retried(unconfigured):
    unconfigured.PRODUCTION = True
    msg = outbox_enqueue(channel="sms", recipient="+6281234567890", payload={"text": "x"})
    msg.refresh_from_db()
    assert msg.status == "retry" and "LAPOR_SMS_GATEWAY_URL is not configured" in msg.last_error
    assert not (unconfigured.DATA_DIR / "outbox").exists()


def test_in_production_email_goes_to_the_local_mta_not_a_file(unconfigured):
    unconfigured.PRODUCTION = True
    unconfigured.LAPOR_SMTP_PORT = "1"  # nothing listens there: the attempt fails, as a down MTA would
    msg = outbox_enqueue(channel="email", recipient="warga@example.com", payload={"subject": "s", "body": "b"})
    msg.refresh_from_db()
    assert msg.status == "retry" and msg.last_error
    assert not (unconfigured.DATA_DIR / "outbox").exists()
