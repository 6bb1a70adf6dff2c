"""The outbox (one row per outbound message), web notifications and per-user preferences."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """One message to one recipient, written in the transaction of the change that caused it."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        WEB = "web", _("Notifikasi web")
        WEBHOOK = "webhook", _("Webhook")
        WHATSAPP = "whatsapp", _("WhatsApp")
        FANOUT = "fanout", _("Sebaran notifikasi")  # a change's events, expanded by a worker into messages

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        SENDING = "sending", _("Sedang dikirim")
        RETRY = "retry", _("Dicoba lagi")
        SENT = "sent", _("Terkirim")
        DEAD = "dead", _("Gagal permanen")

    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(max_length=500)  # e-mail, +62 phone, user id (web) or URL (webhook)
    payload = models.JSONField(default=dict)
    secret = models.CharField(max_length=200, blank=True)  # webhook signing key; never shown
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    report = models.ForeignKey("reports.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)  # lease of the worker sending it
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.channel} {self.delivery_id} {self.status}"


class WebNotification(models.Model):
    """What a signed-in user sees in their notification list."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="web_notifications")
    report = models.ForeignKey("reports.Report", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    delivery_id = models.UUIDField(unique=True)  # at-least-once delivery stores it once
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="webnotif_user_idx")]


class NotificationPreference(models.Model):
    """Staff choice: every notification at once, or web-only plus one e-mail digest a day."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    daily_digest = models.BooleanField(default=False)
    last_digest_at = models.DateTimeField(null=True, blank=True)


class WhatsAppContact(models.Model):
    """A WhatsApp number and when it last wrote to us: for 24 hours after, free text may be sent to
    it (the customer-service window); outside the window only an approved template."""

    phone = models.CharField(max_length=16, unique=True)  # +62…
    last_inbound_at = models.DateTimeField()


class WhatsAppSent(models.Model):
    """A message the Cloud API accepted (its wamid): a citizen's answer quoting it threads into its report."""

    wamid = models.CharField(max_length=255, unique=True)
    phone = models.CharField(max_length=16)
    report = models.ForeignKey("reports.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    delivery_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
