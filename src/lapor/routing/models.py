"""Machine help for triage: flags (spam and abuse), links between reports (duplicate, related)
and clusters of reports about one problem."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lapor.agencies.models import Agency
from lapor.reports.models import Report


class ReportFlag(models.Model):
    """Flag, never drop: a flagged report waits in the triage queue instead of being auto-routed."""

    class Kind(models.TextChoices):
        REPEATED = "repeated", _("Kiriman berulang yang sama")
        FLOOD = "flood", _("Terlalu banyak kiriman dari satu pengirim")
        MEANINGLESS = "meaningless", _("Isi kosong atau tidak bermakna")
        ABUSIVE = "abusive", _("Bahasa kasar")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["resolved_at", "created_at"], name="flag_open_idx")]


class ReportLink(models.Model):
    class Kind(models.TextChoices):
        DUPLICATE = "duplicate", _("Duplikat")
        RELATED = "related", _("Terkait")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="links_out")
    other = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    similarity = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "other"], name="report_link_unique")]


class Cluster(models.Model):
    """Many reports about one problem (a flood, a broken bridge): the agency answers once."""

    title = models.CharField(max_length=200)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="clusters")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reports = models.ManyToManyField(Report, related_name="clusters", blank=True)

    def __str__(self) -> str:
        return self.title
