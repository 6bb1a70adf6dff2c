"""Lupa kata sandi: a registered citizen sets a new password with a code sent to their own e-mail
or phone. The request answers alike whether or not the contact is registered; a code works once,
for ``CODE_MINUTES``, for ``CODE_TRIES`` tries; at most ``CODES_PER_HOUR`` codes per account
(the sign-in rate limit also counts these pages per source: core/ratelimit.py, bucket "login")."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from lapor.core.errors import ValidationFailed
from lapor.core.hooks import hook

from .audit import audit_record
from .models import PasswordResetCode, User
from .phones import phone_normalize

CODE_MINUTES = 15
CODE_TRIES = 5
CODES_PER_HOUR = 3


def _digest(user: User, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"reset:{user.pk}:{code}".encode(), hashlib.sha256).hexdigest()


def account_for_login(login: str) -> User | None:
    """The active account whose e-mail or phone this is (what the sign-in form accepts)."""
    login = (login or "").strip()
    if not login:
        return None
    if "@" in login:
        return User.objects.filter(email__iexact=login, is_active=True).first()
    phone = phone_normalize(login)
    return User.objects.filter(phone=phone, is_active=True).first() if phone else None


@transaction.atomic
def password_reset_request(*, login: str, now: dt.datetime | None = None) -> None:
    """Send a code to the account's own contact (the one typed: e-mail, else its phone by SMS).
    Silent when there is no such account or the hourly allowance is spent: the page says the same."""
    outbox_enqueue = hook("outbox_enqueue")  # notifications' outbox: a higher room, asked by name
    now = now or timezone.now()
    user = account_for_login(login)
    if user is None:
        return
    user = User.objects.select_for_update().get(pk=user.pk)  # one request at a time per account
    if (
        PasswordResetCode.objects.filter(user=user, created_at__gte=now - dt.timedelta(hours=1)).count()
        >= CODES_PER_HOUR
    ):
        return
    by_email = "@" in login and bool(user.email)
    recipient = user.email if by_email else user.phone
    assert recipient, "an account found by its phone has one"
    code = f"{secrets.randbelow(10**6):06d}"
    PasswordResetCode.objects.filter(user=user, used_at__isnull=True).update(used_at=now)  # one live code
    PasswordResetCode.objects.create(
        user=user,
        digest=_digest(user, code),
        channel="email" if by_email else "sms",
        created_at=now,
        expires_at=now + dt.timedelta(minutes=CODE_MINUTES),
    )
    with override(user.language or "id"):
        if by_email:
            outbox_enqueue(
                channel="email",
                recipient=recipient,
                payload={
                    "subject": _("Kode untuk mengatur ulang kata sandi LAPOR"),
                    "body": _(
                        "Kode Anda: %(code)s\n\nMasukkan kode ini di halaman Lupa kata sandi dalam %(minutes)d menit. "
                        "Bukan Anda yang meminta? Abaikan pesan ini; kata sandi Anda tidak berubah."
                    )
                    % {"code": code, "minutes": CODE_MINUTES},
                },
            )
        else:
            outbox_enqueue(
                channel="sms",
                recipient=recipient,
                payload={
                    "text": _(
                        "LAPOR: kode atur ulang kata sandi %(code)s (berlaku %(minutes)d menit). Bukan Anda? Abaikan."
                    )
                    % {"code": code, "minutes": CODE_MINUTES}
                },
            )
    audit_record(
        action="password_reset_request", actor=None, target=user, detail={"channel": "email" if by_email else "sms"}
    )


def _wrong() -> ValidationFailed:
    return ValidationFailed(
        _("Kode salah atau sudah tidak berlaku. Minta kode baru bila perlu."),
        code="invalid_code",
        detail={"field": "code"},
    )


def password_reset_confirm(*, login: str, code: str, password: str, now: dt.datetime | None = None) -> User:
    """Set the new password when the code is right. Each try is claimed first with a conditional
    UPDATE (committed on its own, so a wrong guess counts even though this call then fails, and
    parallel guesses cannot exceed ``CODE_TRIES``)."""
    now = now or timezone.now()
    user = account_for_login(login)
    entry = None
    if user is not None:
        entry = (
            PasswordResetCode.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
    if (
        user is None
        or entry is None
        or not PasswordResetCode.objects.filter(pk=entry.pk, used_at__isnull=True, attempts__lt=CODE_TRIES).update(
            attempts=F("attempts") + 1
        )
    ):
        raise _wrong()
    if not hmac.compare_digest(entry.digest, _digest(user, "".join(ch for ch in (code or "") if ch.isdigit()))):
        raise _wrong()
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), code="weak_password", detail={"field": "password"}) from exc
    with transaction.atomic():
        if not PasswordResetCode.objects.filter(pk=entry.pk, used_at__isnull=True).update(used_at=now):
            raise _wrong()  # used a moment ago by a parallel request
        user.set_password(password)
        user.save(update_fields=["password"])  # every other session of the account ends (session auth hash)
        audit_record(action="password_reset", actor=user, target=user)
    return user
