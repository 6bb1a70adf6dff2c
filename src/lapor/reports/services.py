"""Writes on reports. Every function is keyword-only, typed and atomic, checks the state
machine first, and records an audit event for every change."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lapor.accounts.models import User
from lapor.accounts.phones import phone_normalize
from lapor.accounts.selectors import user_roles_for
from lapor.agencies.models import Agency
from lapor.agencies.refcache import region_get, topic_active_get
from lapor.agencies.selectors import routing_rule_match
from lapor.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from lapor.core.hooks import hook
from lapor.core.text import text_clean

from . import lifecycle as lc
from .answers import AnswerCheck, answer_check
from .deadlines import deadline_after, deadline_for, working_days_left
from .lifecycle import Action, State
from .models import (
    AnswerRating,
    ArchiveReason,
    Channel,
    IdempotencyRecord,
    Message,
    Report,
    ReportAssignment,
    ReportEvent,
    ReportType,
    tracking_id_new,
)
from .selectors import report_qs_for
from .signals import event_recorded, events_recorded

TITLE_MAX, BODY_MAX, MESSAGE_MAX = 200, 20_000, 10_000


@dataclass
class Actor:
    """Who is acting: a signed-in user, a guest who proved the report's secret, or the system."""

    user: User | None = None
    is_reporter: bool = False
    is_system: bool = False
    roles_cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def system(cls) -> "Actor":
        return cls(is_system=True)


def _holder(report: Report) -> Agency:
    """The agency holding the report: the actions allowed only in lifecycle.AGENCY_STATES have one."""
    assert report.agency is not None, f"{report.tracking_id} is in {report.state} without an agency"
    return report.agency


def actor_roles(report: Report, actor: Actor) -> set[str]:
    if actor.is_system:
        return {lc.SYSTEM}
    roles = set(user_roles_for(actor.user, report.agency.path if report.agency is not None else None))
    if actor.is_reporter or (actor.user is not None and report.reporter_id == actor.user.pk):
        roles.add(lc.REPORTER)
    return roles


def _primary_role(roles: set[str]) -> str:
    for role in (lc.SYSTEM, lc.PLATFORM_ADMIN, lc.AGENCY_ADMIN, lc.LIAISON, lc.UNIT_STAFF, lc.REPORTER, lc.OVERSEER):
        if role in roles:
            return role
    return ""


def _new_event(report: Report, *, kind: str, actor: Actor, roles: set[str] | None = None, **fields) -> ReportEvent:
    if fields.get("reason"):
        fields["reason"] = text_clean(fields["reason"]).strip()
    return ReportEvent(
        report=report,
        kind=kind,
        actor=actor.user,
        actor_role=_primary_role(roles or actor_roles(report, actor)),
        created_at=fields.pop("created_at", None) or timezone.now(),
        **fields,
    )


def _record(*events: ReportEvent) -> None:
    """Write the events of one change with one INSERT and hand them to the receivers together
    (the outbox writes all their notifications with one more), in this transaction."""
    ReportEvent.objects.bulk_create(events)
    for event in events:
        event_recorded.send(sender=ReportEvent, event=event)
    events_recorded.send(sender=ReportEvent, events=events)


def event_record(report: Report, *, kind: str, actor: Actor, roles: set[str] | None = None, **fields) -> ReportEvent:
    """Record one event on the report (every state change is recorded; sweep.py and attachments.py too)."""
    event = _new_event(report, kind=kind, actor=actor, roles=roles, **fields)
    _record(event)
    return event


def report_lock(report: Report) -> Report:
    """The report's current row, locked until commit, with what an answer about it names."""
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("agency", "topic", "region", "reporter")
        .get(pk=report.pk)
    )


# this module's shorthands for the two above (kept so that parallel branches merge; one rename later)


def _clean_text(value: str, *, field: str, name: str, max_len: int, required: bool = True) -> str:
    """Strip control characters, bidirectional controls (lapor.core.text) and whitespace; enforce
    presence and length.
    ``field`` is the machine name forms and API clients map the error to; ``name`` the label
    shown to people."""
    value = text_clean(value).strip()
    if value and not any(ch.isalnum() for ch in value):
        value = ""  # only punctuation or invisible characters: treat as empty
    if required and not value:
        raise ValidationFailed(_("%(field)s wajib diisi.") % {"field": name}, code="required", detail={"field": field})
    if len(value) > max_len:
        raise ValidationFailed(
            _("%(field)s terlalu panjang (maksimal %(max)d karakter).") % {"field": name, "max": max_len},
            code="too_long",
            detail={"field": field},
        )
    return value


def _check(report: Report, actor: Actor, action: str, reason: str = "") -> set[str]:
    roles = actor_roles(report, actor)
    lc.transition_check(state=report.state, action=action, roles=roles, reason=reason)
    return roles


def _assign(
    report: Report, agency: Agency, *, now: dt.datetime, previous: ReportAssignment | None, first: bool = False
) -> None:
    if not first:  # a report routed in its own submission has no assignment to end yet
        ReportAssignment.objects.filter(report=report, ended_at__isnull=True).end(now=now, to_path=agency.path)
    # The path as the database has it, read inside the INSERT: ``agency`` may come from the
    # per-process reference cache (routing rules), which follows an agency move only within seconds.
    path_now = RawSQL(f"(SELECT path FROM {Agency._meta.db_table} WHERE id = %s)", [agency.pk])
    ReportAssignment.objects.create(
        report=report, agency=agency, agency_path=path_now, assigned_at=now, previous=previous
    )


def _current_assignment(report: Report) -> ReportAssignment | None:
    return (
        ReportAssignment.objects.filter(report=report, ended_at__isnull=True).select_related("previous__agency").last()
    )


