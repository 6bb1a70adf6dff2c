"""Domain signals. ``event_recorded`` fires inside the transaction that wrote the event, so
receivers that write rows (an outbox) commit or roll back together with the state change."""
from django.dispatch import Signal

event_recorded = Signal()  # kwargs: event
