"""The one door: what a viewer may see of a report.

Every outward surface — pages, API schemas, Open311, exports, analytics drill-downs, open data,
search results, similar/duplicate suggestions, the social queue, notifications, webhooks,
federation, timelines and the admin — gets a report's personal fields from here, never from the
stored fields:

    lens = lens_for(report, viewer, is_reporter=...)   # staff, reporter or API caller
    lens = lens_public(report)                         # anyone (public pages, open data, Open311)
    lens.title, lens.body, lens.address, lens.location, lens.reporter, lens.text(s),
    lens.event(e), lens.message(m), lens.attachment(a), lens.attachment_name(a)
    ReportView(lens)                                   # what a template may hold

The rules (docs/security.md):

- The reporter sees their own report as they wrote it.
- The public sees personal data masked in every report (NIK, phone numbers, e-mail addresses,
  plates), the reporter's own name too when the report is anonymous, never the address or
  coordinates, and only the reporter's first name when the report is not anonymous.
- Staff (agency admin, liaison, unit staff, overseer, platform admin) see a named report as
  stored. Of an anonymous report they see the text, the address, reasons and messages with
  personal data and the reporter's name masked, and no identity: a platform admin may see the
  identity only through the audited reveal (``services.reporter_reveal``).
- A confidential report never reaches the public at all: that is the selectors' rule
  (``report_public_qs``); the projection is the second line (a public lens of one shows no text).

Templates never receive a ``Report``: ``ReportView`` passes through only the fields named in
``SAFE_FIELDS`` and projects the rest; a test renders every page and fails if a model instance
of a report, message, event or attachment reaches a template context.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.utils import formats, timezone
from django.utils.translation import gettext, gettext_noop, pgettext

from lapor.accounts.models import User
from lapor.accounts.phones import phone_mask
from lapor.accounts.selectors import user_grants
from lapor.accounts.twofactor import email_mask
from lapor.core.masking import text_mask

from . import lifecycle as lc
from .models import Attachment, Message, ReportEvent
from .selectors import report_place_names, report_reporter_visible

# The words that stand in for a person; each is shown in the viewer's language (``label``).
ANONYMOUS = gettext_noop("Anonim")
REPORTER_LABEL = gettext_noop("Pelapor")
SYSTEM_LABEL = gettext_noop("Sistem")
STAFF_LABEL = gettext_noop("Petugas")
# Reasons the system itself writes into an event; stored in Indonesian, shown translated.
SYSTEM_REASONS = frozenset({gettext_noop("Selesai otomatis: tidak ada tanggapan pelapor")})


# The tags masking writes in place of personal data (core/masking.py), Indonesian wherever they are
# stored; shown in the viewer's language.
MASK_TAGS = (
    gettext_noop("[alamat disamarkan]"),
    gettext_noop("[NIK disamarkan]"),
    gettext_noop("[telepon disamarkan]"),
    gettext_noop("[email disamarkan]"),
    gettext_noop("[nopol disamarkan]"),
    gettext_noop("[nama disamarkan]"),
)


def masks_translated(text: str) -> str:
    """``text`` with the masking tags in the active language (a text written with them stays as it is
    stored: only the shown copy changes)."""
    if not text or "disamarkan]" not in text:
        return text
    for tag in MASK_TAGS:
        if tag in text:
            text = text.replace(tag, gettext(tag))
    return text


def label(msgid: str) -> str:
    """One of the words above in the active language (a plain str: API schemas need one)."""
    return gettext(msgid)


PUBLIC, REPORTER, STAFF = "public", "reporter", "staff"
# Event details that point at the sender on the channel it came through.
IDENTIFYING_DATA = frozenset(
    {
        "social",
        "post_id",
        "post_url",
        "url",
        "author",
        "handle",
        "email_message_id",
        "sms_message_id",
        "from",
        "sender",
        "phone",
        "email",
        "message_id_header",
        "whatsapp_message_id",
    }
)


def _reporter_visible(report, viewer: User | None, *, is_reporter: bool) -> bool:
    return report_reporter_visible(report, viewer, is_reporter=is_reporter)


def mask_names(report) -> tuple[str, ...]:
    """The names masked in an anonymous report's text: the reporter's own."""
    return (report.reporter_name or "",) if report.is_anonymous else ()


def mask_text(report, text: str) -> str:
    """Personal data and (anonymous report) the reporter's name masked — as a name, keeping the
    words of the report's place names (core/masking.py): the public's and, for an anonymous report,
    the staff's view of any text that belongs to the report."""
    names = mask_names(report)
    return text_mask(text or "", names=names, places=report_place_names(report) if names else ())


