"""Outbound messages through a transactional outbox (interface; implementation in progress).

Contract shared by every app that sends something out (notifications to people, partner status
webhooks, federation deliveries):

    outbox_enqueue(*, channel: str, recipient: str, payload: dict, dedupe_key: str | None = None,
                   report=None) -> OutboxMessage

- channel: "email" | "sms" | "web" | "webhook" (webhook: recipient is the URL; payload is the JSON
  body; the sender signs it with HMAC-SHA256 using the secret in payload-independent config).
- The row is written in the caller's database transaction (so it commits or rolls back with the
  state change); delivery happens after commit, by a Celery worker when a broker is configured,
  in-process otherwise; at least once, with retries, exponential backoff and a dead-letter state.
- Every message has a unique delivery_id (UUID) sent along so receivers can de-duplicate.
- dedupe_key: enqueueing the same key twice creates one message.
"""
