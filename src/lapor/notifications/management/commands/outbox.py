"""``lapor outbox flush`` delivers every due message now; ``lapor outbox retry <delivery_id>``
revives a dead letter; ``lapor outbox dead`` lists them."""

from django.core.management.base import BaseCommand, CommandError

from lapor.core.errors import DomainError
from lapor.notifications.models import OutboxMessage
from lapor.notifications.services import outbox_flush, outbox_retry


class Command(BaseCommand):
    help = "Outbox maintenance: flush | retry <delivery_id> | dead"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["flush", "retry", "dead"])
        parser.add_argument("delivery_id", nargs="?")
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, action, delivery_id=None, limit=500, **opts):
        if action == "flush":
            counts = outbox_flush(limit=limit)
            self.stdout.write(f"claimed={counts['claimed']} sent={counts['sent']} failed={counts['failed']}")
        elif action == "retry":
            if not delivery_id:
                raise CommandError("retry needs a delivery_id")
            try:
                message = outbox_retry(delivery_id=delivery_id)
            except (DomainError, ValueError) as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"{message.delivery_id} {message.status}")
        else:
            for m in OutboxMessage.objects.filter(status=OutboxMessage.Status.DEAD)[:limit]:
                self.stdout.write(f"{m.delivery_id} {m.channel} attempts={m.attempts} {m.last_error[:80]}")
