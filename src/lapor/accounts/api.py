"""Accounts over the API: register, sign in for a token, who am I."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from ninja import Status, Router, Schema
from pydantic import Field

from lapor.api.auth import STAFF_AUTH, request_user
from lapor.api.types import EMAIL, PHONE
from lapor.core.errors import PermissionDenied, Unauthenticated, ValidationFailed

from . import services
from .audit import audit_record
from .models import ApiToken, User
from .selectors import user_grants
from .signin import signin_authenticate, signin_failed, signin_succeeded
from .twofactor import twofactor_enrolled, twofactor_required, twofactor_verify

router = Router(tags=["accounts"])


class RegisterIn(Schema):
    full_name: str = Field(
        ..., min_length=2, max_length=150, pattern=r"\S[\s\S]*\S", description="at least two characters besides spaces"
    )
    email: str | None = Field(None, max_length=254, pattern=EMAIL)
    phone: str | None = Field(None, max_length=32, pattern=PHONE, description="Indonesian number: 08…, 62… or +62…")
    password: str = Field(
        ...,
        min_length=8,
        max_length=128,
        pattern=r"[^0-9]",
        description="Django's password rules: 8 characters or more, not only digits, not a "
        "common password, not like the name or e-mail (400 weak_password)",
    )

    # an e-mail address or a phone number, at least one
    model_config = {
        "json_schema_extra": {
            "anyOf": [
                {"required": ["email"], "properties": {"email": {"type": "string"}}},
                {"required": ["phone"], "properties": {"phone": {"type": "string"}}},
            ]
        }
    }


class LoginIn(Schema):
    login: str = Field(..., max_length=254, description="e-mail or phone number")
    password: str = Field(..., max_length=128)
    otp: str | None = Field(None, max_length=32, description="staff: the authenticator code (or a recovery code)")


class TokenOut(Schema):
    token: str


class GrantOut(Schema):
    role: str
    agency_id: int | None


class MeOut(Schema):
    id: int
    full_name: str
    email: str | None
    phone: str | None
    roles: list[GrantOut]


class RegisterOut(Schema):
    code: str
    message: str


REGISTER_SENT = _("Periksa e-mail atau SMS Anda: kami mengirim langkah berikutnya ke kontak yang Anda isi.")


@router.post(
    "/accounts",
    response={202: RegisterOut},
    summary="Register a citizen account (e-mail or phone); the answer is the same whether or not the contact is taken",
)
def account_register(request, payload: RegisterIn):
    # A new account gets an activation link, a taken contact a "you already have an account" message:
    # the caller is told the same thing either way.
    services.account_register(
        full_name=payload.full_name, email=payload.email, phone=payload.phone, password=payload.password
    )
    return Status(202, {"code": "check_contact", "message": str(REGISTER_SENT)})


@router.post(
    "/auth/token",
    response=TokenOut,
    summary="Exchange e-mail/phone and password for an API token",
    openapi_extra={
        "responses": {
            401: {
                "description": "Wrong e-mail/phone or password (invalid_credentials)",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
            }
        }
    },
)
def auth_token(request, payload: LoginIn):
    user = signin_authenticate(request, login=payload.login, password=payload.password)  # LoginLocked: 429
    if user is None:
        raise Unauthenticated(_("E-mail/telepon atau kata sandi salah."), code="invalid_credentials")
    if twofactor_required(user):
        if not twofactor_enrolled(user):
            raise PermissionDenied(
                _("Aktifkan verifikasi dua langkah dengan masuk lewat situs terlebih dahulu."),
                code="otp_enrolment_required",
            )
        if not payload.otp:
            raise ValidationFailed(
                _("Masukkan kode verifikasi dari aplikasi autentikator (kolom otp)."),
                code="otp_required",
                detail={"field": "otp"},
            )
        if not twofactor_verify(user=user, code=payload.otp):
            signin_failed(request, payload.login)
            audit_record(action="login_failed", request=request, detail={"via": "api", "step": "otp"})
            raise ValidationFailed(
                _("Kode verifikasi salah atau sudah dipakai."), code="invalid_otp", detail={"field": "otp"}
            )
    signin_succeeded(request, payload.login)
    _token, raw = ApiToken.issue(user=user, name="api-login")
    return {"token": raw}


def _me(user: User) -> dict:
    return {
        "id": user.pk,
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "roles": [{"role": g.role, "agency_id": g.agency_id} for g in user_grants(user)],
    }


@router.get("/me", response=MeOut, auth=STAFF_AUTH)
def me(request):
    return _me(request_user(request))
