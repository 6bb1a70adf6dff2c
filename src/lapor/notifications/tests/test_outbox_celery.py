"""A real Celery worker against the real Redis delivers outbox rows, retrying with backoff."""

import json
import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections, transaction

from lapor.celery import app
from lapor.notifications.models import OutboxMessage
from lapor.notifications.services import outbox_enqueue

from .receivers import http_receiver

# a Redis database per xdist worker: two workers' tests must not consume (or flush) each other's tasks
BROKER = f"redis://127.0.0.1:6379/{13 - int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0) % 3}"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def worker(settings):
    settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER = BROKER, False
    settings.LAPOR_OUTBOX_BACKOFF_SECONDS = 1
    keys = ("broker_url", "broker_read_url", "broker_write_url", "task_always_eager", "result_backend")
    old = {k: app.conf[k] for k in keys}
    # broker_read/write_url are derived from the first broker_url Celery saw (maybe another test's).
    app.conf.update(
        broker_url=BROKER, broker_read_url=BROKER, broker_write_url=BROKER, task_always_eager=False, result_backend=None
    )
    app.connection_for_write().default_channel.client.flushdb()  # a database of our own
    # the worker runs tasks in its own thread, with its own database connection: close it after each
    # task, as a real worker's Django fix-up does, or the test database cannot be dropped at the end
    task_postrun.connect(_close_connections)
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=10):
            yield
    finally:
        task_postrun.disconnect(_close_connections)
        app.conf.update(**old)


def _close_connections(**_kwargs):
    connections.close_all()


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_worker_delivers_a_signed_webhook_and_retries_a_failure(worker):
    with http_receiver() as (url, rec):
        rec.status = 500
        with transaction.atomic():
            msg = outbox_enqueue(channel="webhook", recipient=url, payload={"hello": "worker"}, secret="k")
        assert wait_for(lambda: len(rec.requests) >= 1)
        rec.status = 200  # the receiver recovers; the Celery retry (1 s backoff) succeeds
        assert wait_for(lambda: OutboxMessage.objects.get(pk=msg.pk).status == "sent")
    msg.refresh_from_db()
    assert msg.attempts == 2 and len(rec.requests) == 2
    ids = {r["headers"]["X-Lapor-Delivery"] for r in rec.requests}
    assert ids == {str(msg.delivery_id)}  # the same delivery id on every attempt


def test_worker_delivers_a_whole_batch_handed_over_once_and_retries_its_failure(worker):
    from lapor.notifications.services import OutboxItem, outbox_enqueue_many

    with http_receiver() as (url, rec):
        rec.status = 500
        with transaction.atomic():
            outbox_enqueue_many(
                items=[
                    OutboxItem(channel="webhook", recipient=url, payload={"n": i}, dedupe_key=f"batch:{i}", secret="k")
                    for i in range(3)
                ]
            )
        assert wait_for(lambda: len(rec.requests) >= 3)
        rec.status = 200  # every message retries on its own (1 s backoff) and then succeeds
        assert wait_for(lambda: OutboxMessage.objects.filter(status="sent").count() == 3)
    assert OutboxMessage.objects.count() == 3 and len(rec.requests) == 6  # 3 failures, 3 successes
    by_delivery = {}
    for r in rec.requests:
        by_delivery.setdefault(r["headers"]["X-Lapor-Delivery"], []).append(json.loads(r["body"])["n"])
    assert sorted(by_delivery.values()) == [[0, 0], [1, 1], [2, 2]]  # each message twice, same delivery id


def test_worker_expands_a_submissions_fanout_row_into_its_messages(worker, settings):
    """With a broker the fan-out is deferred by default: the submission writes one row, the worker
    writes and delivers the staff's and the reporter's messages."""
    from lapor.accounts.testing import network_make, submission_data
    from lapor.notifications.models import WebNotification
    from lapor.notifications.notify import fanout_deferred
    from lapor.reports.services import Submission, report_submit

    settings.LAPOR_NOTIFY_FANOUT = ""
    assert fanout_deferred()
    net = network_make()
    report, _secret = report_submit(
        submission=Submission(
            **submission_data(topic_id=net.roads.pk, region_code="13.74.02.1001", guest_email="warga@example.com")
        )
    )
    assert list(OutboxMessage.objects.values_list("channel", flat=True)) == ["fanout"]
    staff = [net.user("dept_admin"), net.user("liaison")]
    assert wait_for(lambda: WebNotification.objects.filter(user__in=staff, report=report).count() == 2)
    assert wait_for(lambda: not OutboxMessage.objects.exclude(status="sent").exists())
    channels = sorted(OutboxMessage.objects.values_list("channel", flat=True))
    assert channels == ["email", "email", "email", "email", "fanout", "web", "web"]  # 2 staff × 2 + reporter × 2
