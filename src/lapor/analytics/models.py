"""Roll-ups for monitoring and evaluation, and the agencies' action plans (rencana aksi).

``StatCell`` is a pre-counted cell: how many reports submitted in ``month`` and visible in
``scope`` have ``dim`` = ``key``. Scopes: ``n`` (national), ``p`` (public: what open data may
show), ``a:<agency id>`` (an agency's whole subtree, by the report's current agency),
``r:<region code>`` (a province or regency). Durations are stored as histograms of whole working
days (dim ``verify_days`` etc.), so medians and percentiles stay exact.
"""
from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
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
        constraints = [models.UniqueConstraint(fields=["scope", "dim", "month", "key"], name="statcell_scope_dim_month_key")]


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
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(progress__lte=100), name="action_plan_progress_0_100")]

    def __str__(self) -> str:
        return self.title