def _clear_clock_flags(report: Report) -> None:
    report.is_overdue, report.overdue_since, report.escalation_level, report.escalated_at = False, None, 0, None


def _transition_event(
    report: Report, actor: Actor, roles: set[str], action: str, from_state: str, **fields
) -> ReportEvent:
    return event_record(
        report,
        kind=ReportEvent.Kind.TRANSITION,
        actor=actor,
        roles=roles,
        action=action,
        from_state=from_state,
        to_state=report.state,
        agency=report.agency,
        **fields,
    )


# --- Submission ---------------------------------------------------------------------------

INCIDENT_MAX_AGE_YEARS = 10  # an incident date before this is a typing error, or no longer a service complaint
IDEMPOTENCY_KEY_MAX = 100


@dataclass
class Submission:
    title: str
    body: str
    type: str = ReportType.COMPLAINT
    topic_id: int | None = None
    region_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    incident_date: dt.date | None = None
    target_agency_id: int | None = None
    channel: str = Channel.WEB
    is_anonymous: bool = False
    is_confidential: bool = False
    guest_name: str = ""
    guest_email: str = ""
    guest_phone: str = ""


def _validated(sub: Submission, *, reporter: User | None, now: dt.datetime) -> dict:
    """The report's fields, cleaned. Every problem is found in one pass: the first is raised with
    ``detail["errors"]`` listing all of them (field, code, message), so a citizen on a slow phone
    corrects the whole form at once instead of one field per round trip."""
    errors: list[ValidationFailed] = []

    def text(value: str, field: str, name: str, max_len: int, required: bool = True) -> str:
        try:
            return _clean_text(value, field=field, name=name, max_len=max_len, required=required)
        except ValidationFailed as exc:
            errors.append(exc)
            return ""

    def fail(message: str, code: str, field: str) -> None:
        errors.append(ValidationFailed(message, code=code, detail={"field": field}))

    values: dict[str, Any] = {
        "title": text(sub.title, "title", _("Judul"), TITLE_MAX),
        "body": text(sub.body, "body", _("Isi laporan"), BODY_MAX),
        "address": text(sub.address, "address", _("Alamat"), 300, required=False),
    }
    if sub.type not in ReportType.values:
        fail(_("Jenis laporan tidak dikenal."), "invalid_type", "type")
    if sub.channel not in Channel.values:
        fail(_("Kanal tidak dikenal."), "invalid_channel", "channel")
    values["topic"] = topic_active_get(sub.topic_id) if sub.topic_id else None
    if sub.topic_id and values["topic"] is None:
        fail(_("Kategori tidak ditemukan."), "unknown_topic", "topic_id")
    values["region"] = region_get(sub.region_code) if sub.region_code else None
    if sub.region_code and values["region"] is None:
        fail(_("Wilayah tidak ditemukan."), "unknown_region", "region_code")
    values["target_agency"] = (
        Agency.objects.filter(pk=sub.target_agency_id, is_active=True).first() if sub.target_agency_id else None
    )
    if sub.target_agency_id and values["target_agency"] is None:
        fail(_("Instansi tujuan tidak ditemukan."), "unknown_agency", "target_agency_id")
    if (sub.latitude is None) != (sub.longitude is None):
        fail(_("Lintang dan bujur harus diisi bersama."), "invalid_location", "latitude")
    elif (
        sub.latitude is not None
        and sub.longitude is not None
        and not (-90 <= sub.latitude <= 90 and -180 <= sub.longitude <= 180)
    ):
        fail(_("Koordinat lokasi tidak valid."), "invalid_location", "latitude")
    if sub.incident_date and sub.incident_date > now.date() + dt.timedelta(days=1):
        fail(_("Tanggal kejadian tidak boleh di masa depan."), "future_date", "incident_date")
    elif sub.incident_date and sub.incident_date < now.date().replace(year=now.year - INCIDENT_MAX_AGE_YEARS, day=1):
        fail(
            _("Tanggal kejadian terlalu lama (lebih dari %(n)d tahun yang lalu).") % {"n": INCIDENT_MAX_AGE_YEARS},
            "incident_date_too_old",
            "incident_date",
        )
    if reporter is None:
        values["guest_name"] = text(sub.guest_name, "guest_name", _("Nama"), 150, required=False)
        values["guest_email"] = (sub.guest_email or "").strip().lower()
        if values["guest_email"] and not _email_valid(values["guest_email"]):
            fail(_("Alamat e-mail tidak valid, contoh: nama@contoh.id."), "invalid_email", "guest_email")
        values["guest_phone"] = ""
        if sub.guest_phone:
            phone = phone_normalize(sub.guest_phone)
            if phone is None:
                fail(_("Nomor telepon tidak valid."), "invalid_phone", "guest_phone")
            values["guest_phone"] = phone or ""
        if not values["guest_email"] and not (sub.guest_phone or "").strip():
            fail(_("Isi e-mail atau nomor telepon agar kami bisa mengabari Anda."), "contact_required", "guest_email")
    if errors:
        first = errors[0]
        # a well-formed id or code naming nothing (topic, region, agency) is a 404, as in a path
        refused = NotFound if all(e.code in REFERENCE_CODES for e in errors) else ValidationFailed
        raise refused(
            first.message,
            code=first.code,
            detail={
                **first.detail,
                "errors": [{"field": e.detail["field"], "code": e.code, "message": e.message} for e in errors],
            },
        )
    return values


REFERENCE_CODES = {"unknown_topic", "unknown_region", "unknown_agency"}


def _email_valid(address: str) -> bool:
    """An address we could write to: the form's rule (Django's validator) and the column's 254."""
    try:
        validate_email(address)
    except DjangoValidationError:
        return False
    return len(address) <= 254


