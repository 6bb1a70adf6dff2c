"""Two-factor sign-in for staff: TOTP (any authenticator app) plus one-time recovery codes.

Anyone holding a role (RoleAssignment) must confirm every sign-in with a code when
LAPOR_STAFF_2FA is on (the default; always on with LAPOR_ENV=production). Citizens never do.
API tokens issued by admins are unaffected; POST /api/auth/token asks staff for the ``otp`` field.

Enrolment: the password alone never lets anyone bind an authenticator. The first enrolment needs a
second proof: a one-time link e-mailed to the account (usable only in the browser session that
passed the password step) or a one-time code issued by an administrator (``lapor totp issue``, the
Django admin). Each attempt then gets its own secret, kept in that session for ENROL_SECRET_SECONDS;
the device row is written only when a first code confirms it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from datetime import timedelta

import pyotp
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from lapor.core.hooks import hook

from .audit import audit_record
from .models import EnrolmentTicket, RecoveryCode, TwoFactorDevice, User
from .selectors import user_is_staff

ISSUER = "LAPOR"
RECOVERY_CODES = 10
STEP_SECONDS = 30
ENROL_SECRET_SECONDS = 600  # one enrolment attempt's secret, kept in its session
ENROL_LINK_SECONDS = 1800  # the e-mailed enrolment link
ADMIN_TICKET_SECONDS = 3 * 24 * 3600  # an enrolment code issued by an administrator


def twofactor_required(user: User | None) -> bool:
    return bool(settings.LAPOR_STAFF_2FA) and user_is_staff(user)


def twofactor_enrolled(user: User) -> bool:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def enrol_secret_new() -> str:
    """A fresh secret for one enrolment attempt. It lives in that attempt's session (never on the
    user row) until a first code confirms it, so no other session ever sees it."""
    return pyotp.random_base32(32)


def otpauth_uri(*, user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.contact or str(user.pk), issuer_name=ISSUER)


def otpauth_qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code (no image files, no external service)."""
    try:
        import qrcode  # heavy: qrcode (and lxml) only when drawing an enrolment QR code
        import qrcode.image.svg  # heavy: qrcode (and lxml) only when drawing an enrolment QR code
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
def twofactor_enrol_confirm(*, user: User, secret: str, code: str) -> list[str] | None:
    """Confirm this attempt's secret with a first code: the device is stored only now. Returns the
    recovery codes, or None (wrong code, no secret, or a device confirmed meanwhile)."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # one confirmation at a time
    if not secret or TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists():
        return None
    step = _matching_step(secret, code)
    if step is None:
        return None
    TwoFactorDevice.objects.update_or_create(
        user=user, defaults={"secret": secret, "confirmed_at": timezone.now(), "last_step": step}
    )

    audit_record(action="twofactor_enrol", actor=user, target=user)
    return recovery_codes_issue(user=user)


def _ticket_digest(raw: str) -> str:
    normal = "".join(ch for ch in (raw or "").lower() if ch.isalnum() or ch in "-_")
    return hashlib.sha256(f"lapor-enrol:{normal}".encode()).hexdigest()


def session_digest(nonce: str) -> str:
    return hashlib.sha256(f"lapor-enrol-session:{nonce}".encode()).hexdigest()


def email_mask(email: str) -> str:
    local, _sep, domain = (email or "").partition("@")
    return f"{local[:1]}***@{domain}" if domain else ""


@transaction.atomic
def enrolment_link_send(*, user: User, nonce: str) -> bool:
    """E-mail the account a one-time enrolment link, valid only in the session holding ``nonce``
    (the browser that passed the password step) for ENROL_LINK_SECONDS. False: no e-mail address."""
    outbox_enqueue = hook("outbox_enqueue")  # notifications' outbox: a higher room, asked by name

    if not user.email:
        return False
    raw = secrets.token_urlsafe(32)
    EnrolmentTicket.objects.create(
        user=user,
        kind=EnrolmentTicket.Kind.EMAIL,
        digest=_ticket_digest(raw),
        session_digest=session_digest(nonce),
        expires_at=timezone.now() + timedelta(seconds=ENROL_LINK_SECONDS),
    )
    link = f"{settings.LAPOR_PUBLIC_URL.rstrip('/')}/masuk/aktifkan/tautan/{raw}/"
    with override(user.language or "id"):
        subject = _("Aktifkan verifikasi dua langkah LAPOR")
        body = _(
            "Seseorang (semoga Anda) masuk ke akun petugas LAPOR Anda dengan kata sandi yang benar dan ingin "
            "mengaktifkan verifikasi dua langkah. Buka tautan ini di peramban yang sama dalam %(minutes)s "
            "menit:\n\n%(link)s\n\nBukan Anda? Jangan buka tautan ini, segera ganti kata sandi Anda dan "
            "hubungi admin."
        ) % {"minutes": ENROL_LINK_SECONDS // 60, "link": link}
    outbox_enqueue(channel="email", recipient=user.email, payload={"subject": str(subject), "body": str(body)})

    audit_record(action="twofactor_enrol_link", actor=user, target=user)
    return True


@transaction.atomic
def enrolment_ticket_issue(*, user: User, issued_by: User | None = None) -> str:
    """A one-time enrolment code an administrator hands to a staff member (valid for
    ADMIN_TICKET_SECONDS): with it and the password, the person may enrol an authenticator."""
    raw = "-".join(secrets.token_hex(3) for _ in range(3))
    EnrolmentTicket.objects.create(
        user=user,
        kind=EnrolmentTicket.Kind.ADMIN,
        digest=_ticket_digest(raw),
        issued_by=issued_by,
        expires_at=timezone.now() + timedelta(seconds=ADMIN_TICKET_SECONDS),
    )

    audit_record(action="twofactor_enrol_issue", actor=issued_by, target=user)
    return raw


@transaction.atomic
def enrolment_ticket_redeem(*, user: User, raw: str, nonce: str, kind: str) -> bool:
    """Spend a ticket of ``kind`` for this user: unexpired, unused and, for an e-mailed link, asked
    for by this very session. Wrong, spent and foreign tickets all answer False alike."""
    if not raw:
        return False
    ticket = (
        EnrolmentTicket.objects.select_for_update()
        .filter(digest=_ticket_digest(raw), user=user, kind=kind, used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if ticket is None:
        return False
    if kind == EnrolmentTicket.Kind.EMAIL and not hmac.compare_digest(ticket.session_digest, session_digest(nonce)):
        return False
    ticket.used_at = timezone.now()
    ticket.save(update_fields=["used_at"])

    audit_record(action="twofactor_enrol_proof", actor=user, target=user, detail={"via": kind})
    return True


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
        used_at=timezone.now()
    )
    if spent:
        audit_record(action="recovery_code_used", actor=user, target=user)
    return bool(spent)


@transaction.atomic
def twofactor_reset(*, user: User) -> None:
    """A lost phone with no recovery codes left: an admin removes the device; the staff member
    enrols again at the next sign-in."""
    TwoFactorDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()

    audit_record(action="twofactor_reset", target=user)


@transaction.atomic
def recovery_codes_renew(*, user: User, code: str) -> list[str] | None:
    """A staff member's own new recovery codes, after a fresh code from their authenticator (or a
    recovery code); the old ones stop working. None when the code is wrong. Audited."""
    if not twofactor_verify(user=user, code=code):
        return None
    codes = recovery_codes_issue(user=user)

    audit_record(action="recovery_codes_renewed", actor=user, target=user)
    return codes
