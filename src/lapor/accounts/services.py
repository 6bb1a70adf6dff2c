"""Writes on accounts. One place for the registration rules the API and the web form share."""
from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lapor.core.errors import Conflict, ValidationFailed

from .models import RoleAssignment, User
from .phones import phone_normalize


def account_register(*, full_name: str, email: str | None, phone: str | None, password: str) -> User:
    """A citizen account identified by e-mail or phone (at least one). Raises ValidationFailed
    (detail {"field": …}) or Conflict (already registered)."""
    full_name = (full_name or "").strip()
    if len(full_name) < 2:
        raise ValidationFailed(_("Nama lengkap wajib diisi."), code="required", detail={"field": "full_name"})
    email = (email or "").strip().lower() or None
    phone_raw = (phone or "").strip()
    phone_value = phone_normalize(phone_raw) if phone_raw else None
    if phone_raw and phone_value is None:
        raise ValidationFailed(_("Nomor telepon tidak valid."), code="invalid_phone", detail={"field": "phone"})
    if not email and not phone_value:
        raise ValidationFailed(_("Isi e-mail atau nomor telepon."), code="contact_required", detail={"field": "email"})
    if email and User.objects.filter(email__iexact=email).exists():
        raise Conflict(_("E-mail ini sudah terdaftar."), code="account_exists", detail={"field": "email"})
    if phone_value and User.objects.filter(phone=phone_value).exists():
        raise Conflict(_("Nomor telepon ini sudah terdaftar."), code="account_exists", detail={"field": "phone"})
    try:
        validate_password(password, User(full_name=full_name, email=email))
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), code="weak_password", detail={"field": "password"}) from exc
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, phone=phone_value, password=password, full_name=full_name)
    except IntegrityError as exc:  # registered a moment ago by a parallel request
        raise Conflict(_("E-mail atau nomor telepon sudah terdaftar."), code="account_exists") from exc


ASSIGNABLE = {"agency_admin", "liaison", "unit_staff"}


@transaction.atomic
def role_grant(*, actor: User, email: str, role: str, agency) -> RoleAssignment:
    """An agency admin gives a registered person a staff role inside the admin's own subtree."""
    from lapor.agencies.services import _require_agency_admin

    _require_agency_admin(actor, agency)
    if role not in ASSIGNABLE:
        raise ValidationFailed(_("Peran tidak dapat diberikan di sini."), code="invalid_role", detail={"field": "role"})
    user = User.objects.filter(email__iexact=(email or "").strip()).first()
    if user is None:
        raise ValidationFailed(_("Belum ada akun dengan e-mail ini; minta yang bersangkutan mendaftar dulu."),
                               code="unknown_user", detail={"field": "email"})
    assignment, _created = RoleAssignment.objects.get_or_create(user=user, role=role, agency=agency)
    return assignment


@transaction.atomic
def role_revoke(*, actor: User, assignment) -> None:
    from lapor.agencies.services import _require_agency_admin

    if assignment.agency is None:
        raise ValidationFailed(_("Peran nasional hanya diubah oleh Admin Nasional."), code="national_role")
    _require_agency_admin(actor, assignment.agency)
    if assignment.user_id == actor.pk and assignment.role == "agency_admin":
        raise ValidationFailed(_("Anda tidak dapat mencabut peran admin Anda sendiri."), code="self_revoke")
    assignment.delete()