@transaction.atomic
def report_submit(
    *,
    submission: Submission,
    reporter: User | None = None,
    now: dt.datetime | None = None,
    idempotency: tuple[str, str, str] | None = None,
    event_data: dict | None = None,
) -> tuple[Report, str]:
    """File a report. Returns the report and, for guests, the secret that lets them follow it.

    ``event_data`` is merged into the submitted event's data (e.g. who entered it for a citizen).
    ``idempotency`` is (owner, key, request_hash): the record is written in this transaction, so a
    concurrent retry with the same key fails on the unique constraint and rolls back entirely.

    The spam/abuse check and automatic routing are decided before the row is written, so a report
    routed on arrival is inserted once in its routed state (no second UPDATE of every index); the
    audit trail still records both steps: "submitted", then the system's "route" transition.
    """
    now = now or timezone.now()
    values = _validated(submission, reporter=reporter, now=now)
    guest_secret = secrets.token_urlsafe(16) if reporter is None else ""
    report = Report(
        type=submission.type,
        channel=submission.channel,
        latitude=submission.latitude,
        longitude=submission.longitude,
        incident_date=submission.incident_date,
        is_anonymous=submission.is_anonymous,
        is_confidential=submission.is_confidential,
        reporter=reporter,
        submitted_at=now,
        state=State.SUBMITTED,
        guest_secret_hash=hashlib.sha256(guest_secret.encode()).hexdigest() if guest_secret else "",
        due_at=deadline_for("verify", now),
        completion_due_at=deadline_for("complete", now),
        **values,
    )
    flags = hook("abuse_flags")(report)  # routing's spam check: flagged reports wait in the triage queue
    route = None if flags else _auto_route_choice(report)
    if route is not None:
        agency, _data = route
        if not agency.is_active:
            route = None
        else:
            report.agency, report.state, report.auto_routed = agency, State.ROUTED, True
            report.verified_at, report.due_at = now, deadline_for("follow_up", now, agency)
    for _attempt in range(5):  # tracking ids are random; a collision is astronomically rare
        try:
            with transaction.atomic():
                report.save(force_insert=True)
            break
        except IntegrityError:
            if Report.objects.filter(tracking_id=report.tracking_id).exists():
                report.pk = None
                report.tracking_id = tracking_id_new()
                continue
            raise
    actor = Actor(user=reporter, is_reporter=True)
    if route is not None:
        agency, data = route
        _assign(report, agency, now=now, previous=None, first=True)
    submitted = {**(event_data or {}), "channel": report.channel, "type": report.type}
    if reporter is None:  # a guest's messages are written in the language they filed in
        submitted.setdefault("language", "en" if (get_language() or "").startswith("en") else "id")
    events = [
        _new_event(
            report,
            kind=ReportEvent.Kind.SUBMITTED,
            actor=actor,
            roles={lc.REPORTER},
            to_state=State.SUBMITTED,
            data=submitted,
            created_at=now,
        )
    ]
    if route is not None:
        events.append(
            _new_event(
                report,
                kind=ReportEvent.Kind.TRANSITION,
                actor=Actor.system(),
                roles={lc.SYSTEM},
                action=Action.ROUTE,
                from_state=State.SUBMITTED,
                to_state=report.state,
                agency=agency,
                data={"agency_id": agency.pk, "agency_name": agency.name, **data},
                created_at=now,
            )
        )
    _record(*events)
    if idempotency:
        owner, key, request_hash = idempotency
        IdempotencyRecord.objects.create(
            owner=owner, key=key, request_hash=request_hash, report=report, response={"tracking_id": report.tracking_id}
        )
    if flags:
        hook("abuse_flags_save")(report, flags)
    return report, guest_secret


def _auto_route_choice(report: Report) -> tuple[Agency, dict] | None:
    """No human needed when a routing rule knows the answer, or the model is confident enough;
    a reporter's own choice of agency is left for the platform to verify."""
    rule = routing_rule_match(topic=report.topic, region=report.region)
    if rule is not None and report.target_agency_id in (None, rule.agency_id):
        return rule.agency, {"rule_id": rule.pk, "automatic": True}
    if rule is None and report.target_agency_id is None:
        return hook("routing_auto_choice")(report)  # routing's model (scikit-learn loads only when needed)
    return None


def _phone_same(value):
    """A phone written another way is the same phone; a web form gives its values as lists."""
    if isinstance(value, list):
        return [_phone_same(v) for v in value]
    return (phone_normalize(value) or value) if isinstance(value, str) else value


def idempotency_hash(data: dict) -> str:
    if data.get("guest_phone"):  # a retry writing the same phone another way is the same request
        data = {**data, "guest_phone": _phone_same(data["guest_phone"])}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class SubmitResult:
    report: Report
    guest_secret: str
    replayed: bool  # True: an earlier request with the same Idempotency-Key made this report


def report_submit_once(
    *, submission: Submission, reporter: User | None, key: str = "", request_hash: str = "", owner: str | None = None
) -> SubmitResult:
    """``report_submit`` behind an Idempotency-Key (used by every intake API): a retry with the same
    key returns the first report, never a second; the same key for another request is refused."""
    key = (key or "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationFailed(
            _("Idempotency-Key terlalu panjang (maksimal %(max)d karakter).") % {"max": IDEMPOTENCY_KEY_MAX},
            code="idempotency_key_too_long",
            detail={"field": "Idempotency-Key"},
        )
    if not key:
        report, secret = report_submit(submission=submission, reporter=reporter)
        return SubmitResult(report, secret, False)
    owner = owner or idempotency_owner(reporter, submission)
    previous = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
    if previous is not None:
        return _submit_replayed(previous, request_hash)
    try:
        report, secret = report_submit(submission=submission, reporter=reporter, idempotency=(owner, key, request_hash))
    except IntegrityError:  # a concurrent twin with the same key won the unique constraint
        previous = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
        if previous is None:
            raise
        return _submit_replayed(previous, request_hash)
    if secret:
        IdempotencyRecord.objects.filter(owner=owner, key=key).update(
            response={"tracking_id": report.tracking_id, "guest_secret": secret}
        )
    return SubmitResult(report, secret, False)


