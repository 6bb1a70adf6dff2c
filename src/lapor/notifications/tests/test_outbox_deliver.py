"""The outbox: written with the change, delivered after commit, signed, retried, dead-lettered."""

import email
import hashlib
import hmac
import threading

import pytest
from django.db import connection, transaction

from lapor.notifications import services
from lapor.notifications.models import OutboxMessage
from lapor.notifications.services import outbox_deliver, outbox_enqueue, outbox_flush

from .receivers import http_receiver, smtp_sink

pytestmark = pytest.mark.django_db(transaction=True)


def test_webhook_is_delivered_after_commit_and_signed_with_the_recipients_secret():
    with http_receiver() as (url, rec):
        with transaction.atomic():
            msg = outbox_enqueue(channel="webhook", recipient=url, payload={"event": "x", "n": 1}, secret="s3cret")
            assert rec.requests == []  # nothing leaves before the commit
        assert len(rec.requests) == 1
        req = rec.requests[0]
        expected = "sha256=" + hmac.new(b"s3cret", req["body"], hashlib.sha256).hexdigest()
        assert req["headers"]["X-Lapor-Signature"] == expected
        assert req["headers"]["X-Lapor-Delivery"] == str(msg.delivery_id)
        assert req["headers"]["X-Lapor-Timestamp"].isdigit()
        assert rec.json() == {"event": "x", "n": 1}
    msg.refresh_from_db()
    assert msg.status == "sent" and msg.attempts == 1


def test_a_rolled_back_change_sends_nothing():
    with http_receiver() as (url, rec):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                outbox_enqueue(channel="webhook", recipient=url, payload={"a": 1})
                raise RuntimeError("state change failed")
        assert rec.requests == [] and not OutboxMessage.objects.exists()


def test_the_same_dedupe_key_makes_one_message():
    a = outbox_enqueue(channel="web", recipient="1", payload={"title": "x"}, dedupe_key="k1")
    b = outbox_enqueue(channel="web", recipient="1", payload={"title": "x"}, dedupe_key="k1")
    assert a.pk == b.pk and OutboxMessage.objects.count() == 1


def test_failures_back_off_exponentially_then_dead_letter(settings):
    settings.LAPOR_OUTBOX_MAX_ATTEMPTS = 3
    with http_receiver() as (url, rec):
        rec.status = 503
        msg = outbox_enqueue(channel="webhook", recipient=url, payload={"a": 1})
        msg.refresh_from_db()
        assert msg.status == "retry" and msg.attempts == 1 and "503" in msg.last_error
        first_wait = msg.next_attempt_at
        OutboxMessage.objects.filter(pk=msg.pk).update(next_attempt_at=msg.created_at)
        assert outbox_deliver(message_id=msg.pk) == services.backoff_seconds(2) == 2 * services.backoff_seconds(1)
        OutboxMessage.objects.filter(pk=msg.pk).update(next_attempt_at=msg.created_at)
        assert outbox_deliver(message_id=msg.pk) is None
        msg.refresh_from_db()
        assert msg.status == "dead" and msg.attempts == 3 and len(rec.requests) == 3
        assert first_wait > msg.created_at
        # An operator retries it once the receiver is back.
        rec.status = 200
        services.outbox_retry(delivery_id=str(msg.delivery_id))
        msg.refresh_from_db()
        assert msg.status == "sent" and len(rec.requests) == 4


def test_a_row_not_yet_due_is_not_sent_early():
    with http_receiver() as (url, rec):
        rec.status = 500
        msg = outbox_enqueue(channel="webhook", recipient=url, payload={"a": 1})
        assert outbox_deliver(message_id=msg.pk) is None and len(rec.requests) == 1


