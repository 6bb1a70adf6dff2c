"""Outbound messages through a transactional outbox.

Contract shared by every app that sends something out (notifications to people, partner status
webhooks, federation deliveries):

    outbox_enqueue(*, channel: str, recipient: str, payload: dict, dedupe_key: str | None = None,
                   report=None, secret: str = "") -> OutboxMessage

- channel: "email" | "sms" | "web" | "webhook" | "whatsapp" | "fanout".
  email: recipient is the address, payload {"subject": str, "body": str}.
  sms: recipient is a phone number (normalised to +62…), payload {"text": str}.
  web: recipient is the user's id (str), payload {"kind", "title", "body", "url"}.
  webhook: recipient is the URL; payload is the JSON body, POSTed as is and signed with
  HMAC-SHA256 over the exact body bytes using ``secret`` (the per-recipient key):
  ``X-Lapor-Signature: sha256=<hex>``, ``X-Lapor-Delivery: <delivery_id>``,
  ``X-Lapor-Timestamp: <unix seconds>``. With no secret, ``LAPOR_WEBHOOK_SECRET`` is used;
  with neither, the body goes unsigned (and a warning is logged).
  whatsapp: recipient is a phone number (+62…), payload {"text": str, "lang": "id"|"en",
  "template": {"params": [tracking id, text]}} (lapor.notifications.whatsapp).
  fanout: recipient "events", payload {"event_ids": [...]}: a change's report events whose
  notifications a worker writes as messages of their own (lapor.notifications.notify.events_fanout).
- The row is written in the caller's database transaction (so it commits or rolls back with the
  state change); delivery happens after commit, by a Celery worker when a broker is configured,
  in-process otherwise; at least once, with retries, exponential backoff and a dead-letter state.
- Every message has a unique delivery_id (UUID) sent along so receivers can de-duplicate.
- dedupe_key: enqueueing the same key twice creates one message.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lapor.core.errors import NotFound, ValidationFailed

from .failures import failure_text
from .models import OutboxMessage

log = logging.getLogger(__name__)
Status = OutboxMessage.Status
CHANNELS = set(OutboxMessage.Channel.values)
LEASE_SECONDS = 120  # a worker that dies mid-send frees its row after this
OUTCOME_TRIES = 5  # writing a delivery's outcome: 0.05 + 0.1 + 0.2 + 0.4 s of waits at most


def broker_in_use() -> bool:
    """Whether work after commit goes to Celery workers (a broker, not eager) or runs in this process."""
    return bool(settings.CELERY_BROKER_URL) and not settings.CELERY_TASK_ALWAYS_EAGER


def max_attempts() -> int:
    return int(settings.LAPOR_OUTBOX_MAX_ATTEMPTS)


def backoff_seconds(attempts: int) -> int:
    """30 s, 60 s, 2 min, 4 min … capped at 6 hours."""
    base = int(settings.LAPOR_OUTBOX_BACKOFF_SECONDS)
    return min(base * 2 ** max(attempts - 1, 0), 6 * 3600)


def _check(channel: str, recipient: str) -> None:
    if channel not in CHANNELS:
        raise ValidationFailed(f"Unknown outbox channel {channel!r}", code="invalid_channel")
    if not recipient:
        raise ValidationFailed("Outbox recipient is empty", code="recipient_required")


def outbox_enqueue(
    *, channel: str, recipient: str, payload: dict, dedupe_key: str | None = None, report=None, secret: str = ""
) -> OutboxMessage:
    """Write one outbound message in the current transaction; deliver it after commit."""
    _check(channel, recipient)
    fields = {"channel": channel, "recipient": recipient[:500], "payload": payload, "report": report, "secret": secret}
    if dedupe_key:
        existing = OutboxMessage.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():  # a savepoint: a concurrent twin loses only this insert
                message = OutboxMessage.objects.create(dedupe_key=dedupe_key, **fields)
        except IntegrityError:
            return OutboxMessage.objects.get(dedupe_key=dedupe_key)
    else:
        message = OutboxMessage.objects.create(**fields)
    transaction.on_commit(lambda: outbox_dispatch(message_id=message.pk))
    return message


@dataclass(frozen=True)
class OutboxItem:
    """One message for ``outbox_enqueue_many`` (same fields as ``outbox_enqueue``)."""

    channel: str
    recipient: str
    payload: dict
    dedupe_key: str | None = None
    report_id: int | None = None
    secret: str = ""


def outbox_enqueue_many(*, items: list[OutboxItem]) -> int:
    """Write several messages with ONE statement in the current transaction (the notification
    fan-out of a report event); deliver them after commit with one hand-over to the queue.

    A dedupe key already present is skipped by the database (ON CONFLICT DO NOTHING / INSERT OR
    IGNORE), so no lookup and no savepoint are needed, and a concurrent twin cannot fail the caller's
    transaction. Returns how many messages were offered (not how many were new)."""
    rows, seen = [], set()
    for item in items:
        _check(item.channel, item.recipient)
        if item.dedupe_key:
            if item.dedupe_key in seen:
                continue
            seen.add(item.dedupe_key)
        rows.append(
            OutboxMessage(
                channel=item.channel,
                recipient=item.recipient[:500],
                payload=item.payload,
                dedupe_key=item.dedupe_key or None,
                report_id=item.report_id,
                secret=item.secret,
            )
        )
    if not rows:
        return 0
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    _dispatch_after_commit([row.delivery_id for row in rows])
    return len(rows)


def _dispatch_after_commit(delivery_ids: list) -> None:
    """Collect the delivery ids of one transaction and hand them over once, after commit: the ids wait
    in this thread's batch, and the first of the transaction's on-commit callbacks takes the whole
    batch (the others find it empty). Ids of rows that were skipped as duplicates or rolled back (with
    a savepoint, or a whole transaction: its ids leave with the next one's batch) find no row and are
    ignored by the worker; the periodic flush is the safety net for everything else."""
    if not transaction.get_connection().in_atomic_block:
        outbox_dispatch_many(delivery_ids=delivery_ids)
        return
    _pending.batch = getattr(_pending, "batch", []) + list(delivery_ids)
    transaction.on_commit(_dispatch_pending)


_pending = threading.local()  # a connection belongs to one thread


def _dispatch_pending() -> None:
    batch, _pending.batch = getattr(_pending, "batch", []), []
    if batch:
        outbox_dispatch_many(delivery_ids=batch)


def outbox_dispatch_many(*, delivery_ids: list) -> None:
    """After commit: one Celery task for the whole batch, or delivery here without a broker.
    Never raises (see ``outbox_dispatch``)."""
    if not delivery_ids:
        return
    try:
        if not broker_in_use():
            outbox_deliver_many(delivery_ids=delivery_ids)
            return
        from .tasks import deliver_many  # cycle: tasks calls services (services ↔ tasks)

        # the repr Celery would otherwise build for its headers (and logs): a count, not every id
        deliver_many.apply_async(
            args=[[str(d) for d in delivery_ids]],
            retry=False,
            argsrepr=f"[{len(delivery_ids)} delivery ids]",
            kwargsrepr="{}",
        )
    except Exception:  # broker down: the periodic flush picks the rows up
        log.warning("outbox dispatch of %s messages failed; left for the flush", len(delivery_ids), exc_info=True)


def outbox_deliver_many(*, delivery_ids: list) -> dict[int, int]:
    """Deliver each message of a batch; returns {message id: seconds until its retry} for failures."""
    ids = OutboxMessage.objects.filter(delivery_id__in=[uuid.UUID(str(d)) for d in delivery_ids]).values_list(
        "pk", flat=True
    )
    retries = {}
    for pk in sorted(ids):
        delay = outbox_deliver(message_id=pk)
        if delay is not None:
            retries[pk] = delay
    return retries


def outbox_dispatch(*, message_id: int, countdown: int = 0) -> None:
    """After commit: hand the row to Celery, or deliver it here when no broker is configured.
    Never raises: a broken broker or sender must not break the request that enqueued."""
    try:
        if not broker_in_use():
            outbox_deliver(message_id=message_id)
            return
        from .tasks import deliver  # cycle: tasks calls services (services ↔ tasks)

        deliver.apply_async(args=[message_id], countdown=countdown, retry=False)
    except Exception:  # broker down: the periodic flush picks the row up
        log.warning("outbox dispatch of message %s failed; left for the flush", message_id, exc_info=True)


def _claim(message_id: int, now: dt.datetime) -> bool:
    """Conditional UPDATE: exactly one worker gets the row, however many try at once."""
    due = models.Q(status__in=[Status.PENDING, Status.RETRY], next_attempt_at__lte=now + dt.timedelta(seconds=1))
    stale = models.Q(status=Status.SENDING, claimed_until__lt=now)
    return (
        OutboxMessage.objects.filter(due | stale, pk=message_id).update(
            status=Status.SENDING,
            claimed_until=now + dt.timedelta(seconds=LEASE_SECONDS),
            attempts=models.F("attempts") + 1,
        )
        == 1
    )


def _record_outcome(message_id: int, **fields) -> None:
    """Write a delivery's outcome, trying again on a passing database error ("database is locked"
    while another connection writes, a connection dropped by a restart): the message has left, and
    forgetting that would send it again when its lease runs out."""
    for attempt in range(OUTCOME_TRIES):
        try:
            OutboxMessage.objects.filter(pk=message_id).update(**fields)
            return
        except (OperationalError, InterfaceError):
            if attempt == OUTCOME_TRIES - 1:
                raise
            if not connection.in_atomic_block:
                connection.close_if_unusable_or_obsolete()
            time.sleep(0.05 * 2**attempt)


def outbox_deliver(*, message_id: int) -> int | None:
    """Send one message if it is due and this worker claims it. Returns the seconds until the
    next attempt after a failure (for the Celery retry), or None when nothing more is to do."""
    from .senders import send  # cycle: senders → notify → services

    now = timezone.now()
    if not _claim(message_id, now):
        return None
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        send(message)
    except Exception as exc:  # any sender failure counts as an attempt
        error = failure_text(exc)  # "[dns] URLError: …": a code for the pages, the detail for the log
        if message.attempts >= max_attempts():
            _record_outcome(message_id, status=Status.DEAD, last_error=error, claimed_until=None)
            log.error("outbox message %s is dead after %s attempts: %s", message.delivery_id, message.attempts, error)
            return None
        delay = backoff_seconds(message.attempts)
        _record_outcome(
            message_id,
            status=Status.RETRY,
            last_error=error,
            claimed_until=None,
            next_attempt_at=timezone.now() + dt.timedelta(seconds=delay),
        )
        log.info("outbox message %s attempt %s failed, retry in %ss", message.delivery_id, message.attempts, delay)
        return delay
    _record_outcome(message_id, status=Status.SENT, sent_at=timezone.now(), claimed_until=None, last_error="")
    return None


def outbox_due_ids(*, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    now = now or timezone.now()
    due = models.Q(status__in=[Status.PENDING, Status.RETRY], next_attempt_at__lte=now)
    stale = models.Q(status=Status.SENDING, claimed_until__lt=now)
    return list(
        OutboxMessage.objects.filter(due | stale).order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit]
    )


def outbox_flush(*, limit: int = 500) -> dict[str, int]:
    """Deliver every due row here and now (periodic task and ``lapor outbox flush``)."""
    counts = {"claimed": 0, "sent": 0, "failed": 0}
    for pk in outbox_due_ids(limit=limit):
        before = OutboxMessage.objects.filter(pk=pk).values_list("attempts", flat=True).first()
        outbox_deliver(message_id=pk)
        row = OutboxMessage.objects.filter(pk=pk).values("attempts", "status").first()
        if row and row["attempts"] != before:
            counts["claimed"] += 1
            counts["sent" if row["status"] == Status.SENT else "failed"] += 1
    return counts


def outbox_retry(*, delivery_id: str) -> OutboxMessage:
    """Give a dead letter (or a waiting retry) a fresh set of attempts, now."""
    try:
        message = OutboxMessage.objects.filter(delivery_id=uuid.UUID(str(delivery_id))).first()
    except ValueError:
        message = None
    if message is None:
        raise NotFound(_("Pesan tidak ditemukan."))
    if message.status not in (Status.DEAD, Status.RETRY):
        raise ValidationFailed(_("Hanya pesan gagal yang dapat dikirim ulang."), code="not_failed")
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_until=None
    )
    transaction.on_commit(lambda: outbox_dispatch(message_id=message.pk))
    message.refresh_from_db()
    return message


def daily_digest_get(*, user) -> bool:
    """Does this staff member take one daily digest instead of an e-mail each?"""
    from .models import NotificationPreference  # to move: kept while notifications is edited

    return NotificationPreference.objects.filter(user=user, daily_digest=True).exists()


@transaction.atomic
def daily_digest_set(*, user, daily_digest: bool) -> None:
    """The staff member's digest switch (the API and the preferences page)."""
    from .models import NotificationPreference  # to move: kept while notifications is edited

    NotificationPreference.objects.update_or_create(user=user, defaults={"daily_digest": daily_digest})