def idempotency_owner(reporter: User | None, submission: Submission) -> str:
    """Whose keys a key is among: a signed-in client's own, or a guest's by their contact (two
    citizens who both send "1" never collide; the same guest retrying finds their first report)."""
    if reporter is not None:
        return f"user:{reporter.pk}"
    phone = submission.guest_phone or ""
    # the phone as the project writes it (+62…): '0812-3456-7890' and '+62 812 3456 7890' are one guest
    phone = phone_normalize(phone) or "".join(ch for ch in phone if ch.isdigit())
    contact = (submission.guest_email or "").strip().lower() or phone
    return "guest:" + hashlib.sha256(contact.encode()).hexdigest()[:32]


def _submit_replayed(record, request_hash: str) -> SubmitResult:
    if record.request_hash != request_hash:
        raise ValidationFailed(_("Idempotency-Key sudah dipakai untuk permintaan lain."), code="idempotency_key_reused")
    report = Report.objects.select_related("agency", "topic", "region", "reporter").get(pk=record.report_id)
    return SubmitResult(report, record.response.get("guest_secret") or "", True)


def report_access_token(report: Report) -> str:
    """The reporter's key in the private link of every message we send them (e-mail, SMS): 96 bits
    of an HMAC over the report (and a guest's secret hash), so no secret is stored to send it again.
    It opens the report as its reporter, like the guest secret shown once on the confirmation page."""
    value = f"{report.pk}:{report.tracking_id}:{report.guest_secret_hash}"
    return base64.urlsafe_b64encode(salted_hmac("lapor.report-access", value).digest()[:12]).decode()


def guest_secret_matches(report: Report, secret: str) -> bool:
    """The guest secret of the confirmation page, or the access token of the messages' links."""
    if not secret or not report.pk:
        return False
    if secrets.compare_digest(secret, report_access_token(report)):
        return True
    if not report.guest_secret_hash:
        return False
    return secrets.compare_digest(report.guest_secret_hash, hashlib.sha256(secret.encode()).hexdigest())


# --- Routing inside the network -----------------------------------------------------------


def _note(note: str) -> dict:
    """A staff member's internal note on a step: kept in the event's details, which only staff read
    (projection.Lens.event); the ``reason`` beside it is published to the reporter and the public."""
    note = text_clean(note or "").strip()[:2000]
    return {"note": note} if note else {}


def _route(
    report: Report,
    actor: Actor,
    roles: set[str],
    agency: Agency,
    *,
    now: dt.datetime,
    previous: ReportAssignment | None,
    action: str = Action.ROUTE,
    reason: str = "",
    data: dict | None = None,
) -> None:
    if not agency.is_active:
        raise TransitionNotAllowed(_("Instansi tujuan tidak aktif."), code="agency_inactive")
    from_state = report.state
    _assign(report, agency, now=now, previous=previous)
    report.agency, report.state = agency, State.ROUTED
    report.verified_at = report.verified_at or now
    report.due_at = deadline_for("follow_up", now, agency)
    _clear_clock_flags(report)
    report.save()
    _transition_event(
        report,
        actor,
        roles,
        action,
        from_state,
        reason=reason,
        data={"agency_id": agency.pk, "agency_name": agency.name, **(data or {})},
        created_at=now,
    )


@transaction.atomic
def report_route(
    *, report: Report, actor: Actor, agency: Agency, reason: str = "", note: str = "", tapped_rank: int | None = None
) -> Report:
    """Verifikasi: the platform verifies a new report and routes it to the agency with authority.
    The event records where the chosen agency stood among the routing suggestions (and whether
    the person took it with the suggestion's own button, ``tapped_rank``): live top-1 / top-3."""
    report = report_lock(report)
    roles = _check(report, actor, Action.ROUTE, reason)
    # routing reads reports: reports ask it by name (settings.LAPOR_HOOKS), never import it
    taken = None if actor.is_system else hook("routing_decision")(report, agency, tapped_rank=tapped_rank)
    data = {**_note(note), **({"suggestion": taken} if taken else {})}
    _route(report, actor, roles, agency, now=timezone.now(), previous=None, reason=reason, data=data or None)
    return report


@transaction.atomic
def report_dispose(*, report: Report, actor: Actor, unit: Agency, reason: str = "", note: str = "") -> Report:
    """Disposisi: an agency hands the report to one of its own units."""
    report = report_lock(report)
    roles = _check(report, actor, Action.DISPOSE, reason)
    if unit.pk == report.agency_id or not unit.path.startswith(_holder(report).path):
        # 409: whether a unit may take it depends on the agency handling the report now
        raise TransitionNotAllowed(_("Disposisi hanya ke unit di bawah instansi yang menangani."), code="not_a_subunit")
    if not unit.is_active:
        raise TransitionNotAllowed(_("Instansi tujuan tidak aktif."), code="agency_inactive")
    now, from_state, from_agency = timezone.now(), report.state, _holder(report)
    _assign(report, unit, now=now, previous=_current_assignment(report))
    report.agency, report.state = unit, State.IN_PROGRESS
    report.save()  # the follow-up clock keeps running: the deadline belongs to the agency
    _transition_event(
        report,
        actor,
        roles,
        Action.DISPOSE,
        from_state,
        reason=reason,
        data={"agency_id": unit.pk, "agency_name": unit.name, "from_agency_name": from_agency.name, **_note(note)},
        created_at=now,
    )
    return report