@pytest.mark.skipif("connection.vendor == 'sqlite'", reason="needs real concurrent connections")
def test_concurrent_flushes_send_each_row_once(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # unreachable: dispatch fails, rows wait
    with http_receiver() as (url, rec):
        for i in range(20):
            outbox_enqueue(channel="webhook", recipient=url, payload={"i": i})
        assert OutboxMessage.objects.filter(status="pending").count() == 20

        def worker():
            outbox_flush()
            connection.close()

        threads = [threading.Thread(target=worker) for _ in range(4)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert sorted(r["i"] for r in map(lambda q: __import__("json").loads(q["body"]), rec.requests)) == list(
            range(20)
        )
    assert OutboxMessage.objects.filter(status="sent").count() == 20


def test_claim_lets_only_one_worker_take_a_row():
    row = OutboxMessage.objects.create(channel="webhook", recipient="http://127.0.0.1:9/x", payload={})
    from django.utils import timezone

    now = timezone.now()
    assert services._claim(row.pk, now) is True
    assert services._claim(row.pk, now) is False  # leased by the first worker


def test_email_goes_through_smtp_with_the_delivery_id(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    with smtp_sink() as (port, received):
        settings.LAPOR_SMTP_HOST, settings.LAPOR_SMTP_PORT = "127.0.0.1", str(port)
        msg = outbox_enqueue(
            channel="email",
            recipient="warga@example.com",
            payload={"subject": "Laporan diterima", "body": "Nomor ABCD-EFGH"},
        )
        assert len(received) == 1
    parsed = email.message_from_bytes(received[0]["data"])
    assert received[0]["to"] == ["warga@example.com"]
    assert parsed["Subject"] == "Laporan diterima" and parsed["X-Lapor-Delivery"] == str(msg.delivery_id)
    assert "ABCD-EFGH" in parsed.get_payload(decode=True).decode()


def test_redis_down_never_breaks_the_enqueueing_transaction(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    with transaction.atomic():
        msg = outbox_enqueue(channel="web", recipient="1", payload={"title": "x"})
    msg.refresh_from_db()
    assert msg.status == "pending"  # left for `lapor outbox flush`


def test_a_passing_database_error_does_not_lose_the_outcome_of_a_sent_message(monkeypatch):
    """The message has left; a "database table is locked" while recording that (SQLite with another
    writer, a restarting PostgreSQL) is tried again, so it is not sent a second time after its lease."""
    from django.db import OperationalError
    from django.db.models import QuerySet

    with http_receiver() as (url, rec):
        msg = OutboxMessage.objects.create(channel="webhook", recipient=url, payload={"n": 1})
        original, failures = QuerySet.update, []

        def flaky_update(self, **kwargs):
            if kwargs.get("status") == "sent" and len(failures) < 2:
                failures.append(1)
                raise OperationalError("database table is locked: notifications_outboxmessage")
            return original(self, **kwargs)

        monkeypatch.setattr(QuerySet, "update", flaky_update)
        assert outbox_deliver(message_id=msg.pk) is None
    msg.refresh_from_db()
    assert len(failures) == 2 and msg.status == "sent" and msg.claimed_until is None and len(rec.requests) == 1


def test_a_lasting_database_error_is_raised_after_a_few_tries(monkeypatch):
    from django.db import OperationalError
    from django.db.models import QuerySet

    with http_receiver() as (url, _rec):
        msg = OutboxMessage.objects.create(channel="webhook", recipient=url, payload={"n": 1})
        original, tries = QuerySet.update, []

        def broken_update(self, **kwargs):
            if kwargs.get("status") == "sent":
                tries.append(1)
                raise OperationalError("server closed the connection unexpectedly")
            return original(self, **kwargs)

        monkeypatch.setattr(QuerySet, "update", broken_update)
        with pytest.raises(OperationalError):
            outbox_deliver(message_id=msg.pk)
    assert len(tries) == services.OUTCOME_TRIES
    msg.refresh_from_db()
    assert msg.status == "sending" and msg.claimed_until is not None  # the lease frees it for the flush


def test_the_delivery_task_tries_again_when_the_database_is_away(monkeypatch):
    """A claim that fails on a database error (locked, restarting) is retried by the task, not dropped."""
    from celery.exceptions import Retry
    from django.db import OperationalError

    from lapor.notifications import tasks

    def unavailable(*, message_id):
        raise OperationalError("database table is locked: notifications_outboxmessage")

    monkeypatch.setattr(services, "outbox_deliver", unavailable)
    retried = []
    monkeypatch.setattr(tasks.deliver, "retry", lambda **kw: retried.append(kw) or Retry())
    with pytest.raises(Retry):
        tasks.deliver.run(41)
    assert retried and retried[0]["countdown"] == 1 and isinstance(retried[0]["exc"], OperationalError)
