from django.db import models
from django.utils import timezone


class Ping(models.Model):
    """One row per request of the bare endpoint."""

    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=100, blank=True)
