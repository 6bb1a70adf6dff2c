"""Writes over the agency network."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

from lapor.core.errors import ValidationFailed
from lapor.core.hooks import hook
from lapor.core.paths import depth_of, path_for

from .models import Agency
from .refcache import refcache_changed
from .signals import agency_moved


@transaction.atomic
def agency_move(*, agency: Agency, new_parent: Agency | None) -> Agency:
    """Re-parent an agency and rewrite its whole subtree's paths in one UPDATE; the reports routed
    inside the subtree follow it (the agency_moved signal: reports.services.assignments_follow_agency_move)."""
    if new_parent is not None and new_parent.path.startswith(agency.path):
        raise ValidationFailed(_("Instansi tidak dapat dipindahkan ke bawah dirinya sendiri."))
    old_path = agency.path
    new_path = path_for(new_parent.path if new_parent else None, agency.pk)
    shift = depth_of(new_path) - depth_of(old_path)
    Agency.objects.filter(pk=agency.pk).update(parent=new_parent)
    Agency.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + shift,
    )

    agency_moved.send(sender=Agency, old_path=old_path, new_path=new_path)
    refcache_changed()  # the bulk UPDATE sends no signal
    agency.refresh_from_db()
    return agency


@transaction.atomic
def agency_unit_create(*, parent: Agency, name: str, actor) -> Agency:
    """A work unit (bidang) under an agency the actor administers."""
    hook("agency_admin_required")(actor, parent)  # accounts knows who administers
    name = " ".join((name or "").split())[:200]
    if len(name) < 3:
        raise ValidationFailed(_("Nama unit kerja wajib diisi."), code="required", detail={"field": "name"})
    if Agency.objects.filter(parent=parent, name__iexact=name).exists():
        raise ValidationFailed(
            _("Unit kerja dengan nama ini sudah ada."), code="duplicate_name", detail={"field": "name"}
        )
    unit = Agency(name=name, kind=Agency.Kind.UNIT, parent=parent, region=parent.region, joined_on=parent.joined_on)
    unit.save()
    return unit


@transaction.atomic
def agency_deadlines_set(*, agency: Agency, overrides: dict[str, int | None], actor) -> Agency:
    """Working-day deadline overrides for one agency; None removes an override."""
    hook("agency_admin_required")(actor, agency)
    current = dict(agency.deadline_overrides or {})
    for stage, days in overrides.items():
        if stage not in settings.LAPOR_DEADLINES:  # the stages (reports.deadlines.STAGES)
            raise ValidationFailed(_("Tahap tidak dikenal."), code="unknown_stage", detail={"field": stage})
        if days is None:
            current.pop(stage, None)
        elif not 1 <= int(days) <= 90:
            raise ValidationFailed(
                _("Batas waktu harus antara 1 dan 90 hari kerja."), code="out_of_range", detail={"field": stage}
            )
        else:
            current[stage] = int(days)
    agency.deadline_overrides = current
    agency.save(update_fields=["deadline_overrides"])
    return agency
