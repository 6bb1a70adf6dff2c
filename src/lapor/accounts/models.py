"""People, their roles scoped to an agency subtree, and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lapor.agencies.models import Agency

from .phones import phone_normalize

if TYPE_CHECKING:
    from .selectors import Grant


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str | None = None, password: str | None = None, **extra) -> User:
        phone = extra.pop("phone", None)
        user = self.model(
            email=self.normalize_email(email) if email else None,
            phone=phone_normalize(phone) if phone else None,
            **extra,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A citizen or a civil servant. Citizens sign in by e-mail or phone number."""

    email = models.EmailField(unique=True, null=True, blank=True)
    phone = models.CharField(max_length=16, unique=True, null=True, blank=True)
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    language = models.CharField(max_length=5, default="id", choices=[("id", "Bahasa Indonesia"), ("en", "English")])
    notify_by = models.JSONField(default=list, blank=True, help_text=_("Saluran notifikasi: email, sms, web"))
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text=_("Boleh masuk ke Django admin"))
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()
    _lapor_grants: list[Grant]  # selectors.user_grants: read once per request object

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email or self.phone or f"user {self.pk}"

    @property
    def contact(self) -> str:
        return self.email or self.phone or ""


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("Admin Nasional")
    AGENCY_ADMIN = "agency_admin", _("Admin Instansi")
    LIAISON = "liaison", _("Pejabat Penghubung")
    UNIT_STAFF = "unit_staff", _("Staf unit kerja")
    OVERSEER = "overseer", _("Pengawas")


class RoleAssignment(models.Model):
    """A staff role over an agency and its whole subtree (no agency: the whole network)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=20, choices=Role.choices)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="role_assignments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "agency"], name="role_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.agency or 'nasional'}"


class ApiToken(models.Model):
    """A bearer token for staff scripts and partner integrations; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple["ApiToken", str]:
        prefix = secrets.token_hex(4)
        secret = secrets.token_urlsafe(24)
        raw = f"lpr_{prefix}_{secret}"
        token = cls.objects.create(user=user, name=name, prefix=prefix, digest=cls.hash(raw))
        return token, raw


class TwoFactorDevice(models.Model):
    """A staff member's TOTP authenticator (RFC 6238). Confirmed once a first code matched."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="two_factor")
    secret = models.CharField(max_length=64)  # base32; readable by anyone who can read the database
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)  # the last accepted time step: a code works once
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"TOTP {self.user}"


class RecoveryCode(models.Model):
    """A one-time code for a lost phone; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)


class AuditLog(models.Model):
    """Append-only record of privileged actions that are not report events (those live on the
    report): role grants, API tokens, routing rules, triage flags, staff sign-ins, failed logins."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=40, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=200, blank=True)  # kept when the account is deleted
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("audit log entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit log entries are append-only")


class EnrolmentTicket(models.Model):
    """The second proof, beyond the password, that a staff member's first two-factor enrolment
    needs: a one-time link e-mailed to the account (bound to the browser session that passed the
    password step) or a one-time code an administrator issued. Only a hash is stored."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Tautan e-mail")
        ADMIN = "admin", _("Diterbitkan admin")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_tickets")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    digest = models.CharField(max_length=64, unique=True)
    session_digest = models.CharField(max_length=64, blank=True)  # e-mail links: the session that asked
    issued_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.user} {self.created_at:%Y-%m-%d %H:%M}"


class PasswordResetCode(models.Model):
    """A six-digit code sent to a registered citizen's own e-mail or phone to set a new password.
    Only a hash is stored; it works once, for a short time, and for a few tries."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_reset_codes")
    digest = models.CharField(max_length=64)
    channel = models.CharField(max_length=8)  # email | sms
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} {self.channel} {self.created_at:%Y-%m-%d %H:%M}"


class UserSession(models.Model):
    """One signed-in browser of a person, so they can see where they are signed in and end it.

    The Django session row holds the sign-in; this row is its public face: a shortened device, the
    address cut to its /24, when it began and when it was last seen (written at most once every few
    minutes, lapor.accounts.sessions)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    user_agent = models.CharField(max_length=300, blank=True)
    ip_prefix = models.CharField(max_length=45, blank=True)  # already masked: 203.0.113.0/24
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "last_seen_at"], name="user_session_seen_idx")]
