"""Writes over the agency network."""
from __future__ import annotations

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

from lapor.core.errors import ValidationFailed
from lapor.core.paths import depth_of, path_for

from .models import Agency


@transaction.atomic
def agency_move(*, agency: Agency, new_parent: Agency | None) -> Agency:
    """Re-parent an agency and rewrite its whole subtree's paths in one UPDATE."""
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
    agency.refresh_from_db()
    return agency
