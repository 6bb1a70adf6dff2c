"""The first platform operator of a production deployment, and their one-time enrolment link.

``lapor setup`` creates the operator (Admin Nasional) from an e-mail address, with no password, and
prints a link under ``LAPOR_PUBLIC_URL``. Opening it, the operator chooses a password; staff then
enrol an authenticator app (two-factor sign-in is required in production) and are signed in.

The link is a signed token (HMAC with ``SECRET_KEY``) holding the account, an expiry time and a
digest of the account's sign-in state (password hash, last sign-in, e-mail, active flag). Setting the
password changes that state, so the link works once: every link issued for the account stops working
together, without a table of issued links. Opening the link (GET) changes nothing: mail scanners that
fetch links do not spend it.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from lapor.core.errors import Conflict, ValidationFailed

from .audit import audit_record
from .models import Role, RoleAssignment, User

SALT = "lapor.accounts.enrolment"
DEFAULT_HOURS = 24


class EnrolmentLinkInvalid(ValidationFailed):
    code = "enrolment_link_invalid"

    def __init__(self):
        super().__init__(
            _(
                "Tautan aktivasi ini tidak berlaku: sudah dipakai, kedaluwarsa, atau tidak lengkap. "
                "Minta tautan baru kepada pengelola platform."
            )
        )


def _state(user: User) -> str:
    value = f"{user.pk}|{user.password}|{user.last_login}|{user.email}|{user.is_active}"
    return salted_hmac(SALT, value).hexdigest()[:24]


def enrolment_token(user: User, *, hours: float = DEFAULT_HOURS) -> str:
    return signing.dumps({"u": user.pk, "x": int(time.time() + hours * 3600), "s": _state(user)}, salt=SALT)


def enrolment_url(token: str) -> str:
    base = str(settings.LAPOR_PUBLIC_URL).rstrip("/")
    return base + reverse("web:enrol", args=[token])


def _payload(token: str) -> dict | None:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("x"), int):
        return None
    return data if data["x"] >= time.time() else None


def enrolment_user(token: str) -> User | None:
    """The account a link is for, while the link is valid (unused, unexpired); None otherwise."""
    data = _payload(token)
    if data is None:
        return None
    user = User.objects.filter(pk=data["u"], is_active=True).first()
    return user if user is not None and _state(user) == data.get("s") else None


@transaction.atomic
def enrolment_complete(*, token: str, password: str, password_again: str) -> User:
    """Set the password through a valid link (which then stops working). The row is locked, so two
    submissions of the same link cannot both succeed."""
    data = _payload(token)
    user = User.objects.select_for_update().filter(pk=data["u"], is_active=True).first() if data is not None else None
    if user is None or data is None or _state(user) != data.get("s"):
        raise EnrolmentLinkInvalid()
    if password != password_again:
        raise ValidationFailed(
            _("Kedua kata sandi tidak sama."), code="password_mismatch", detail={"field": "password_again"}
        )
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), code="weak_password", detail={"field": "password"}) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(action="enrolment_complete", actor=user, target=user)
    return user


def operators() -> list[User]:
    return list(
        User.objects.filter(role_assignments__role=Role.PLATFORM_ADMIN, role_assignments__agency=None)
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def operator_create(*, email: str, full_name: str = "Admin Nasional", add: bool = False) -> tuple[User, bool]:
    """The platform operator (Admin Nasional, whole network, Django admin) for ``email``, without a
    password. Idempotent: the same e-mail again returns the existing operator (created False). A
    different e-mail while an operator exists is refused unless ``add``."""
    email = User.objects.normalize_email((email or "").strip()).lower()
    if "@" not in email or len(email) > 254:
        raise ValidationFailed(_("Alamat e-mail tidak valid."), code="invalid_email", detail={"field": "email"})
    existing = operators()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and user in existing:
        return user, False
    if existing and not add:
        raise Conflict(
            _(
                "Platform ini sudah punya pengelola (%(emails)s). Tambahkan --add-operator untuk "
                "menambah pengelola lain."
            )
            % {"emails": ", ".join(u.email or str(u.pk) for u in existing)},
            code="operator_exists",
        )
    created = user is None
    if user is None:
        user = User.objects.create_user(email=email, full_name=full_name, is_staff=True, is_superuser=True)
    else:
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    RoleAssignment.objects.get_or_create(user=user, role=Role.PLATFORM_ADMIN, agency=None)  # audited (role_grant)
    audit_record(action="operator_create", target=user, detail={"via": "lapor setup", "new_account": created})
    return user, True
