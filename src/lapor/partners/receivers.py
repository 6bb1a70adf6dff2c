"""One receiver on ``event_recorded`` (inside the transaction of every report change): partner
webhooks, federation status updates and the reporter's steps relayed to a peer are queued in the
outbox together with the change. One on ``events_recorded`` for the deadlines a calendar decree
moved in bulk (deadline_moves.py)."""

from __future__ import annotations

from lapor.reports.models import ReportEvent

from .deadline_moves import deadline_moves_notify
from .federation import federation_event_notify
from .partners import partner_event_notify
from .relay import federation_reporter_relay


def report_event_relay(sender, event: ReportEvent, **kwargs) -> None:
    partner_event_notify(event)
    federation_event_notify(event)
    federation_reporter_relay(event)


def report_events_relay(sender, events: list[ReportEvent], **kwargs) -> None:
    """Once per change: the deadlines a calendar decree moved (the decree calls no per-event receiver)."""
    deadline_moves_notify(events)
