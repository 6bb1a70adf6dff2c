"""Webhooks to partners and peers as the outbox sees them: where one goes at send time, and what
each one was about (for the set-up pages' list of deliveries).

A webhook row keeps the address it was queued with, but the partner or peer it belongs to is known
from its dedupe key (written by partners.py, federation.py, relay.py and deadline_moves.py):
``partner:<partner id>:…`` and ``federation:<forward|status|reporter>:<link id>[:…]``. At send time
(lapor.notifications.senders, through the ``webhook_address`` hook) the address is the owner's
current one, so a retry after the operator corrected an address reaches the new one."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lapor.core.addresses import AddressMissing
from lapor.reports import lifecycle as lc
from lapor.reports.models import ReportEvent

from .models import FederationLink, Partner

DOOR_MARK = "/federation/"


def _key_owner(dedupe_key: str) -> tuple[str, int] | None:
    parts = dedupe_key.split(":")
    if len(parts) >= 3 and parts[0] == "partner" and parts[1].isdigit():
        return "partner", int(parts[1])
    if len(parts) >= 3 and parts[0] == "federation" and parts[2].isdigit():
        return "link", int(parts[2])
    return None


def webhook_address_current(*, dedupe_key: str, recipient: str) -> str:
    """The current address of the partner or peer a webhook belongs to; "" when it belongs to
    neither (or the owner is gone): the outbox then keeps the address it was queued with."""
    owner = _key_owner(dedupe_key)
    if owner is None:
        return ""
    kind, pk = owner
    if kind == "partner":
        url = Partner.objects.filter(pk=pk).values_list("webhook_url", flat=True).first()
        if url is None:
            return ""
        if not url:
            raise AddressMissing(f"partner {pk} has no webhook address any more")
        return url
    base = FederationLink.objects.filter(pk=pk).values_list("peer__base_url", flat=True).first()
    at = recipient.rfind(DOOR_MARK)
    if not base or at < 0:
        return ""
    return base.rstrip("/") + recipient[at:]


STEP_LABELS = {
    "reply": lc.Action.REPLY.label,
    "complete": lc.Action.COMPLETE.label,
    "rate": lc.Action.RATE.label,
    "reopen": lc.Action.REOPEN.label,
}


def _state(value: str | None) -> str:
    label = lc.State(value).label if value in lc.State.values else (value or "?")
    return _("Status: %(state)s") % {"state": label}


def delivery_event(fields: dict) -> str:
    """What one webhook told the receiver, in a few words ("Status: Terverifikasi", "Tanggapan
    pelapor", "Laporan diteruskan"), from the few payload fields the list reads (``p_*``)."""
    kind, action = fields.get("p_kind") or "", fields.get("p_action") or ""
    kind_of = fields.get("p_type") or fields.get("p_event") or ""
    if kind_of == "report.updated":
        if kind == ReportEvent.Kind.TRANSITION:
            return _state(fields.get("p_state"))
        if action in lc.Action.values:
            return str(lc.Action(action).label)
        return str(ReportEvent.Kind(kind).label) if kind in ReportEvent.Kind.values else kind
    if kind_of == "report.forward":
        return _("Laporan diteruskan")
    if kind_of == "report.status":
        return _state(fields.get("p_status_state"))
    if kind_of == "report.reporter":
        return str(STEP_LABELS.get(action, action))
    return kind_of
