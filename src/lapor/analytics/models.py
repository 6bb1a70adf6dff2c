"""Roll-ups for monitoring and evaluation, and the agencies' action plans (rencana aksi).

``StatCell`` is a pre-counted cell: how many reports submitted in ``month`` and visible in
``scope`` have ``dim`` = ``key``. Scopes: ``n`` (national), ``p`` (public: what open data may
show), ``a:<agency id>`` (an agency's whole subtree, by the report's current agency),
``r:<region code>`` (a province or regency). Durations are stored as histograms of whole working
days (dim ``verify_days`` etc.), so medians and percentiles stay exact.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lapor.agencies.models import Agency, Topic


class StatCell(models.Model):
    scope = models.CharField(max_length=24)
    month = models.DateField()
    dim = models.CharField(max_length=16)
    key = models.CharField(max_length=48, blank=True)
    n = models.IntegerField()

    class Meta:
        # One index serves every read (scope = ?, dim IN (...), month range) and keeps a refresh's
        # bulk insert cheap: no other secondary index.
        constraints = [
            models.UniqueConstraint(fields=["scope", "dim", "month", "key"], name="statcell_scope_dim_month_key")
        ]


class RollupRun(models.Model):
    """One refresh of the roll-ups; the newest finished run is the "data per" time shown."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    full = models.BooleanField(default=False)
    months = models.PositiveIntegerField(default=0)
    reports = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["-started_at"], name="rollup_run_started_idx")]


class ActionPlan(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Direncanakan")
        IN_PROGRESS = "in_progress", _("Berjalan")
        DONE = "done", _("Selesai")
        CANCELLED = "cancelled", _("Dibatalkan")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="action_plans")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_plans")
    title = models.CharField(max_length=200)
    owner = models.CharField(max_length=150, help_text=_("Penanggung jawab"))
    due_date = models.DateField()
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(progress__lte=100), name="action_plan_progress_0_100")]

    def __str__(self) -> str:
        return self.title


class Job(models.Model):
    """Work that may take longer than a request: an export of up to millions of rows, the monthly
    PDFs of many agencies, an open-data rebuild, a routing model retrained by hand. Run by a Celery
    worker (a broker configured) or by a thread of the web process (none), never inside a request;
    the page and the API show its progress; the file is kept ``LAPOR_EXPORT_KEEP_DAYS`` days."""

    class Kind(models.TextChoices):
        REPORTS = "reports", _("Ekspor daftar laporan")
        MONTHLY_PDFS = "monthly_pdfs", _("Laporan bulanan instansi (PDF)")
        OPENDATA = "opendata", _("Bangun ulang data terbuka")
        ROUTING_TRAIN = "routing_train", _("Latih ulang model rute")

    class State(models.TextChoices):
        QUEUED = "queued", _("Menunggu")
        RUNNING = "running", _("Berjalan")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")
        CANCELLED = "cancelled", _("Dibatalkan")
        EXPIRED = "expired", _("Kedaluwarsa")  # done, and its file deleted after the keep period

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    params = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.BigIntegerField(default=0)
    total = models.BigIntegerField(null=True, blank=True)  # unknown until the work has counted it
    file_path = models.CharField(max_length=300, blank=True)  # relative to DATA_DIR (shared by web and workers)
    file_name = models.CharField(max_length=200, blank=True)  # the name it is downloaded under
    content_type = models.CharField(max_length=100, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)  # the run holding the job writes only with its own number
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # a running job's lease; stale = its worker died
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="job_requester_idx"),
            models.Index(fields=["state", "heartbeat_at"], name="job_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} {self.state}"

    @property
    def percent(self) -> int | None:
        if self.state == self.State.DONE:
            return 100
        if not self.total:
            return None
        return min(99, int(self.done * 100 / self.total))

    @property
    def is_active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)
