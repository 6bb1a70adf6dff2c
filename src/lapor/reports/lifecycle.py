"""The report state machine: states, actions, and who may take each action — one table.

Services call ``transition_check`` before changing anything; the API turns its refusal into
HTTP 409 with the message below, in the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.db import models
from django.utils.translation import gettext_lazy as _

from lapor.core.errors import PermissionDenied, TransitionNotAllowed


class State(models.TextChoices):
    SUBMITTED = "submitted", _("Menunggu verifikasi")  # Tulis laporan
    ROUTED = "routed", _("Terverifikasi")  # verified, routed to an agency
    IN_PROGRESS = "in_progress", _("Dalam proses")  # disposed to a unit / reporter replied
    FOLLOWED_UP = "followed_up", _("Ditindaklanjuti")  # follow-up posted, reporter may reply
    POSTPONED = "postponed", _("Ditunda")  # clock paused
    DONE = "done", _("Selesai")
    ARCHIVED = "archived", _("Diarsipkan")


class Action(models.TextChoices):
    ROUTE = "route", _("Verifikasi dan disposisi ke instansi")
    DISPOSE = "dispose", _("Disposisi ke unit kerja")
    FOLLOW_UP = "follow_up", _("Kirim tindak lanjut")
    REPLY = "reply", _("Tanggapan pelapor")
    NOT_AUTHORITY = "not_authority", _("Bukan wewenang")
    FORWARD = "forward", _("Teruskan ke instansi lain")
    POSTPONE = "postpone", _("Tunda")
    RESUME = "resume", _("Lanjutkan")
    ARCHIVE = "archive", _("Arsipkan")
    COMPLETE = "complete", _("Selesaikan")
    AUTO_COMPLETE = "auto_complete", _("Selesai otomatis")
    RATE = "rate", _("Beri penilaian")
    REOPEN = "reopen", _("Dibuka kembali")
    REMOTE_ANSWER = "remote_answer", _("Jawaban dari deployment lain")


# Pseudo-roles next to the staff roles in accounts.models.Role.
REPORTER = "reporter"
SYSTEM = "system"
PLATFORM_ADMIN = "platform_admin"
AGENCY_ADMIN = "agency_admin"
LIAISON = "liaison"
UNIT_STAFF = "unit_staff"
OVERSEER = "overseer"

ACTIVE_STATES = (State.SUBMITTED, State.ROUTED, State.IN_PROGRESS)
AGENCY_STATES = (State.ROUTED, State.IN_PROGRESS)
OPEN_STATES = (State.SUBMITTED, State.ROUTED, State.IN_PROGRESS, State.FOLLOWED_UP, State.POSTPONED)


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str | None  # None: decided by the service (e.g. back one level, or the paused state)
    roles: frozenset[str]
    reason_required: bool = False


def _t(sources, target, roles, reason_required=False) -> Transition:
    return Transition(tuple(sources), target, frozenset(roles), reason_required)


TRANSITIONS: dict[str, Transition] = {
    Action.ROUTE: _t([State.SUBMITTED], State.ROUTED, {PLATFORM_ADMIN, SYSTEM}),
    Action.DISPOSE: _t(AGENCY_STATES, State.IN_PROGRESS, {AGENCY_ADMIN, PLATFORM_ADMIN}),
    Action.FOLLOW_UP: _t(AGENCY_STATES, State.FOLLOWED_UP, {LIAISON, UNIT_STAFF, AGENCY_ADMIN}),
    Action.REPLY: _t([State.FOLLOWED_UP], State.IN_PROGRESS, {REPORTER}),
    Action.NOT_AUTHORITY: _t(AGENCY_STATES, None, {AGENCY_ADMIN, LIAISON, UNIT_STAFF}, reason_required=True),
    Action.FORWARD: _t(AGENCY_STATES, State.ROUTED, {AGENCY_ADMIN, PLATFORM_ADMIN}, reason_required=True),
    Action.POSTPONE: _t(AGENCY_STATES, State.POSTPONED, {AGENCY_ADMIN, PLATFORM_ADMIN}, reason_required=True),
    Action.RESUME: _t([State.POSTPONED], None, {AGENCY_ADMIN, PLATFORM_ADMIN}),
    Action.ARCHIVE: _t(
        [State.SUBMITTED, *AGENCY_STATES], State.ARCHIVED, {PLATFORM_ADMIN, AGENCY_ADMIN}, reason_required=True
    ),
    Action.COMPLETE: _t([State.FOLLOWED_UP], State.DONE, {REPORTER, PLATFORM_ADMIN}),
    Action.AUTO_COMPLETE: _t([State.FOLLOWED_UP], State.DONE, {SYSTEM}),
    Action.RATE: _t([State.DONE], State.DONE, {REPORTER}),
    Action.REOPEN: _t([State.DONE], State.IN_PROGRESS, {REPORTER}, reason_required=True),
    # A federated peer answered a report forwarded to it (partners/federation.py): the answer reaches
    # the reporter as a follow-up here, with the reply window.
    Action.REMOTE_ANSWER: _t(
        [State.SUBMITTED, *AGENCY_STATES, State.POSTPONED, State.FOLLOWED_UP], State.FOLLOWED_UP, {SYSTEM}
    ),
}

# An agency admin may archive only what is routed to the agency; the platform verifies new reports.
ROLE_SOURCE_LIMITS: dict[tuple[str, str], tuple[str, ...]] = {
    (Action.ARCHIVE, AGENCY_ADMIN): AGENCY_STATES,
}


def transition_check(*, state: str, action: str, roles: set[str] | frozenset[str], reason: str = "") -> Transition:
    """Return the transition, or raise TransitionNotAllowed saying why."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionNotAllowed(_("Tindakan tidak dikenal."), code="unknown_action")
    allowed_roles = roles & transition.roles
    if not allowed_roles:
        raise TransitionNotAllowed(
            _("Peran Anda tidak boleh melakukan tindakan ini pada laporan ini."),
            code="role_not_allowed",
            detail={"action": action, "allowed_roles": sorted(transition.roles)},
        )
    sources: set[str] = set()
    for role in allowed_roles:
        sources.update(ROLE_SOURCE_LIMITS.get((action, role), transition.sources))
    if state not in sources:
        raise TransitionNotAllowed(
            _("Tindakan tidak dapat dilakukan saat laporan berstatus “%(state)s”.") % {"state": State(state).label},
            code="wrong_state",
            detail={"action": action, "state": state},
        )
    if transition.reason_required and not reason.strip():
        raise TransitionNotAllowed(
            _("Alasan wajib diisi untuk tindakan ini."), code="reason_required", detail={"action": action}
        )
    return transition