@transaction.atomic
def report_forward(*, report: Report, actor: Actor, agency: Agency, reason: str, note: str = "") -> Report:
    """Teruskan: hand the report to another agency altogether."""
    report = report_lock(report)
    roles = _check(report, actor, Action.FORWARD, reason)
    if agency.pk == report.agency_id:
        raise ValidationFailed(_("Laporan sudah berada di instansi ini."), code="same_agency")
    _route(
        report,
        actor,
        roles,
        agency,
        now=timezone.now(),
        previous=_current_assignment(report),
        action=Action.FORWARD,
        reason=reason,
        data={"from_agency_name": _holder(report).name, **_note(note)},
    )
    return report


@transaction.atomic
def report_not_authority(*, report: Report, actor: Actor, reason: str, note: str = "") -> Report:
    """Bukan Wewenang: the report goes back one level, to whoever routed it here, and is counted."""
    report = report_lock(report)
    roles = _check(report, actor, Action.NOT_AUTHORITY, reason)
    now, from_state, from_agency = timezone.now(), report.state, _holder(report)
    current = _current_assignment(report)
    back_to = current.previous if current else None
    report.bounce_count += 1
    _clear_clock_flags(report)
    if back_to is None:  # back to the platform's verification queue
        ReportAssignment.objects.filter(report=report, ended_at__isnull=True).end(now=now, to_path="")
        report.agency, report.state = None, State.SUBMITTED
        report.due_at = deadline_for("verify", now)
    else:
        _assign(report, back_to.agency, now=now, previous=back_to.previous)
        report.agency, report.state = back_to.agency, State.ROUTED
        report.due_at = deadline_for("follow_up", now, back_to.agency)
    report.save()
    _transition_event(
        report,
        actor,
        roles,
        Action.NOT_AUTHORITY,
        from_state,
        reason=reason,
        data={
            "from_agency_id": from_agency.pk,
            "from_agency_name": from_agency.name,
            "was_auto_routed": report.auto_routed,
            **_note(note),
        },
        created_at=now,
    )
    return report


# A report's ended assignment "moved out" unless the next one began at that very moment inside its
# subtree (AssignmentQuerySet.end, at the time of the move): recomputed here for whole reports.
_MOVED_OUT_RECOMPUTE = """
    UPDATE reports_reportassignment AS a
    SET moved_out = (n.next_at IS NULL OR n.next_at <> a.ended_at
                     OR substr(n.next_path, 1, length(a.agency_path)) <> a.agency_path)
    FROM (SELECT id, lead(agency_path) OVER w AS next_path, lead(assigned_at) OVER w AS next_at
          FROM reports_reportassignment
          WHERE report_id IN (SELECT report_id FROM reports_reportassignment WHERE agency_path LIKE %s)
          WINDOW w AS (PARTITION BY report_id ORDER BY assigned_at, id)) n
    WHERE n.id = a.id AND a.ended_at IS NOT NULL
"""


def assignments_follow_agency_move(*, old_path: str, new_path: str) -> int:
    """An agency moved in the tree (agencies.services.agency_move): the assignments inside its subtree
    take its new paths, so its own staff and its new parents see its reports, current and former, and
    its former parents see only those they handled themselves. The moved_out flags of every report
    concerned are recomputed against the new paths. Returns the number of assignments moved."""
    moved = ReportAssignment.objects.filter(agency_path__startswith=old_path).update(
        agency_path=Concat(Value(new_path), Substr("agency_path", len(old_path) + 1))
    )
    if moved:
        with connection.cursor() as cursor:
            cursor.execute(_MOVED_OUT_RECOMPUTE, [new_path + "%"])
    return moved


# --- Conversation ------------------------------------------------------------------------


def _message(report: Report, actor: Actor, roles: set[str], kind: str, body: str, now: dt.datetime) -> Message:
    message = Message.objects.create(
        report=report,
        kind=kind,
        author=actor.user,
        body=body,
        created_at=now,
        agency=report.agency if kind != Message.Kind.REPLY else None,
    )
    event_record(
        report,
        kind=ReportEvent.Kind.MESSAGE,
        actor=actor,
        roles=roles,
        agency=report.agency,
        is_public=kind != Message.Kind.NOTE,
        data={"message_id": message.pk, "message_kind": kind},
        created_at=now,
    )
    return message


@transaction.atomic
def report_follow_up(*, report: Report, actor: Actor, body: str) -> Message:
    """Tindak lanjut: the agency's answer; the reporter then has the reply window to respond."""
    report = report_lock(report)
    body = _clean_text(body, field="body", name=_("Tindak lanjut"), max_len=MESSAGE_MAX)
    roles = _check(report, actor, Action.FOLLOW_UP)
    check = answer_check(report=report, body=body)  # advice, recorded with the answer; never blocks
    now, from_state = timezone.now(), report.state
    message = _message(report, actor, roles, Message.Kind.FOLLOW_UP, body, now)
    report.state = State.FOLLOWED_UP
    report.first_follow_up_at = report.first_follow_up_at or now
    report.due_at = deadline_for("reply", now)
    _clear_clock_flags(report)
    report.save()
    AnswerRating.objects.create(message=message, flags=list(check.flags), flagged=bool(check.flags), created_at=now)
    # the audit keeps what the liaison was told when they sent it
    _transition_event(
        report,
        actor,
        roles,
        Action.FOLLOW_UP,
        from_state,
        created_at=now,
        data={"message_id": message.pk, "answer_flags": list(check.flags)},
    )
    return message


