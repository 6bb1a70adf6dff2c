"""Celery tasks: deliver one outbox row (with retries), the periodic flush, digests and warnings."""

from celery import shared_task


@shared_task(bind=True, name="lapor.notifications.tasks.deliver", acks_late=True, max_retries=None)
def deliver(self, message_id: int) -> None:
    from django.db import InterfaceError, OperationalError  # to move: kept while notifications is edited

    from .services import outbox_deliver  # cycle: services hands work to tasks (services ↔ tasks)

    try:
        delay = outbox_deliver(message_id=message_id)
    except (OperationalError, InterfaceError) as exc:  # the database away for a moment: soon again, not never
        raise self.retry(exc=exc, countdown=min(2**self.request.retries, 60)) from exc
    if delay is not None:  # exponential backoff; the outbox row itself decides when it is dead
        raise self.retry(countdown=delay)


@shared_task(name="lapor.notifications.tasks.deliver_many", acks_late=True)
def deliver_many(delivery_ids: list[str]) -> None:
    """The fan-out of one transaction, handed over once; a failed message goes on retrying on its own."""
    from .services import outbox_deliver_many  # cycle: services hands work to tasks (services ↔ tasks)

    for message_id, delay in outbox_deliver_many(delivery_ids=delivery_ids).items():
        deliver.apply_async(args=[message_id], countdown=delay, retry=False)


@shared_task(name="lapor.notifications.tasks.outbox_flush")
def outbox_flush() -> dict:
    from .services import outbox_flush as flush  # cycle: services hands work to tasks (services ↔ tasks)

    return flush()


@shared_task(name="lapor.notifications.tasks.daily")
def daily() -> dict:
    """Reply-window warnings and staff digests; both are idempotent, so running twice is harmless."""
    from .digest import staff_digests_send  # to move: kept while notifications is edited
    from .notify import reply_window_warnings  # to move: kept while notifications is edited

    return {"warnings": reply_window_warnings(), "digests": staff_digests_send()}
