"""Domain signals. Both fire inside the transaction that wrote the events, so receivers that
write rows (an outbox) commit or roll back together with the state change."""

from django.dispatch import Signal

event_recorded = Signal()  # kwargs: event; once per event
events_recorded = Signal()  # kwargs: events; once per change, with all its events in order (one outbox INSERT)