def report_answer_review(*, report: Report, actor: Actor, body: str) -> AnswerCheck:
    """Rate a draft follow-up for whoever may send it, before it is sent (writes nothing). The
    liaison sees the flags and may still send; ``report_follow_up`` records the same rating."""
    body = _clean_text(body, field="body", name=_("Tindak lanjut"), max_len=MESSAGE_MAX)
    _check(report, actor, Action.FOLLOW_UP)
    return answer_check(report=report, body=body)


@transaction.atomic
def report_reply(*, report: Report, actor: Actor, body: str) -> Message:
    """The reporter answers a follow-up (back to the agency) or adds information while it is open."""
    report = report_lock(report)
    body = _clean_text(body, field="body", name=_("Tanggapan"), max_len=MESSAGE_MAX)
    roles = actor_roles(report, actor)
    if lc.REPORTER not in roles:
        raise PermissionDenied(_("Hanya pelapor yang dapat menanggapi laporan ini."))
    now = timezone.now()
    if report.state == State.FOLLOWED_UP:
        _check(report, actor, Action.REPLY)
        message = _message(report, actor, roles, Message.Kind.REPLY, body, now)
        from_state = report.state
        report.state = State.IN_PROGRESS
        report.due_at = deadline_for("follow_up", now, report.agency)
        _clear_clock_flags(report)
        report.save()
        _transition_event(
            report, actor, roles, Action.REPLY, from_state, data={"message_id": message.pk}, created_at=now
        )
        return message
    if report.state not in lc.OPEN_STATES:
        raise TransitionNotAllowed(_("Laporan sudah ditutup; tanggapan tidak dapat ditambahkan."), code="closed")
    return _message(report, actor, roles, Message.Kind.REPLY, body, now)


@transaction.atomic
def report_note(*, report: Report, actor: Actor, body: str) -> Message:
    """An internal note between staff; reporters never see it."""
    report = report_lock(report)
    body = _clean_text(body, field="body", name=_("Catatan"), max_len=MESSAGE_MAX)
    roles = actor_roles(report, actor)
    if not roles & {lc.PLATFORM_ADMIN, lc.AGENCY_ADMIN, lc.LIAISON, lc.UNIT_STAFF}:
        raise PermissionDenied(_("Hanya petugas yang menangani yang dapat menulis catatan internal."))
    return _message(report, actor, roles, Message.Kind.NOTE, body, timezone.now())


# --- Clock control and closing -------------------------------------------------------------


@transaction.atomic
def report_postpone(*, report: Report, actor: Actor, reason: str) -> Report:
    """Tunda: the deadline clock pauses with the working days that were left."""
    report = report_lock(report)
    roles = _check(report, actor, Action.POSTPONE, reason)
    now, from_state = timezone.now(), report.state
    report.paused_state = report.state
    report.paused_remaining_days = working_days_left(now, report.due_at) if report.due_at else 0
    report.state, report.due_at = State.POSTPONED, None
    report.save()
    _transition_event(
        report,
        actor,
        roles,
        Action.POSTPONE,
        from_state,
        reason=reason,
        data={"remaining_working_days": report.paused_remaining_days},
        created_at=now,
    )
    return report


@transaction.atomic
def report_resume(*, report: Report, actor: Actor, reason: str = "") -> Report:
    report = report_lock(report)
    roles = _check(report, actor, Action.RESUME, reason)
    now, from_state = timezone.now(), report.state
    report.state = report.paused_state or State.ROUTED
    report.due_at = deadline_after(now, max(report.paused_remaining_days or 0, 1))
    report.paused_state, report.paused_remaining_days = "", None
    _clear_clock_flags(report)
    report.save()
    _transition_event(report, actor, roles, Action.RESUME, from_state, reason=reason, created_at=now)
    return report


@transaction.atomic
def report_archive(
    *, report: Report, actor: Actor, reason: str, note: str = "", duplicate_of: Report | None = None
) -> Report:
    """Arsipkan, with one of the known reasons (and the original when it is a duplicate)."""
    if reason not in ArchiveReason.values:
        raise ValidationFailed(
            _("Alasan arsip tidak dikenal."), code="invalid_reason", detail={"allowed": list(ArchiveReason.values)}
        )
    report = report_lock(report)
    roles = _check(report, actor, Action.ARCHIVE, reason)
    if reason == ArchiveReason.DUPLICATE:
        if duplicate_of is None or duplicate_of.pk == report.pk:
            raise ValidationFailed(_("Sebutkan laporan asli untuk duplikat."), code="duplicate_of_required")

        # only an original the caller may see: otherwise the answer would confirm that a report exists
        # elsewhere, and its tracking id would be written into this report's audit trail
        if not actor.is_system and not report_qs_for(actor.user).filter(pk=duplicate_of.pk).exists():
            raise NotFound(_("Laporan asli tidak ditemukan."), code="unknown_report", detail={"field": "duplicate_of"})
        report.duplicate_of = duplicate_of
    now, from_state = timezone.now(), report.state
    report.state, report.archive_reason, report.due_at = State.ARCHIVED, reason, None
    _clear_clock_flags(report)
    report.save()
    _transition_event(
        report,
        actor,
        roles,
        Action.ARCHIVE,
        from_state,
        reason=note or str(ArchiveReason(reason).label),
        data={"archive_reason": reason, "duplicate_of": duplicate_of.tracking_id if duplicate_of else None},
        created_at=now,
    )
    return report


@transaction.atomic
def report_complete(*, report: Report, actor: Actor) -> Report:
    report = report_lock(report)
    roles = _check(report, actor, Action.COMPLETE)
    return _complete(report, actor, roles, Action.COMPLETE, timezone.now())


