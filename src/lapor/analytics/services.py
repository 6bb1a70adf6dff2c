"""Writes of the analytics app: action plans (rencana aksi)."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from lapor.accounts.models import Role, User
from lapor.accounts.selectors import user_roles_for
from lapor.agencies.models import Agency, Topic
from lapor.core.errors import NotFound, PermissionDenied, ValidationFailed

from .models import ActionPlan

EDITOR_ROLES = {Role.PLATFORM_ADMIN, Role.AGENCY_ADMIN}


def _may_edit(user: User | None, agency: Agency) -> None:
    if not user_roles_for(user, agency.path) & EDITOR_ROLES:
        raise PermissionDenied(_("Hanya admin instansi yang dapat mengelola rencana aksi instansi ini."))


def _validate(*, title: str, owner: str, progress: int, status: str) -> None:
    if not title.strip() or len(title) > 200:
        raise ValidationFailed(_("Judul wajib diisi (paling panjang 200 karakter)."), code="invalid_title")
    if not owner.strip() or len(owner) > 150:
        raise ValidationFailed(_("Penanggung jawab wajib diisi."), code="invalid_owner")
    if not 0 <= progress <= 100:
        raise ValidationFailed(_("Kemajuan harus 0–100%."), code="invalid_progress")
    if status not in ActionPlan.Status.values:
        raise ValidationFailed(_("Status rencana aksi tidak dikenal."), code="invalid_status")


@transaction.atomic
def action_plan_create(*, user: User | None, agency_id: int, topic_id: int | None, title: str, owner: str,
                       due_date: dt.date, progress: int = 0, status: str = ActionPlan.Status.PLANNED) -> ActionPlan:
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise NotFound(_("Instansi tidak ditemukan."))
    _may_edit(user, agency)
    if topic_id is not None and not Topic.objects.filter(pk=topic_id).exists():
        raise ValidationFailed(_("Topik tidak dikenal."), code="invalid_topic")
    _validate(title=title, owner=owner, progress=progress, status=status)
    return ActionPlan.objects.create(agency=agency, topic_id=topic_id, title=title.strip(), owner=owner.strip(),
                                     due_date=due_date, progress=progress, status=status, created_by=user)


@transaction.atomic
def action_plan_update(*, user: User | None, plan_id: int, **changes) -> ActionPlan:
    plan = ActionPlan.objects.select_for_update().select_related("agency").filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("Rencana aksi tidak ditemukan."))
    _may_edit(user, plan.agency)
    for field in ("title", "owner", "due_date", "progress", "status"):
        if changes.get(field) is not None:
            setattr(plan, field, changes[field])
    _validate(title=plan.title, owner=plan.owner, progress=plan.progress, status=plan.status)
    plan.save()
    return plan
