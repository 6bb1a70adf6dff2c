"""The notification fan-out of one event is one INSERT, handed over once after commit."""

import pytest

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from lapor.notifications.models import OutboxMessage, WebNotification
from lapor.notifications.services import OutboxItem, outbox_enqueue, outbox_enqueue_many

pytestmark = pytest.mark.django_db(transaction=True)  # deliveries run on commit


def _items(prefix: str, n: int, user_id: int = 1) -> list[OutboxItem]:
    return [
        OutboxItem(
            channel="web",
            recipient=str(user_id),
            payload={"kind": "x", "title": f"{prefix} {i}", "body": "", "url": ""},
            dedupe_key=f"{prefix}:{i}",
        )
        for i in range(n)
    ]


def test_many_messages_are_one_insert_and_all_delivered_after_commit(net):
    user = net.user("reporter")
    with transaction.atomic():
        with CaptureQueriesContext(connection) as ctx:
            assert outbox_enqueue_many(items=_items("a", 5, user.pk)) == 5
        inserts = [q for q in ctx.captured_queries if q["sql"].startswith("INSERT")]
        assert len(ctx.captured_queries) == 1 and len(inserts) == 1
        assert OutboxMessage.objects.filter(status="pending").count() == 5  # nothing sent before commit
    assert OutboxMessage.objects.filter(status="sent").count() == 5
    assert WebNotification.objects.filter(user=user).count() == 5


def test_a_known_dedupe_key_is_skipped_not_an_error_and_not_sent_twice(net):
    user = net.user("reporter")
    first = outbox_enqueue(
        channel="web",
        recipient=str(user.pk),
        payload={"kind": "x", "title": "a 0", "body": "", "url": ""},
        dedupe_key="a:0",
    )
    with transaction.atomic():
        outbox_enqueue_many(items=_items("a", 3, user.pk) + _items("a", 3, user.pk))  # twice in one batch, too
    assert OutboxMessage.objects.count() == 3
    assert OutboxMessage.objects.get(dedupe_key="a:0").pk == first.pk
    assert WebNotification.objects.filter(user=user).count() == 3  # each message delivered exactly once


def test_rolled_back_messages_are_neither_stored_nor_sent(net):
    user = net.user("reporter")
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            outbox_enqueue_many(items=_items("b", 2, user.pk))
            raise RuntimeError("the state change failed")
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint rolled back after the first batch
                outbox_enqueue_many(items=_items("c", 2, user.pk))
                raise RuntimeError
        except RuntimeError:
            pass
        outbox_enqueue_many(items=_items("d", 2, user.pk))
    assert sorted(OutboxMessage.objects.values_list("dedupe_key", flat=True)) == ["d:0", "d:1"]
    assert OutboxMessage.objects.filter(status="sent").count() == 2
    assert WebNotification.objects.filter(user=user).count() == 2


def test_bad_items_are_refused_before_anything_is_written(net):
    from lapor.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        outbox_enqueue_many(items=[OutboxItem(channel="pigeon", recipient="x", payload={})])
    with pytest.raises(ValidationFailed):
        outbox_enqueue_many(items=[OutboxItem(channel="sms", recipient="", payload={"text": "x"})])
    assert OutboxMessage.objects.count() == 0