def _complete(report: Report, actor: Actor, roles: set[str], action: str, now: dt.datetime) -> Report:
    from_state = report.state
    report.state, report.completed_at, report.due_at = State.DONE, now, None
    _clear_clock_flags(report)
    report.save()
    _transition_event(report, actor, roles, action, from_state, created_at=now)
    return report


@transaction.atomic
def report_rate(*, report: Report, actor: Actor, rating: int, comment: str = "", reopen: bool = False) -> Report:
    """The reporter rates the answer 1–5; "not satisfied" reopens the report, once."""
    report = report_lock(report)
    if not 1 <= int(rating) <= 5:
        raise ValidationFailed(_("Nilai harus antara 1 dan 5."), code="invalid_rating", detail={"field": "rating"})
    comment = _clean_text(comment, field="comment", name=_("Komentar"), max_len=500, required=reopen)
    action = Action.REOPEN if reopen else Action.RATE
    roles = _check(report, actor, action, comment)
    if reopen and report.reopen_count >= 1:
        raise TransitionNotAllowed(_("Laporan hanya dapat dibuka kembali satu kali."), code="reopen_limit")
    if not reopen and report.rating is not None:
        raise TransitionNotAllowed(_("Laporan ini sudah dinilai."), code="already_rated")
    now, from_state = timezone.now(), report.state
    report.rating, report.rating_comment = int(rating), comment
    if reopen:
        report.state, report.completed_at = State.IN_PROGRESS, None
        report.reopen_count += 1
        report.due_at = deadline_for("follow_up", now, report.agency)
    report.save()
    _transition_event(
        report, actor, roles, action, from_state, reason=comment, data={"rating": report.rating}, created_at=now
    )
    return report


@transaction.atomic
def report_rate_sent(*, report: Report, actor: Actor, rating: int, comment: str = "", reopen: bool = False) -> Report:
    """A rating the reporter sends in one message (a text door, a partner system, a peer deployment):
    a report still waiting for their answer (followed up) is accepted as done first, as they would on
    the tracking page, then rated; "not satisfied" reopens it (once), with the comment as the reason."""
    report = report_lock(report)
    if report.state == State.FOLLOWED_UP:
        report = report_complete(report=report, actor=actor)
    return report_rate(report=report, actor=actor, rating=rating, comment=comment, reopen=reopen)


# --- Privacy -----------------------------------------------------------------------------


@transaction.atomic
def report_privacy_set(
    *, report: Report, actor: Actor, is_anonymous: bool, is_confidential: bool, reason: str = ""
) -> Report:
    """Change the two privacy switches, by the rules of ``lifecycle.PRIVACY_RULES``: agency roles may
    only make a report stricter (turn Anonim or Rahasia on), with a reason; only the reporter may
    turn Anonim off; the reporter, or a platform operator with a reason, may turn Rahasia off.
    Every change is one audited event (who, when, before/after, why; shown to staff, not on the
    public timeline), and the reporter is told (notifications: "privacy_changed")."""
    report = report_lock(report)
    roles = actor_roles(report, actor)
    if not roles & (lc.AGENCY_PRIVACY_ROLES | {lc.REPORTER}):
        raise PermissionDenied(_("Anda tidak boleh mengubah privasi laporan ini."))
    reason = text_clean(reason).strip()
    before = {"is_anonymous": report.is_anonymous, "is_confidential": report.is_confidential}
    after = {"is_anonymous": bool(is_anonymous), "is_confidential": bool(is_confidential)}
    changed = [switch for switch in ("is_anonymous", "is_confidential") if before[switch] != after[switch]]
    if not changed:
        return report  # nothing to change, nothing to record
    for switch in changed:
        lc.privacy_check(switch=switch, value=after[switch], roles=roles, reason=reason)
    report.is_anonymous, report.is_confidential = after["is_anonymous"], after["is_confidential"]
    report.save(update_fields=["is_anonymous", "is_confidential", "updated_at"])
    event_record(
        report,
        kind=ReportEvent.Kind.PRIVACY,
        actor=actor,
        roles=roles,
        reason=reason,
        agency=report.agency,
        is_public=False,
        data={"before": before, "after": after, "changed": changed},
    )
    return report


# --- Location -----------------------------------------------------------------------------


@transaction.atomic
def report_location_set(
    *, report: Report, actor: Actor, latitude: float, longitude: float, place: str = "", region_code: str | None = None
) -> Report:
    """The reporter pins where it happened on their own open report (a WhatsApp location): the
    coordinates, and the address and region when the report has none yet. One event (staff read
    the coordinates and what they replaced; the public never reads coordinates)."""
    report = report_lock(report)
    roles = actor_roles(report, actor)
    if lc.REPORTER not in roles:
        raise PermissionDenied(_("Hanya pelapor yang dapat menambahkan lokasi laporan ini."))
    if report.state not in lc.OPEN_STATES:
        raise ValidationFailed(_("Laporan sudah ditutup."), code="closed")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValidationFailed(
            _("Koordinat lokasi tidak valid."), code="invalid_location", detail={"field": "latitude"}
        )
    was = (report.latitude, report.longitude)
    previous = [float(was[0]), float(was[1])] if was[0] is not None and was[1] is not None else None
    report.latitude, report.longitude = Decimal(f"{latitude:.6f}"), Decimal(f"{longitude:.6f}")
    fields = ["latitude", "longitude", "updated_at"]
    place = _clean_text(place, field="address", name=_("Alamat"), max_len=300, required=False)
    if place and not report.address:
        report.address = place
        fields.append("address")
    if region_code and not report.region_id and region_get(region_code) is not None:
        report.region_id = region_code
        fields.append("region")
    report.save(update_fields=fields)
    event_record(
        report,
        kind=ReportEvent.Kind.LOCATION,
        actor=actor,
        roles=roles,
        agency=report.agency,
        data={"latitude": float(report.latitude), "longitude": float(report.longitude), "previous": previous},
    )
    return report


