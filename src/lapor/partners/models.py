"""Systems outside this deployment that send reports in and hear back: partner apps and
federated lapor deployments (peers)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lapor.agencies.models import Agency
from lapor.reports.models import Channel, Report


def secret_new() -> str:
    return secrets.token_urlsafe(32)


class Partner(models.Model):
    """An agency's own complaint app or another channel that submits through the integration API.
    It signs in with an ApiToken of its service user; status changes go back to its webhook."""

    name = models.CharField(max_length=150, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="partner",
        help_text=_("Pengguna layanan; token API-nya dipakai mitra"),
    )
    webhook_url = models.URLField(max_length=500, blank=True)
    webhook_secret = models.CharField(max_length=100, default=secret_new)
    default_channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.PARTNER)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartnerReport(models.Model):
    """A report a partner submitted, with the partner's own reference for it."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="reports")
    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="partner_link")
    external_ref = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["partner", "external_ref"], name="partner_report_ref_idx")]


class Peer(models.Model):
    """Another lapor deployment (a city, the province, the national hub) that shares a secret with us."""

    class Direction(models.TextChoices):
        OUTBOUND = "outbound", _("Kita meneruskan ke sana")
        INBOUND = "inbound", _("Mereka meneruskan ke sini")
        BOTH = "both", _("Dua arah")

    name = models.CharField(max_length=150)
    slug = models.SlugField(
        max_length=60, unique=True, help_text=_("Identitas deployment itu (LAPOR_FEDERATION_ID di sana)")
    )
    base_url = models.URLField(max_length=300, help_text=_("Mis. https://lapor.sumbarprov.go.id"))
    secret = models.CharField(max_length=200, default=secret_new)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.BOTH)
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Instansi lokal (platform/provinsi) yang mewakili deployment itu"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="peer",
        help_text=_("Pelapor tercatat untuk laporan masuk dari peer"),
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def sends_to(self) -> bool:
        return self.direction in (self.Direction.OUTBOUND, self.Direction.BOTH)

    @property
    def receives_from(self) -> bool:
        return self.direction in (self.Direction.INBOUND, self.Direction.BOTH)


class FederationLink(models.Model):
    """One report's journey across deployments.

    outbound: our report was sent to the peer; remote_* mirror its status there.
    inbound: our report came from the peer; remote_tracking_id is the origin's id.
    """

    class Direction(models.TextChoices):
        OUTBOUND = "outbound", _("Diteruskan ke")
        INBOUND = "inbound", _("Diterima dari")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="federation_links")
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="links")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    remote_tracking_id = models.CharField(max_length=20, blank=True)
    reporter_name = models.CharField(max_length=150, blank=True)  # inbound, as the origin told us; never for anonymous
    remote_state = models.CharField(max_length=16, blank=True)
    remote_state_label = models.CharField(max_length=80, blank=True)
    remote_status = models.CharField(max_length=8, blank=True)  # open | closed
    remote_agency = models.CharField(max_length=200, blank=True)
    remote_notes = models.TextField(blank=True)
    remote_sequence = models.BigIntegerField(default=0)  # newest applied remote event id: replays are ignored
    remote_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "peer", "direction"], name="federation_link_unique"),
            models.UniqueConstraint(
                fields=["peer", "direction", "remote_tracking_id"],
                condition=models.Q(direction="inbound"),
                name="federation_inbound_once",
            ),
        ]


class InboundDelivery(models.Model):
    """Delivery ids already accepted from a peer: a redelivered request changes nothing."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="+")
    delivery_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=20)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["peer", "delivery_id"], name="inbound_delivery_once")]
