"""Redis (the Celery broker) down: submissions still succeed at once, their notifications wait in
the outbox, and the periodic flush delivers each exactly once when it is back."""

import time

import pytest

from lapor.celery import app
from lapor.accounts.testing import submission_data
from lapor.notifications.models import OutboxMessage
from lapor.notifications.services import outbox_flush
from lapor.notifications.tests.receivers import http_receiver

pytestmark = pytest.mark.django_db
DEAD_BROKER = "redis://127.0.0.1:1/9"  # nothing listens on port 1


@pytest.fixture
def broker_down(settings):
    settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER = DEAD_BROKER, False
    old = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=DEAD_BROKER, task_always_eager=False)
    yield
    app.conf.update(**old)


@pytest.mark.parametrize("fanout", ["inline", "deferred"])
def test_submissions_succeed_without_the_broker_and_are_delivered_by_the_flush(
    net, api, settings, broker_down, django_capture_on_commit_callbacks, fanout
):
    """Deferred (the default with a broker): what waits is each submission's "fanout" row; the
    flush writes its messages, and the next flush sends them."""
    settings.LAPOR_NOTIFY_FANOUT = fanout
    with http_receiver() as (url, received):
        settings.LAPOR_SMS_GATEWAY_URL = url
        started = time.monotonic()
        tracking = []
        for i in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                response = api.post(
                    "/api/reports",
                    submission_data(title=f"Sampah menumpuk di pasar {i}", guest_phone=f"08123456780{i}"),
                )
            assert response.status_code == 201, response.content
            tracking.append(response.json()["tracking_id"])
        assert time.monotonic() - started < 15  # the dead broker does not hang the requests (was ~7 s each)
        waiting = OutboxMessage.objects.filter(report__tracking_id__in=tracking)
        assert waiting.count() == 3 and set(waiting.values_list("status", flat=True)) == {"pending"}
        assert set(waiting.values_list("channel", flat=True)) == {"sms" if fanout == "inline" else "fanout"}
        assert received.requests == []

        for _run in range(3):  # the periodic task, once the broker (or the beat) is back; again: nothing twice
            outbox_flush()
        rows = OutboxMessage.objects.filter(report__tracking_id__in=tracking, channel="sms")
        assert rows.count() == 3
        assert set(rows.values_list("status", flat=True)) == {"sent"}
        delivered = [r["headers"]["X-Lapor-Delivery"] for r in received.requests]
        assert sorted(delivered) == sorted(str(d) for d in rows.values_list("delivery_id", flat=True))