SOCIAL_BODY_HIDDEN = gettext_noop("[isi disembunyikan untuk melindungi pelapor]")
SOCIAL_TITLE_HIDDEN = gettext_noop("Laporan dari media sosial")


def _words_of(text: str) -> str:
    return " ".join((text or "").casefold().split()).rstrip("…").strip()


def _social_anonymous_public(report, text: str) -> str | None:
    """An anonymous report that came from a social-media post: its stored body IS the post, and a
    verbatim copy can be searched on the network it came from, which names the author. The public
    gets neither the body (a notice instead) nor a title copied from the post (a neutral title)."""
    if report.channel != "social" or not report.is_anonymous:
        return None
    if text == report.title and _words_of(report.title) and _words_of(report.title) in _words_of(report.body):
        return label(SOCIAL_TITLE_HIDDEN)
    if text == report.body:
        return label(SOCIAL_BODY_HIDDEN)
    return None


class _Named(Protocol):
    @property
    def name(self) -> str: ...


class ReportShown(Protocol):
    """What a Lens reads of a report: a Report, or a list page's ReportRow (selectors)."""

    @property
    def tracking_id(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def address(self) -> str: ...
    @property
    def latitude(self) -> Decimal | float | None: ...
    @property
    def longitude(self) -> Decimal | float | None: ...
    @property
    def is_anonymous(self) -> bool: ...
    @property
    def is_confidential(self) -> bool: ...
    @property
    def region(self) -> _Named | None: ...
    @property
    def reporter_id(self) -> int | None: ...
    @property
    def reporter_name(self) -> str: ...
    @property
    def guest_name(self) -> str: ...


@dataclass(frozen=True)
class Lens:
    """A report as one viewer may see it. Build with ``lens_for`` or ``lens_public``."""

    report: ReportShown
    viewer: User | None
    audience: str  # PUBLIC | REPORTER | STAFF
    reporter_visible: bool

    # --- text ------------------------------------------------------------------------------
    @property
    def _masked(self) -> bool:
        if self.audience == REPORTER:
            return False
        if self.audience == PUBLIC:
            return True
        return self.report.is_anonymous and not self.reporter_visible

    def text(self, value: str) -> str:
        """Any text that belongs to the report (its title and body, a reason, a message) as this
        viewer may read it."""
        if self.audience == PUBLIC:
            if self.report.is_confidential:
                return ""  # second line: the selectors never hand a confidential report to a public surface
            hidden = _social_anonymous_public(self.report, value)
            if hidden is not None:
                return hidden
        return masks_translated(mask_text(self.report, value) if self._masked else (value or ""))

    @property
    def title(self) -> str:
        return self.text(self.report.title)

    @property
    def body(self) -> str:
        return self.text(self.report.body)

    @property
    def address(self) -> str:
        if self.audience == PUBLIC:
            return ""
        return self.text(self.report.address)

    @property
    def location(self) -> tuple[float, float] | None:
        """Coordinates of the incident: staff and the reporter; never the public."""
        r = self.report
        if self.audience == PUBLIC or r.latitude is None or r.longitude is None:
            return None
        return float(r.latitude), float(r.longitude)

    @property
    def open_place(self) -> tuple[float | None, float | None, str]:
        """(latitude, longitude, address) for open standards that publish a place (Open311): an
        anonymous report's exact spot can point at the reporter's home, so it is rounded to about
        100 m and the address is the region's name; any address is masked as the text is."""
        r = self.report
        lat = float(r.latitude) if r.latitude is not None else None
        lon = float(r.longitude) if r.longitude is not None else None
        if r.is_anonymous:
            return (
                round(lat, 3) if lat is not None else None,
                round(lon, 3) if lon is not None else None,
                r.region.name if r.region is not None else "",
            )
        return lat, lon, mask_text(r, r.address)

    # --- who -------------------------------------------------------------------------------
    @property
    def reporter(self) -> dict | None:
        """``{name, contact, is_anonymous}``, or None where no reporter may be shown."""
        r = self.report
        if self.audience == PUBLIC:
            return {"name": self.public_reporter_name, "contact": None, "is_anonymous": r.is_anonymous}
        if not self.reporter_visible:
            return {"name": label(ANONYMOUS), "contact": None, "is_anonymous": True} if r.is_anonymous else None
        contact = getattr(r, "reporter_contact", "") or ""
        if self.audience != REPORTER:
            contact = contact_mask(contact)
        return {"name": r.reporter_name or "-", "contact": contact or None, "is_anonymous": r.is_anonymous}

    @property
    def public_reporter_name(self) -> str:
        r = self.report
        if r.is_anonymous:
            return label(ANONYMOUS)
        return ((r.reporter_name or "").split(" ")[0]) or label(ANONYMOUS)

    def event(self, event: ReportEvent) -> dict:
        staff = self.audience == STAFF
        if event.actor_role == lc.REPORTER:
            actor = str(event.actor) if (self.reporter_visible and event.actor_id) else label(REPORTER_LABEL)
        elif event.actor_role == lc.SYSTEM:
            actor = label(SYSTEM_LABEL)
        elif staff and event.actor_id:
            actor = str(event.actor)
        else:
            actor = event_actor_label(event)
        return {
            "id": event.pk,
            "kind": event.kind,
            "action": event.action,
            "actor": actor,
            "title": event_title(event),
            "actor_role": event.actor_role,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "agency": event.agency.name if event.agency is not None else None,
            "reason": self._event_reason(event),
            "data": self._event_data(event) if staff else {},
            "created_at": event.created_at,
        }

    def _event_reason(self, event: ReportEvent) -> str:
        if event.kind == ReportEvent.Kind.DEADLINE_MOVED:
            return deadline_moved_text(event.data or {}, self.text(event.reason), staff=self.audience == STAFF)
        return label(event.reason) if event.reason in SYSTEM_REASONS else self.text(event.reason)

    def _event_data(self, event: ReportEvent) -> dict:
        data = event.data or {}
        return data if not self._masked else self._data_masked(data)

    def _data_masked(self, value):
        """An event's details on an anonymous report: the door it came through (a social post's id,
        an e-mail's Message-ID, an SMS id) can name the sender on the network it came from."""
        if isinstance(value, dict):
            return {k: self._data_masked(v) for k, v in value.items() if k not in IDENTIFYING_DATA}
        if isinstance(value, list):
            return [self._data_masked(v) for v in value]
        return self.text(value) if isinstance(value, str) else value

    def message(self, message: Message) -> dict:
        staff = self.audience == STAFF
        r = self.report
        if message.kind == Message.Kind.REPLY:
            if not self.reporter_visible:
                author = label(ANONYMOUS if r.is_anonymous else REPORTER_LABEL)
            else:
                author = str(message.author) if message.author_id else (r.guest_name or label(REPORTER_LABEL))
            if self.audience == PUBLIC:
                author = label(REPORTER_LABEL if not r.is_anonymous else ANONYMOUS)
        else:
            author = (
                str(message.author)
                if (staff and message.author_id)
                else (message.agency.name if message.agency is not None else label(STAFF_LABEL))
            )
        return {
            "id": message.pk,
            "kind": message.kind,
            "author": author,
            "agency": message.agency.name if message.agency is not None else None,
            "body": self.text(message.body),
            "created_at": message.created_at,
            "attachments": [self.attachment(a) for a in message.attachments.all() if staff or not a.is_internal],
        }

    def attachment_name(self, att: Attachment) -> str:
        """A file name can name its sender ("KTP_Siti_Aminah.jpg"): on an anonymous report, the
        reporter's own files are shown to anyone who may not see the reporter as
        "lampiran-<id>.<type>". Files staff uploaded keep their names."""
        r = self.report
        reporters_file = att.uploaded_by_id is None or att.uploaded_by_id == r.reporter_id
        if self.reporter_visible or not r.is_anonymous or not reporters_file:
            return att.original_name
        return f"lampiran-{att.pk}.{att.storage_name.rsplit('.', 1)[-1]}"  # the stored type, sniffed at upload

    def attachment(self, att: Attachment) -> dict:
        return {
            "id": att.pk,
            "name": self.attachment_name(att),
            "content_type": att.content_type,
            "size": att.size,
            "url": f"/api/reports/{self.report.tracking_id}/attachments/{att.pk}",
        }


def _day(value: str) -> str:
    """An event's stored ISO deadline as a date in the viewer's language ("5 Januari 2027")."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return "-"
    return formats.date_format(timezone.localtime(moment) if timezone.is_aware(moment) else moment, "j F Y")


def peer_due(report) -> dict | None:
    """The deadline of the peer deployment that holds a report we forwarded (``peer_due_at``, as
    its signed status told us), for every outward view: ``{"peer", "due_at", "is_late", "text"}``
    in the viewer's language ("ditangani <peer>, paling lambat …"), or None when none runs (our
    own clock runs, the report is closed, or the peer never told us: an old peer)."""
    due = getattr(report, "peer_due_at", None)
    if due is None or report.state in (lc.State.DONE, lc.State.ARCHIVED) or report.due_at is not None:
        return None
    peer = report.peer_due_name or gettext("deployment lain")
    late = due < timezone.now()
    day = _day(due.isoformat())
    if late:
        text = gettext("ditangani %(peer)s, terlambat sejak %(date)s") % {"peer": peer, "date": day}
    else:
        text = gettext("ditangani %(peer)s, paling lambat %(date)s") % {"peer": peer, "date": day}
    return {"peer": peer, "due_at": due, "is_late": late, "text": text}


def deadline_moved_text(data: dict, decree: str, *, staff: bool) -> str:
    """Why a deadline moved, in the viewer's words: staff read each clock (the stage's deadline and
    the overall limit) old → new; the reporter and the public read the one deadline they are shown
    (the stage's, else the overall limit) and the decree behind it."""
    changed = _day(data.get("calendar_date", "") + "T00:00:00") if data.get("calendar_date") else "-"
    made = gettext("hari kerja") if data.get("working") else gettext("hari libur")
    if staff:
        clocks = [
            gettext("%(clock)s: %(old)s → %(new)s")
            % {"clock": name, "old": _day(data[field]["old"]), "new": _day(data[field]["new"])}
            for field, name in (
                ("due_at", gettext("batas tahap")),
                ("completion_due_at", gettext("batas penyelesaian")),
            )
            if isinstance(data.get(field), dict)
        ]
        return gettext("%(clocks)s. Dasar: %(decree)s (%(date)s dijadikan %(made)s).") % {
            "clocks": "; ".join(clocks),
            "decree": decree,
            "date": changed,
            "made": made,
        }
    clock = data.get("due_at") if isinstance(data.get("due_at"), dict) else data.get("completion_due_at")
    if not isinstance(clock, dict):
        return ""
    return gettext(
        "Kalender kerja resmi berubah: %(date)s dijadikan %(made)s (%(decree)s). Batas waktu laporan ini "
        "disesuaikan dari %(old)s menjadi %(new)s."
    ) % {"date": changed, "made": made, "decree": decree, "old": _day(clock["old"]), "new": _day(clock["new"])}


# Actions that move a report to another agency: the event's ``agency`` is where it went, so the
# one who acted worked for the agency it came from (recorded in ``data`` since the second pass).
_MOVING_ACTIONS = frozenset({lc.Action.DISPOSE, lc.Action.FORWARD, lc.Action.NOT_AUTHORITY})


def event_actor_label(event: ReportEvent) -> str:
    """Who did a step, as the reporter and the public read it: the platform's admins as such, agency
    staff as the agency they acted for (not the agency the report went to), never a person's name."""
    if event.actor_role == lc.SYSTEM:
        return label(SYSTEM_LABEL)
    if event.actor_role == lc.PLATFORM_ADMIN:
        return gettext("Admin Nasional LAPOR!")
    data = event.data or {}
    if event.action in _MOVING_ACTIONS:
        if data.get("from_agency_name"):
            return data["from_agency_name"]
        if event.action == lc.Action.DISPOSE and event.agency is not None and event.agency.parent is not None:
            return event.agency.parent.name  # a unit's disposition was made by the agency above it
        return label(STAFF_LABEL)
    return event.agency.name if event.agency is not None else label(STAFF_LABEL)


# What happened, as a statement in the past tense (the action names are the buttons' verbs).
_EVENT_STATEMENTS = {
    lc.Action.DISPOSE: gettext_noop("Laporan didisposisikan ke unit kerja"),
    lc.Action.FOLLOW_UP: gettext_noop("Instansi mengirim tindak lanjut"),
    lc.Action.REPLY: gettext_noop("Pelapor menanggapi"),
    lc.Action.NOT_AUTHORITY: gettext_noop("Instansi menyatakan laporan ini bukan wewenangnya"),
    lc.Action.FORWARD: gettext_noop("Laporan diteruskan ke instansi lain"),
    lc.Action.POSTPONE: gettext_noop("Penanganan laporan ditunda"),
    lc.Action.RESUME: gettext_noop("Penanganan laporan dilanjutkan"),
    lc.Action.ARCHIVE: gettext_noop("Laporan diarsipkan"),
    lc.Action.COMPLETE: gettext_noop("Laporan dinyatakan selesai"),
    lc.Action.AUTO_COMPLETE: gettext_noop("Laporan selesai otomatis"),
    lc.Action.REOPEN: gettext_noop("Laporan dibuka kembali"),
    lc.Action.REMOTE_ANSWER: gettext_noop("Jawaban diterima dari deployment lain"),
}
# Actions whose statement already says the state the report moved to (no "→ state" after it).
STATEMENT_SAYS_STATE = frozenset(
    {lc.Action.ROUTE, lc.Action.COMPLETE, lc.Action.AUTO_COMPLETE, lc.Action.ARCHIVE, lc.Action.REOPEN, lc.Action.RATE}
)


def event_title(event: ReportEvent) -> str:
    """One step of the timeline as a statement in the viewer's language, for every audience (the
    pages and the API's timeline agree): "Laporan dinyatakan selesai", not the button's "Selesaikan"."""
    data = event.data or {}
    if event.action == lc.Action.ROUTE:
        if event.agency is not None:
            return gettext("Laporan diverifikasi dan diteruskan ke %(agency)s") % {"agency": event.agency.name}
        return gettext("Laporan diverifikasi dan diteruskan ke instansi")
    if event.action == lc.Action.RATE:
        rating = data.get("rating")
        if rating:
            return gettext("Pelapor memberi nilai %(n)s dari 5") % {"n": rating}
        return gettext("Pelapor memberi penilaian")
    if event.action in _EVENT_STATEMENTS:
        return gettext(_EVENT_STATEMENTS[lc.Action(event.action)])
    if event.kind == ReportEvent.Kind.SUBMITTED:
        return pgettext("timeline", "Laporan diterima")
    if event.kind == ReportEvent.Kind.ATTACHMENT:
        return gettext("Lampiran ditambahkan")
    return str(ReportEvent.Kind(event.kind).label) if event.kind in ReportEvent.Kind.values else event.kind


def contact_mask(contact: str) -> str:
    """A reporter's phone or e-mail as staff see it: partly masked ("+6281*****890", "w***@lapor.example").
    Enough to tell two reporters apart, not to reach one: staff answer through the report, and the
    whole contact is only the audited reveal's (``services.report_reporter_reveal``)."""
    if "@" in contact:
        return email_mask(contact)
    return phone_mask(contact) if contact else ""


def lens_for(report, viewer: User | None, *, is_reporter: bool = False) -> Lens:
    """The report as a signed-in viewer (staff, or the reporter) or an API caller sees it. The
    caller has already checked that the viewer may see the report at all (selectors)."""
    owner = is_reporter or bool(
        viewer is not None
        and getattr(viewer, "is_authenticated", False)
        and report.reporter_id
        and report.reporter_id == viewer.pk
    )
    visible = _reporter_visible(report, viewer, is_reporter=owner)
    if owner:
        return Lens(report=report, viewer=viewer, audience=REPORTER, reporter_visible=True)

    audience = STAFF if viewer is not None and user_grants(viewer) else PUBLIC
    return Lens(report=report, viewer=viewer, audience=audience, reporter_visible=visible and audience == STAFF)


def lens_public(report) -> Lens:
    """The report as anyone sees it: public pages, the public API, Open311, open data."""
    return Lens(report=report, viewer=None, audience=PUBLIC, reporter_visible=False)


def lens_agency(report) -> Lens:
    """The report as an agency sees it with no particular person looking (e-mails to staff, digests,
    partner webhooks, federation to a peer deployment)."""
    return Lens(report=report, viewer=None, audience=STAFF, reporter_visible=not report.is_anonymous)


# --- What a template may hold ----------------------------------------------------------------

SAFE_FIELDS = frozenset(
    {
        "pk",
        "id",
        "tracking_id",
        "type",
        "get_type_display",
        "channel",
        "get_channel_display",
        "state",
        "get_state_display",
        "agency",
        "agency_id",
        "topic",
        "topic_id",
        "region",
        "region_id",
        "target_agency",
        "target_agency_id",
        "due_at",
        "completion_due_at",
        "is_overdue",
        "escalation_level",
        "bounce_count",
        "reopen_count",
        "rating",
        "submitted_at",
        "verified_at",
        "first_follow_up_at",
        "completed_at",
        "incident_date",
        "is_anonymous",
        "is_confidential",
        "paused_at",
        "days_left",
        "archive_reason",
        "get_archive_reason_display",
        "spam_flag",
        "flag_reason",
        "support_count",
        "updated_at",
        "created_at",
        "reporter_id",
    }
)


class ReportView:
    """A report for a template: the safe fields pass through, the personal ones are projected,
    anything else is refused (AttributeError, which a template renders as nothing)."""

    __slots__ = ("_lens",)

    def __init__(self, lens: Lens):
        object.__setattr__(self, "_lens", lens)

    @property
    def lens(self) -> Lens:
        return self._lens

    title = property(lambda self: self._lens.title)
    body = property(lambda self: self._lens.body)
    address = property(lambda self: self._lens.address)
    reporter = property(lambda self: self._lens.reporter)
    reporter_name = property(lambda self: (self._lens.reporter or {}).get("name", ""))
    peer_due = property(lambda self: peer_due(self._lens.report))

    @property
    def latitude(self):
        loc = self._lens.location
        return loc[0] if loc else None

    @property
    def longitude(self):
        loc = self._lens.location
        return loc[1] if loc else None

    def __getattr__(self, name: str):
        if name in SAFE_FIELDS:
            return getattr(self._lens.report, name)
        raise AttributeError(f"ReportView has no field {name!r}: add it to the projection (reports/projection.py)")

    def __setattr__(self, name, value):
        raise AttributeError("ReportView is read-only")

    def __str__(self) -> str:
        return f"{self._lens.report.tracking_id} {self.title[:40]}"


def view_for(report, viewer: User | None, *, is_reporter: bool = False) -> ReportView:
    return ReportView(lens_for(report, viewer, is_reporter=is_reporter))


def view_public(report) -> ReportView:
    return ReportView(lens_public(report))


# --- API shapes (reports/schemas.py declares them) ---------------------------------------------


def _ref(obj) -> dict | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def report_out(report, viewer: User | None, *, is_reporter: bool = False, with_reporter: bool = True) -> dict:
    from .services import Actor, actor_roles  # cycle: services → answers → projection

    lens = lens_for(report, viewer, is_reporter=is_reporter)
    roles = actor_roles(report, Actor(user=viewer, is_reporter=lens.audience == REPORTER))
    loc = lens.location
    return {
        "tracking_id": report.tracking_id,
        "type": report.type,
        "title": lens.title,
        "body": lens.body,
        "state": report.state,
        "state_label": str(lc.State(report.state).label),
        "channel": report.channel,
        "topic": _ref(report.topic),
        "agency": _ref(report.agency),
        "region": {"code": report.region.code, "name": report.region.name} if report.region_id else None,
        "address": lens.address,
        "latitude": loc[0] if loc else None,
        "longitude": loc[1] if loc else None,
        "incident_date": report.incident_date,
        "is_anonymous": report.is_anonymous,
        "is_confidential": report.is_confidential,
        "reporter": lens.reporter if with_reporter and lens.audience != PUBLIC else None,
        "submitted_at": report.submitted_at,
        "due_at": report.due_at,
        "completion_due_at": report.completion_due_at,
        "is_overdue": report.is_overdue,
        "peer_due": peer_due(report),
        "escalation_level": report.escalation_level,
        "bounce_count": report.bounce_count,
        "rating": report.rating,
        "actions": lc.actions_allowed(state=report.state, roles=roles),
    }


def public_report_out(report) -> dict:
    lens = lens_public(report)
    return {
        "tracking_id": report.tracking_id,
        "type": report.type,
        "title": lens.title,
        "body": lens.body,
        "state": report.state,
        "state_label": str(lc.State(report.state).label),
        "topic": _ref(report.topic),
        "agency": _ref(report.agency),
        "region": {"code": report.region.code, "name": report.region.name} if report.region_id else None,
        "reporter_name": lens.public_reporter_name,
        "submitted_at": report.submitted_at,
        "support_count": report.support_count,
    }