@transaction.atomic
def report_reporter_reveal(*, report: Report, actor: Actor, reason: str = "") -> dict:
    """The identity of a reporter, for platform operators only; every look is audited."""
    roles = actor_roles(report, actor)
    if lc.PLATFORM_ADMIN not in roles:
        raise PermissionDenied(_("Hanya Admin Nasional yang dapat melihat identitas pelapor anonim."))
    event_record(
        report, kind=ReportEvent.Kind.IDENTITY_VIEWED, actor=actor, roles=roles, reason=reason, is_public=False
    )
    reporter = report.reporter
    return {
        "name": reporter.full_name if reporter else report.guest_name,
        "email": (reporter.email if reporter else report.guest_email) or "",
        "phone": (reporter.phone if reporter else report.guest_phone) or "",
    }


# --- Outside this deployment -----------------------------------------------------------------


@transaction.atomic
def report_clock_hold(*, report: Report, actor: Actor, reason: str = "") -> Report:
    """The report is in another deployment's hands: its deadline clock stops (it cannot go overdue
    or escalate here) with the working days that were left, until the answer comes back
    (``report_remote_answer``) or the hand-over ends (``report_clock_release``). Audited, internal."""
    report = report_lock(report)
    if report.state not in lc.ACTIVE_STATES or report.due_at is None:
        return report  # closed, postponed (already paused), or already held
    now = timezone.now()
    report.paused_remaining_days = working_days_left(now, report.due_at)
    report.due_at = None
    _clear_clock_flags(report)
    report.save()
    event_record(
        report,
        kind=ReportEvent.Kind.TRANSITION,
        actor=actor,
        action="clock_hold",
        from_state=report.state,
        to_state=report.state,
        agency=report.agency,
        reason=reason,
        is_public=False,
        created_at=now,
        data={"remaining_working_days": report.paused_remaining_days},
    )
    return report


@transaction.atomic
def report_peer_due_set(*, report: Report, due_at: dt.datetime | None, peer_name: str) -> bool:
    """The deadline by which the peer deployment holding this report must act there (None: no
    deadline runs there now: answered, postponed, closed). Shown to the reporter and the staff and
    counted as late when it passes; never read by the sweep, which only looks at ``due_at``.
    Returns whether anything changed (the same deadline told again changes nothing)."""
    name = (peer_name or "")[:150] if due_at is not None else ""
    changed = Report.objects.filter(pk=report.pk)  # only when it differs: no write, no updated_at
    if due_at is None:
        changed = changed.filter(peer_due_at__isnull=False)
    else:
        changed = changed.exclude(peer_due_at=due_at, peer_due_name=name)
    if not changed.update(peer_due_at=due_at, peer_due_name=name):
        return False
    report.peer_due_at, report.peer_due_name = due_at, name
    return True


@transaction.atomic
def report_clock_release(*, report: Report, actor: Actor, reason: str = "") -> Report:
    """The hand-over ended without an answer: the clock runs again with the days it had left."""
    report = report_lock(report)
    if report.state not in lc.ACTIVE_STATES or report.due_at is not None:
        return report
    now = timezone.now()
    report.due_at = deadline_after(now, max(report.paused_remaining_days or 0, 1))
    report.paused_remaining_days = None
    report.save()
    event_record(
        report,
        kind=ReportEvent.Kind.TRANSITION,
        actor=actor,
        action="clock_release",
        from_state=report.state,
        to_state=report.state,
        agency=report.agency,
        reason=reason,
        is_public=False,
        created_at=now,
        data={"due_at": report.due_at.isoformat()},
    )
    return report


@transaction.atomic
def report_remote_answer(*, report: Report, body: str, source: dict) -> Message | None:
    """A federated peer's follow-up reaches the reporter here as a follow-up (the usual message,
    notification and reply window); ``source`` says where it came from (peer, agency there).
    A report already closed here keeps the answer on its federation link only (None)."""
    report = report_lock(report)
    if report.state not in lc.OPEN_STATES:
        return None
    body = _clean_text(body, field="body", name=_("Tindak lanjut"), max_len=MESSAGE_MAX)
    system, roles = Actor.system(), {lc.SYSTEM}
    lc.transition_check(state=report.state, action=Action.REMOTE_ANSWER, roles=roles)
    now, from_state = timezone.now(), report.state
    message = _message(report, system, roles, Message.Kind.FOLLOW_UP, body, now)
    report.state = State.FOLLOWED_UP
    report.first_follow_up_at = report.first_follow_up_at or now
    report.due_at = deadline_for("reply", now)
    report.paused_state, report.paused_remaining_days = "", None
    _clear_clock_flags(report)
    report.save()
    _transition_event(
        report,
        system,
        roles,
        Action.REMOTE_ANSWER,
        from_state,
        created_at=now,
        data={"message_id": message.pk, **source},
    )
    return message


@transaction.atomic
def report_event_external(
    *, report: Report, actor: Actor, action: str, reason: str = "", data: dict | None = None, is_public: bool = True
) -> ReportEvent:
    """Something that happened to the report outside this deployment (sent to a federated peer,
    a status change over there): audited like everything else, without changing the state here."""
    report = report_lock(report)
    return event_record(
        report,
        kind=ReportEvent.Kind.TRANSITION,
        actor=actor,
        action=action[:20],
        from_state=report.state,
        to_state=report.state,
        agency=report.agency,
        reason=reason,
        data=data or {},
        is_public=is_public,
    )
