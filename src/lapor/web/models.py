"""The web app's own data: citizens' support ("dukung") for public reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from lapor.reports.models import Report


class Support(models.Model):
    """One "dukung" per account and report (the unique constraint is the rule)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="web_support_one_per_user")]
        indexes = [models.Index(fields=["report"], name="web_support_report_idx")]


class AnswerTemplate(models.Model):
    """A reusable follow-up text an agency keeps for recurring questions; staff of the agency and
    of its units can start a follow-up from it (and must still adapt it to the report)."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="answer_templates")
    title = models.CharField(max_length=120)
    body = models.TextField(max_length=10_000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title
