"""Reports, their routing history, conversation, attachments and the append-only audit trail.

Models hold data and invariants; the workflow lives in ``lifecycle.py`` and ``services.py``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lapor.agencies.models import Agency, Region, Topic

from .lifecycle import State

# Crockford-style alphabet: no I, L, O, U; easy to read aloud and type on a phone keypad.
TRACKING_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TRACKING_LENGTH = 8  # 32**8 ~ 1.1e12 possibilities: not guessable, not sequential


def tracking_id_new() -> str:
    raw = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def tracking_id_normalize(value: str) -> str:
    raw = "".join(ch for ch in (value or "").upper() if ch.isalnum())
    raw = raw.replace("O", "0").replace("I", "1").replace("L", "1")
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == TRACKING_LENGTH else raw


class ReportType(models.TextChoices):
    COMPLAINT = "complaint", _("Pengaduan")
    SUGGESTION = "suggestion", _("Aspirasi")
    INFORMATION = "information", _("Permintaan informasi")


class Channel(models.TextChoices):
    WEB = "web", _("Situs web")
    MOBILE = "mobile", _("Aplikasi seluler")
    SMS = "sms", _("SMS 1708")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("E-mail")
    SOCIAL = "social", _("Media sosial")
    COUNTER = "counter", _("Loket layanan")
    CALL_CENTRE = "call_centre", _("Call centre 112")
    LETTER = "letter", _("Surat")
    ASPIRATION_HOUSE = "aspiration_house", _("Rumah aspirasi")
    PARTNER = "partner", _("Sistem mitra")
    OPEN311 = "open311", _("Open311")
    FEDERATION = "federation", _("Instansi lain (federasi)")
    API = "api", _("API")


class ArchiveReason(models.TextChoices):
    TOO_GENERAL = "too_general", _("Masukan terlalu umum")
    NOT_PUBLIC_SERVICE = "not_public_service", _("Tidak relevan dengan kinerja pemerintah")
    OUT_OF_SCOPE = "out_of_scope", _("Di luar ruang lingkup (perkara hukum, korupsi, pidana)")
    DUPLICATE = "duplicate", _("Duplikat laporan lain")
    SPAM = "spam", _("Spam")


class Report(models.Model):
    tracking_id = models.CharField(max_length=9, unique=True, default=tracking_id_new, editable=False)
    guest_secret_hash = models.CharField(max_length=64, blank=True, editable=False)

    type = models.CharField(max_length=12, choices=ReportType.choices, default=ReportType.COMPLAINT)
    title = models.CharField(max_length=200)
    body = models.TextField()
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.PROTECT, related_name="reports", db_index=False
    )  # report_topic_idx
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="reports", db_index=False
    )  # report_region_prefix_idx
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    address = models.CharField(max_length=300, blank=True)
    incident_date = models.DateField(null=True, blank=True)
    target_agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targeted_reports",
        help_text=_("Instansi tujuan pilihan pelapor (opsional)"),
        db_index=False,  # report_target_agency_idx
    )
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.WEB)

    # Two independent privacy switches.
    is_anonymous = models.BooleanField(
        default=False, help_text=_("Identitas pelapor dirahasiakan dari instansi dan publik")
    )
    is_confidential = models.BooleanField(default=False, help_text=_("Seluruh laporan tidak tampil untuk publik"))

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
        db_index=False,
    )  # report_reporter_idx
    guest_name = models.CharField(max_length=150, blank=True)
    guest_email = models.EmailField(blank=True)
    guest_phone = models.CharField(max_length=16, blank=True)

    # Lifecycle.
    state = models.CharField(max_length=16, choices=State.choices, default=State.SUBMITTED)
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
        help_text=_("Instansi yang menangani saat ini"),
        db_index=False,
    )  # report_agency_state_idx
    due_at = models.DateTimeField(null=True, blank=True, help_text=_("Batas waktu tahap saat ini"))
    completion_due_at = models.DateTimeField(null=True, blank=True)
    # A report forwarded to a peer deployment: its clock is held here (due_at empty) and the peer's
    # deadline to act, as the peer's signed status told it (partners/federation.py), is shown here.
    # Never read by the sweep: the peer's clock is authoritative.
    peer_due_at = models.DateTimeField(null=True, blank=True)
    peer_due_name = models.CharField(max_length=150, blank=True, default="", db_default="")  # db: raw inserts
    paused_state = models.CharField(max_length=16, blank=True)
    paused_remaining_days = models.PositiveSmallIntegerField(null=True, blank=True)
    is_overdue = models.BooleanField(default=False)
    overdue_since = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)  # 0 none, 1 parent agency, 2 platform
    escalated_at = models.DateTimeField(null=True, blank=True)
    bounce_count = models.PositiveSmallIntegerField(default=0)  # "Bukan Wewenang" returns
    reopen_count = models.PositiveSmallIntegerField(default=0)
    # "Dukung": citizens who support this public report (web.Support rows, counted here so the public
    # API, the staff pages and analytics read it without knowing the web app)
    support_count = models.PositiveIntegerField(default=0, db_default=0)  # db: raw inserts (demo_generate) too
    archive_reason = models.CharField(max_length=24, choices=ArchiveReason.choices, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates", db_index=False
    )  # report_duplicate_of_idx
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.CharField(max_length=500, blank=True)
    auto_routed = models.BooleanField(default=False)

    submitted_at = models.DateTimeField()  # report_submitted_idx
    verified_at = models.DateTimeField(null=True, blank=True)
    first_follow_up_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # What search matches: the title and body as the public sees them (searchtext.py), kept by save().
    search_text = models.TextField(blank=True, default="", db_default="", editable=False)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        # Every index is written by every submission and weighed by the planner for every query on the
        # table: a column gets no index of its own when one of these leads with it (migration 0009).
        indexes = [
            models.Index(fields=["state", "due_at"], name="report_state_due_idx"),
            models.Index(fields=["agency", "state"], name="report_agency_state_idx"),
            models.Index(fields=["-submitted_at", "-id"], name="report_submitted_idx"),
            models.Index(fields=["topic", "submitted_at"], name="report_topic_idx"),
            # varchar_pattern_ops: also the region subtree prefix (region_id LIKE '13.74.%', analytics
            # region_q) on a database whose collation is not C; equality and FK checks use it as well.
            models.Index(
                fields=["region", "submitted_at"],
                name="report_region_prefix_idx",
                opclasses=["varchar_pattern_ops", ""],
            ),
            models.Index(fields=["reporter", "-submitted_at"], name="report_reporter_idx"),
            # per-sender checks (repeats, floods) for guests
            models.Index(fields=["guest_phone", "submitted_at"], name="report_guest_phone_idx"),
            models.Index(fields=["guest_email", "submitted_at"], name="report_guest_email_idx"),
            # Almost always NULL: partial, for the FK checks and SET_NULL when an agency or report goes.
            models.Index(
                fields=["target_agency"],
                name="report_target_agency_idx",
                condition=models.Q(target_agency__isnull=False),
            ),
            models.Index(
                fields=["duplicate_of"], name="report_duplicate_of_idx", condition=models.Q(duplicate_of__isnull=False)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="report_rating_1_5",
            ),
        ]

    def __str__(self) -> str:
        # Shown wherever a report is named (the Django admin, its history): an anonymous report's
        # title may hold the reporter's name, so it is not part of the name.
        return self.tracking_id if self.is_anonymous else f"{self.tracking_id} {self.title[:40]}"

    def _search_source(self) -> tuple | None:
        """The values search_text is made of, or None when one of them is not loaded (deferred)."""
        from .searchtext import SOURCE_FIELDS  # cycle: searchtext imports models

        loaded = self.__dict__
        return tuple(loaded[f] for f in SOURCE_FIELDS) if all(f in loaded for f in SOURCE_FIELDS) else None

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._search_loaded = instance._search_source()
        return instance

    def save(self, *args, **kwargs):
        """Keep ``search_text`` in step with what it is made of: recomputed on insert and when the title,
        body, reporter, guest name or anonymity change (no work, no reporter lookup, otherwise)."""
        from .searchtext import SOURCE_FIELDS, report_search_text  # cycle: searchtext imports models

        update_fields = kwargs.get("update_fields")
        source = self._search_source()
        writes_source = update_fields is None or any(
            f in update_fields or f.removesuffix("_id") in update_fields for f in SOURCE_FIELDS
        )
        if source is None and writes_source and update_fields is not None and self.pk is not None:
            # a deferred instance writing a part of the text: read the other parts first
            self.refresh_from_db(fields=[f for f in SOURCE_FIELDS if f not in self.__dict__])
            source = self._search_source()
        if (
            source is not None
            and writes_source
            and (self._state.adding or source != getattr(self, "_search_loaded", None))
        ):
            self.search_text = report_search_text(self)
            if update_fields is not None and "search_text" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)
        if source is not None:
            self._search_loaded = source

    @property
    def is_closed(self) -> bool:
        return self.state in (State.DONE, State.ARCHIVED)

    @property
    def reporter_name(self) -> str:
        return self.reporter.full_name if self.reporter is not None else self.guest_name

    @property
    def reporter_contact(self) -> str:
        if self.reporter is not None:
            return self.reporter.contact
        return self.guest_email or self.guest_phone


class AssignmentQuerySet(models.QuerySet):
    def end(self, *, now, to_path: str) -> int:
        """End these (open) assignments because the report moves to the agency at ``to_path`` ("" for
        the platform's queue), recording whether it left each agency's subtree (``moved_out``)."""
        segments = to_path.split(".")[:-1]
        staying = [".".join(segments[: i + 1]) + "." for i in range(len(segments))]  # to_path and its ancestors
        moved_out = (
            models.ExpressionWrapper(~models.Q(agency_path__in=staying), output_field=models.BooleanField())
            if staying
            else models.Value(True)
        )
        return self.update(ended_at=now, moved_out=moved_out)


class ReportAssignment(models.Model):
    """Every agency a report was ever routed to: staff keep seeing reports formerly in their scope,
    and "Bukan Wewenang" returns the report one level back along this stack."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="assignments", db_index=False
    )  # assignment_report_idx
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="assignments")
    agency_path = models.CharField(max_length=255)  # denormalised for one-query scope checks
    # The assignment that was active when this one began: "Bukan Wewenang" goes back to it.
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )  # assignment_previous_idx
    assigned_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    # The report's submitted_at (never changes), copied so that a staff inbox reads the newest reports
    # of each agency in its subtree straight from assignment_inbox_idx. Filled on save.
    report_submitted_at = models.DateTimeField(editable=False)
    # Ended with the report leaving this agency's subtree (forwarded elsewhere, sent back up, or to the
    # platform's queue), not handed down to a unit: the reports a subtree saw but no longer holds are
    # found through these few rows (assignment_moved_out_idx). Set by AssignmentQuerySet.end().
    moved_out = models.BooleanField(default=False, db_default=False, editable=False)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["assigned_at", "id"]
        indexes = [
            models.Index(fields=["agency_path", "report"], name="assignment_scope_idx"),
            models.Index(fields=["report", "ended_at"], name="assignment_report_idx"),
            # Created CONCURRENTLY on PostgreSQL by migration 0004 (varchar_pattern_ops: prefix LIKE).
            models.Index(
                fields=["agency_path", "-report_submitted_at", "-report"],
                name="assignment_inbox_idx",
                opclasses=["varchar_pattern_ops", "", ""],
            ),
            # Created CONCURRENTLY on PostgreSQL by migration 0005.
            models.Index(
                fields=["agency_path", "-report_submitted_at", "-report"],
                name="assignment_moved_out_idx",
                opclasses=["varchar_pattern_ops", "", ""],
                condition=models.Q(moved_out=True),
            ),
            # NULL for a report's first assignment: partial, for SET_NULL when an assignment goes.
            models.Index(
                fields=["previous"], name="assignment_previous_idx", condition=models.Q(previous__isnull=False)
            ),
        ]

    def save(self, *args, **kwargs):
        if self.report_submitted_at is None and self.report_id is not None:
            self.report_submitted_at = self.report.submitted_at
        super().save(*args, **kwargs)


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit events are append-only: they are never updated.")

    def delete(self):
        raise TypeError("Audit events are append-only: they are never deleted.")