# The two privacy switches, one table: (switch, new value) -> (roles that may, roles that may with a
# recorded reason). Agency roles may only make a report stricter; only the reporter may name
# themselves again; a confidential report goes public only by its reporter or a platform operator.
AGENCY_PRIVACY_ROLES = frozenset({PLATFORM_ADMIN, AGENCY_ADMIN, LIAISON})
PRIVACY_RULES: dict[tuple[str, bool], tuple[frozenset[str], frozenset[str]]] = {
    ("is_anonymous", True): (frozenset({REPORTER}), AGENCY_PRIVACY_ROLES),
    ("is_anonymous", False): (frozenset({REPORTER}), frozenset()),
    ("is_confidential", True): (frozenset({REPORTER}), AGENCY_PRIVACY_ROLES),
    ("is_confidential", False): (frozenset({REPORTER}), frozenset({PLATFORM_ADMIN})),
}


def privacy_check(*, switch: str, value: bool, roles: set[str], reason: str = "") -> None:
    """May these roles set this privacy switch to this value? Raise PermissionDenied (who may) or
    TransitionNotAllowed (the reason is missing, 409 as for every transition) saying why."""
    freely, with_reason = PRIVACY_RULES[(switch, bool(value))]
    if roles & freely:
        return
    if not roles & with_reason:
        if switch == "is_anonymous" and not value:
            raise PermissionDenied(
                _("Hanya pelapor yang dapat membuka identitasnya pada laporan anonim."),
                code="privacy_reporter_only",
                detail={"switch": switch},
            )
        if switch == "is_confidential" and not value:
            raise PermissionDenied(
                _("Hanya pelapor atau Admin Nasional (dengan alasan) yang dapat membuka laporan rahasia untuk publik."),
                code="privacy_downgrade",
                detail={"switch": switch},
            )
        raise PermissionDenied(
            _("Anda tidak boleh mengubah privasi laporan ini."), code="forbidden", detail={"switch": switch}
        )
    if not (reason or "").strip():
        raise TransitionNotAllowed(
            _("Alasan wajib diisi untuk mengubah privasi laporan."),
            code="reason_required",
            detail={"field": "reason", "switch": switch},
        )


def actions_allowed(*, state: str, roles: set[str]) -> list[str]:
    """The actions these roles may take now (for pages and the API), reasons aside."""
    return list(_actions_allowed(state, frozenset(roles)))


@lru_cache(maxsize=1024)  # a function of the tables above: asked for every report of every list page
def _actions_allowed(state: str, roles: frozenset[str]) -> tuple[str, ...]:
    allowed = []
    for action, transition in TRANSITIONS.items():
        if SYSTEM in transition.roles and len(transition.roles) == 1:
            continue
        try:
            transition_check(state=state, action=action, roles=roles, reason="-")
        except TransitionNotAllowed:
            continue
        allowed.append(str(action))
    return tuple(allowed)
