"""Domain signals. ``events_recorded`` fires inside the transaction that wrote the events, so
receivers that write rows (an outbox) commit or roll back together with the state change."""
from django.dispatch import Signal

events_recorded = Signal()  # kwargs: events (the events of one change of one report, in order)