class ReportEvent(models.Model):
    """One immutable line of a report's history: who, when, what, why."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Laporan diterima")
        TRANSITION = "transition", _("Perubahan status")
        MESSAGE = "message", _("Pesan")
        ATTACHMENT = "attachment", _("Lampiran")
        PRIVACY = "privacy", _("Pengaturan privasi")
        IDENTITY_VIEWED = "identity_viewed", _("Identitas pelapor dilihat")
        OVERDUE = "overdue", _("Melewati batas waktu")
        ESCALATED = "escalated", _("Dieskalasi")
        DEADLINE_MOVED = "deadline_moved", _("Batas waktu disesuaikan")  # a calendar change (calendar.py)
        LOCATION = "location", _("Lokasi ditambahkan")  # the reporter's pin (WhatsApp)

    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="events", db_index=False
    )  # event_report_idx
    kind = models.CharField(max_length=20, choices=Kind.choices)
    action = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )  # event_actor_idx
    actor_role = models.CharField(max_length=20, blank=True)  # reporter, system, or a staff role
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    is_public = models.BooleanField(default=True)  # shown on the reporter's timeline
    created_at = models.DateTimeField(db_index=True)  # "since" reads: analytics months_touched, connectivity

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["report", "created_at"], name="event_report_idx"),
            # NULL for the system's and guests' events: partial, for the PROTECT check when a user goes.
            models.Index(fields=["actor"], name="event_actor_idx", condition=models.Q(actor__isnull=False)),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit events are append-only: they are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only: they are never deleted.")


class Message(models.Model):
    class Kind(models.TextChoices):
        FOLLOW_UP = "follow_up", _("Tindak lanjut")
        REPLY = "reply", _("Tanggapan pelapor")
        NOTE = "note", _("Catatan internal")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["report", "created_at"], name="message_report_idx")]

    @property
    def is_internal(self) -> bool:
        return self.kind == self.Kind.NOTE


class AnswerRating(models.Model):
    """The answer checker's rating of a follow-up (``reports/answers.py``): recorded as the answer is
    sent, or afterwards by ``lapor answers backfill`` for answers sent before the checker existed.
    Advice for analytics and for choosing example answers; never shown to the reporter."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="answer_rating")
    flags = models.JSONField(default=list, blank=True)
    flagged = models.BooleanField()
    created_at = models.DateTimeField()


class Attachment(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    storage_name = models.CharField(max_length=100, unique=True)  # random, never the uploaded name
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_internal = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]


class IdempotencyRecord(models.Model):
    """A retried POST with the same Idempotency-Key returns the first answer, never a second report."""

    owner = models.CharField(max_length=80)  # user:<id>, or anon:<client> for guests
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotency_owner_key")]


class CalendarDay(models.Model):
    """A deployment's own calendar entries on top of the national holidays."""

    class Kind(models.TextChoices):
        LEAVE = "leave", _("Cuti bersama / libur")
        WORKDAY = "workday", _("Hari kerja pengganti")

    date = models.DateField(unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LEAVE)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
