"""Two-factor sign-in for staff: TOTP (any authenticator app) plus one-time recovery codes.

Anyone holding a role (RoleAssignment) must confirm every sign-in with a code when
LAPOR_STAFF_2FA is on (the default; always on with LAPOR_ENV=production). Citizens never do.
API tokens issued by admins are unaffected; POST /api/auth/token asks staff for the ``otp`` field.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

import pyotp
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import RecoveryCode, TwoFactorDevice, User
from .selectors import user_is_staff

ISSUER = "LAPOR"
RECOVERY_CODES = 10
STEP_SECONDS = 30


def twofactor_required(user: User | None) -> bool:
    return bool(getattr(settings, "LAPOR_STAFF_2FA", True)) and user_is_staff(user)


def twofactor_device(user: User) -> TwoFactorDevice | None:
    return TwoFactorDevice.objects.filter(user=user).first()


def twofactor_enrolled(user: User) -> bool:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


@transaction.atomic
def twofactor_enrol_start(*, user: User) -> TwoFactorDevice:
    """The pending device (a fresh secret), unless one is already confirmed."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.confirmed_at is not None:
        return device
    if device is None:
        device = TwoFactorDevice.objects.create(user=user, secret=pyotp.random_base32(32))
    return device


def otpauth_uri(device: TwoFactorDevice) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(name=device.user.contact or str(device.user.pk),
                                                      issuer_name=ISSUER)


def otpauth_qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code (no image files, no external service)."""
    try:
        import qrcode
        import qrcode.image.svg
    except ImportError:  # optional: the secret is shown as text anyway
        return ""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    return re.sub(r'width="[^"]+" height="[^"]+"', 'width="220" height="220" role="img"', svg, count=1)


def _matching_step(secret: str, code: str, *, at: float | None = None) -> int | None:
    """The time step a 6-digit code belongs to (one step of clock drift either way), or None."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = at if at is not None else time.time()
    step = int(now // STEP_SECONDS)
    for candidate in (step, step - 1, step + 1):
        if hmac.compare_digest(totp.at(candidate * STEP_SECONDS), code):
            return candidate
    return None


def _recovery_digest(code: str) -> str:
    normal = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(f"lapor-recovery:{normal}".encode()).hexdigest()


@transaction.atomic
def recovery_codes_issue(*, user: User) -> list[str]:
    """New recovery codes (the old ones stop working); shown once, stored hashed."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = ["-".join(secrets.token_hex(3) for _ in range(2)) for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, digest=_recovery_digest(c)) for c in codes)
    return codes


@transaction.atomic
def twofactor_enrol_confirm(*, user: User, code: str) -> list[str] | None:
    """Confirm the pending device with a first code; returns the recovery codes, or None."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        return None
    step = _matching_step(device.secret, code)
    if step is None:
        return None
    device.confirmed_at, device.last_step = timezone.now(), step
    device.save(update_fields=["confirmed_at", "last_step"])
    from .audit import audit_record

    audit_record(action="twofactor_enrol", actor=user, target=user)
    return recovery_codes_issue(user=user)


@transaction.atomic
def twofactor_verify(*, user: User, code: str) -> bool:
    """A TOTP code (each accepted once) or an unused recovery code (then spent)."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    if device is None or not code:
        return False
    step = _matching_step(device.secret, code)
    if step is not None:
        if step <= device.last_step:  # replayed: the code was already used
            return False
        TwoFactorDevice.objects.filter(pk=device.pk).update(last_step=step)
        return True
    spent = RecoveryCode.objects.filter(user=user, digest=_recovery_digest(code), used_at__isnull=True).update(
        used_at=timezone.now())
    if spent:
        from .audit import audit_record

        audit_record(action="recovery_code_used", actor=user, target=user)
    return bool(spent)


@transaction.atomic
def twofactor_reset(*, user: User) -> None:
    """A lost phone with no recovery codes left: an admin removes the device; the staff member
    enrols again at the next sign-in."""
    TwoFactorDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    from .audit import audit_record

    audit_record(action="twofactor_reset", target=user)
