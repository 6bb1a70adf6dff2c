"""Writes on accounts. One place for the registration rules the API and the web form share."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import override

from lapor.core.errors import ValidationFailed
from lapor.core.hooks import hook

from .audit import audit_record
from .models import RoleAssignment, User
from .phones import phone_normalize
from .selectors import user_require_agency_admin


class _ActivationTokens(PasswordResetTokenGenerator):
    """A link that activates a new account once: it stops working when the account is activated
    (is_active and last_login are in the hash) and after PASSWORD_RESET_TIMEOUT."""

    key_salt = "lapor.accounts.activation"

    def _make_hash_value(self, user, timestamp):
        login = "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None)
        return f"{user.pk}{user.password}{login}{timestamp}{user.is_active}{user.email}{user.phone}"


activation_tokens = _ActivationTokens()


def _public_url() -> str:
    return settings.LAPOR_PUBLIC_URL.rstrip("/")


def _send(*, user_email: str | None, user_phone: str | None, subject: str, body: str, sms: str) -> None:
    outbox_enqueue = hook("outbox_enqueue")  # notifications' outbox: a higher room, asked by name

    if user_email:
        outbox_enqueue(channel="email", recipient=user_email, payload={"subject": subject, "body": body})
    elif user_phone:
        outbox_enqueue(channel="sms", recipient=user_phone, payload={"text": sms})


def _activation_send(user: User) -> None:
    uid = urlsafe_base64_encode(str(user.pk).encode())
    link = f"{_public_url()}/daftar/aktifkan/{uid}/{activation_tokens.make_token(user)}/"
    _send(
        user_email=user.email,
        user_phone=user.phone if not user.email else None,
        subject=_("Selesaikan pendaftaran LAPOR Anda"),
        body=_(
            "Terima kasih telah mendaftar di LAPOR. Buka tautan ini untuk mengaktifkan akun Anda:\n\n%(link)s\n\n"
            "Bukan Anda yang mendaftar? Abaikan pesan ini."
        )
        % {"link": link},
        sms=_("LAPOR: aktifkan akun Anda di %(link)s") % {"link": link},
    )


def _already_registered_send(*, email: str | None, phone: str | None) -> None:
    """Told to the existing account's own contact, never to the person who typed it."""
    link = f"{_public_url()}/masuk/"
    owners = list(User.objects.filter(email__iexact=email)) if email else []
    owners += [u for u in (User.objects.filter(phone=phone) if phone else []) if u not in owners]
    for user in owners:
        by_email = bool(email and (user.email or "").lower() == email)
        with override(user.language or "id"):
            _send(
                user_email=user.email if by_email else None,
                user_phone=None if by_email else user.phone,
                subject=_("Anda sudah punya akun LAPOR"),
                body=_(
                    "Seseorang mencoba mendaftar di LAPOR dengan kontak ini, padahal akun dengan kontak ini sudah "
                    "ada. Jika itu Anda, masuk di %(link)s (lupa kata sandi? hubungi layanan LAPOR). Bukan Anda? "
                    "Abaikan pesan ini; akun Anda tidak berubah."
                )
                % {"link": link},
                sms=_("LAPOR: kontak ini sudah punya akun. Masuk di %(link)s. Bukan Anda? Abaikan.") % {"link": link},
            )


def account_register(*, full_name: str, email: str | None, phone: str | None, password: str) -> User | None:
    """A citizen account identified by e-mail or phone (at least one). Raises ValidationFailed
    (detail {"field": …}) for bad input only. The answer never tells whether the contact is already
    registered: a new account is created inactive and its activation link sent to the contact; a
    taken contact instead gets "you already have an account". Either way the caller says "check your
    e-mail/SMS". Returns the new account, or None (taken) — callers must not show the difference."""
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
    if email:
        try:
            validate_email(email)
        except DjangoValidationError as exc:
            raise ValidationFailed(
                _("Alamat e-mail tidak valid."), code="invalid_email", detail={"field": "email"}
            ) from exc
    try:  # checked before anything else is looked up: a weak password answers alike for every contact
        validate_password(password, User(full_name=full_name, email=email))
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), code="weak_password", detail={"field": "password"}) from exc
    taken = (email and User.objects.filter(email__iexact=email).exists()) or (
        phone_value and User.objects.filter(phone=phone_value).exists()
    )
    if not taken:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=email, phone=phone_value, password=password, full_name=full_name, is_active=False
                )
                _activation_send(user)
                return user
        except IntegrityError:  # registered a moment ago by a parallel request
            pass
    make_password(password)  # the same hashing cost as a new account: no answer by timing
    with transaction.atomic():
        _already_registered_send(email=email, phone=phone_value)
    return None


@transaction.atomic
def account_activate(*, uidb64: str, token: str) -> User | None:
    """Activate a new account from its link (once); None for a wrong, used or expired link."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    user = User.objects.select_for_update().filter(pk=pk, is_active=False, last_login__isnull=True).first()
    if user is None or not activation_tokens.check_token(user, token):
        return None
    user.is_active = True
    user.save(update_fields=["is_active"])

    audit_record(action="account_activate", actor=user, target=user)
    return user


ASSIGNABLE = {"agency_admin", "liaison", "unit_staff"}


@transaction.atomic
def role_grant(*, actor: User, email: str, role: str, agency) -> RoleAssignment:
    """An agency admin gives a registered person a staff role inside the admin's own subtree."""
    user_require_agency_admin(actor, agency)
    if role not in ASSIGNABLE:
        raise ValidationFailed(_("Peran tidak dapat diberikan di sini."), code="invalid_role", detail={"field": "role"})
    user = User.objects.filter(email__iexact=(email or "").strip()).first()
    if user is None:
        raise ValidationFailed(
            _("Belum ada akun dengan e-mail ini; minta yang bersangkutan mendaftar dulu."),
            code="unknown_user",
            detail={"field": "email"},
        )
    assignment, _created = RoleAssignment.objects.get_or_create(user=user, role=role, agency=agency)
    return assignment


@transaction.atomic
def role_revoke(*, actor: User, assignment) -> None:
    if assignment.agency is None:
        raise ValidationFailed(_("Peran nasional hanya diubah oleh Admin Nasional."), code="national_role")
    user_require_agency_admin(actor, assignment.agency)
    if assignment.user_id == actor.pk and assignment.role == "agency_admin":
        raise ValidationFailed(_("Anda tidak dapat mencabut peran admin Anda sendiri."), code="self_revoke")
    assignment.delete()
