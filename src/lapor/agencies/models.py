"""The agency network: administrative regions, the agency tree, topics and routing rules."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lapor.core.paths import depth_of, path_for


class Region(models.Model):
    """A Kemendagri administrative region; the code itself is the materialised path."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Provinsi")
        REGENCY = 2, _("Kabupaten/Kota")
        DISTRICT = 3, _("Kecamatan")
        VILLAGE = 4, _("Kelurahan/Desa")

    code = models.CharField(max_length=13, primary_key=True)  # e.g. 13.74.01.1001
    name = models.CharField(max_length=120)
    level = models.PositiveSmallIntegerField(choices=Level.choices, db_index=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @staticmethod
    def ancestor_codes(code: str) -> list[str]:
        parts = code.split(".")
        return [".".join(parts[: i + 1]) for i in range(len(parts))]

    @staticmethod
    def subtree_q(code: str, field: str = "code") -> Q:
        return Q(**{field: code}) | Q(**{f"{field}__startswith": code + "."})


class Agency(models.Model):
    class Kind(models.TextChoices):
        PLATFORM = "platform", _("Pengelola nasional")
        MINISTRY = "ministry", _("Kementerian")
        AGENCY = "agency", _("Lembaga")
        PROVINCE = "province", _("Pemerintah provinsi")
        REGENCY = "regency", _("Pemerintah kabupaten")
        CITY = "city", _("Pemerintah kota")
        DEPARTMENT = "department", _("Perangkat daerah (OPD/Dinas)")
        DISTRICT = "district", _("Kecamatan")
        VILLAGE = "village", _("Kelurahan/Desa")
        HEALTH_CENTRE = "health_centre", _("Puskesmas")
        HOSPITAL = "hospital", _("Rumah sakit")
        STATE_ENTERPRISE = "state_enterprise", _("BUMN")
        REGIONAL_ENTERPRISE = "regional_enterprise", _("BUMD")
        UNIVERSITY = "university", _("Perguruan tinggi negeri")
        MISSION = "mission", _("Perwakilan di luar negeri")
        UNIT = "unit", _("Unit kerja/bidang")

    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60, blank=True)
    kind = models.CharField(max_length=24, choices=Kind.choices, db_index=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="agencies")
    joined_on = models.DateField(null=True, blank=True, help_text=_("Tanggal terhubung ke jaringan"))
    is_active = models.BooleanField(default=True)
    # Materialised path of ids ("00000001.00000042."): a subtree is one indexed prefix query.
    path = models.CharField(max_length=255, blank=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # Per-agency working-day deadline overrides, e.g. {"follow_up": 7}.
    deadline_overrides = models.JSONField(default=dict, blank=True)
    label: str  # not stored: the picker's name of an agency search result (agencies.api.agency_list)

    class Meta:
        ordering = ["path"]
        verbose_name_plural = "agencies"
        indexes = [
            models.Index(fields=["path"], name="agency_path_idx"),
            models.Index(fields=["kind", "is_active"]),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        expected = path_for(self.parent.path if self.parent_id else None, self.pk)
        if self.path != expected:
            self.path, self.depth = expected, depth_of(expected)
            Agency.objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(seg) for seg in self.path.split(".") if seg]


class Topic(models.Model):
    name = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120, blank=True)
    slug = models.SlugField(max_length=80, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    keywords = models.CharField(max_length=400, blank=True, help_text=_("Kata kunci, dipisah koma"))
    is_active = models.BooleanField(default=True)
    path = models.CharField(max_length=255, blank=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["path"]
        indexes = [models.Index(fields=["path"], name="topic_path_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        expected = path_for(self.parent.path if self.parent_id else None, self.pk)
        if self.path != expected:
            self.path, self.depth = expected, depth_of(expected)
            Topic.objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(seg) for seg in self.path.split(".") if seg]


class RoutingRule(models.Model):
    """(topic, region) -> the agency with authority. The most specific rule wins."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="routing_rules")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.CASCADE, related_name="routing_rules")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="routing_rules")
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "region"], name="routing_rule_unique_topic_region"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} @ {self.region or '*'} -> {self.agency}"
