"""What came in through a gateway: de-duplication records, SMS parts, and the social triage queue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InboundMessage(models.Model):
    """One gateway message id, seen once: a retry gets the first answer back, never a second report."""

    channel = models.CharField(max_length=20)
    external_id = models.CharField(max_length=255)
    report = models.ForeignKey("reports.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "external_id"], name="inbound_channel_external_id")]


class SmsPart(models.Model):
    """One part of a concatenated SMS (UDH reference, part number, total), kept until all arrive."""

    sender = models.CharField(max_length=16)
    ref = models.CharField(max_length=40)
    part = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sender", "ref", "part"], name="smspart_sender_ref_part")]


class SocialAccount(models.Model):
    """A social-media identity; its citizen user is the reporter of what it sends."""

    network = models.CharField(max_length=20)
    handle = models.CharField(max_length=100)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["network", "handle"], name="socialaccount_network_handle")]


class SocialDraft(models.Model):
    """A mention or direct message waiting for staff triage; never public by itself."""

    class Status(models.TextChoices):
        NEW = "new", _("Baru")
        CONVERTED = "converted", _("Dijadikan laporan")
        DISMISSED = "dismissed", _("Diabaikan")

    network = models.CharField(max_length=20)
    kind = models.CharField(max_length=10)  # mention | dm | comment
    post_id = models.CharField(max_length=100)
    author_handle = models.CharField(max_length=100)
    text = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW, db_index=True)
    report = models.ForeignKey("reports.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    dismiss_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["network", "post_id"], name="socialdraft_network_post")]


class WhatsAppConversation(models.Model):
    """The guided flow of a citizen who just writes on WhatsApp: what they said so far (text, photo
    ids, topic, place) and the question asked last. Gone once the report is filed or cancelled."""

    class Step(models.TextChoices):
        BODY = "body", _("Isi laporan")
        TOPIC = "topic", _("Kategori")
        PLACE = "place", _("Lokasi")
        CONFIRM = "confirm", _("Konfirmasi")

    phone = models.CharField(max_length=16, unique=True)
    step = models.CharField(max_length=10, choices=Step.choices)
    draft = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)
