"""Setting up partner systems and peer deployments (issue 20: from the web, not only the Django
admin or the shell). Platform operators only; every change is audited (accounts.audit).

Secrets (a partner's API key and webhook secret, a peer's shared secret) are returned once, by the
service that made them, and never read back out: pages show them masked (``secret_masked``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_slug
from django.db import transaction
from django.utils.translation import gettext as _

from lapor.accounts.audit import audit_record
from lapor.accounts.models import ApiToken, User
from lapor.accounts.selectors import user_is_platform_admin
from lapor.agencies.models import Agency
from lapor.core.addresses import address_refusal
from lapor.core.errors import NotFound, PermissionDenied, ValidationFailed
from lapor.reports.models import Channel

from .models import Partner, Peer, secret_new

PARTNER_CHANNELS = (Channel.PARTNER, Channel.API, Channel.MOBILE)
PEER_AGENCY_KINDS = (Agency.Kind.PLATFORM, Agency.Kind.PROVINCE)


def secret_masked(secret: str) -> str:
    """The last four characters only: enough to tell two secrets apart, useless to an onlooker."""
    return "••••••" + secret[-4:] if secret else ""


def setup_require(actor: User) -> None:
    if not user_is_platform_admin(actor):
        raise PermissionDenied(_("Hanya Admin Nasional yang dapat mengatur sistem mitra dan federasi."))


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code="invalid_setup", detail={"field": field})


def _url_clean(field: str, value: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        URLValidator(schemes=["https", "http"])(value)
    except DjangoValidationError:
        raise _invalid(field, _("Masukkan alamat web lengkap, mis. https://contoh.go.id/webhook.")) from None
    if len(value) > limit:
        raise _invalid(field, _("Alamat terlalu panjang (paling banyak %(n)d karakter).") % {"n": limit})
    refusal = address_refusal(value)  # https only, never an internal address (lapor.core.addresses)
    if refusal:
        raise _invalid(field, refusal)
    return value


def _name_clean(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise _invalid("name", _("Nama wajib diisi."))
    return name[:150]


# --- Partner systems ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerSecrets:
    """What is shown once, right after it was made; empty where nothing new was made."""

    partner: Partner
    api_key: str = ""
    webhook_secret: str = ""


def _partner_name_clean(name: str, exclude: int | None) -> str:
    name = _name_clean(name)
    if Partner.objects.filter(name__iexact=name).exclude(pk=exclude).exists():
        raise _invalid("name", _("Sudah ada sistem mitra dengan nama ini."))
    return name


def partner_fields_problems(
    *, name: str, webhook_url: str, default_channel: str, exclude: int | None = None
) -> list[dict]:
    """Every problem with a partner's fields at once, as ``{"field", "message"}``."""
    problems = []
    for field, clean in (
        ("name", lambda: _partner_name_clean(name, exclude)),
        ("webhook_url", lambda: _url_clean("webhook_url", webhook_url, 500)),
    ):
        try:
            clean()
        except ValidationFailed as exc:
            problems.append({"field": field, "message": exc.message})
    if default_channel not in PARTNER_CHANNELS:
        problems.append({"field": "default_channel", "message": _("Pilih salah satu saluran yang tersedia.")})
    return problems


def _problems_raise(problems: list[dict]) -> None:
    if problems:
        first = problems[0]
        raise ValidationFailed(
            first["message"], code="invalid_setup", detail={"field": first["field"], "errors": problems}
        )


def _partner_fields(*, name: str, webhook_url: str, default_channel: str, exclude: int | None) -> dict:
    _problems_raise(
        partner_fields_problems(name=name, webhook_url=webhook_url, default_channel=default_channel, exclude=exclude)
    )
    return {
        "name": _name_clean(name),
        "webhook_url": _url_clean("webhook_url", webhook_url, 500),
        "default_channel": default_channel,
    }


def _api_key_issue(partner: Partner) -> str:
    """Every earlier key of the partner stops working; the new one is returned once."""
    ApiToken.objects.filter(user=partner.user, is_active=True).update(is_active=False)
    _token, raw = ApiToken.issue(user=partner.user, name=partner.name[:100])
    return raw


@transaction.atomic
def partner_create(
    *, actor: User, name: str, webhook_url: str = "", default_channel: str = Channel.PARTNER
) -> PartnerSecrets:
    """A partner, its service user (the reporter of record of its reports), its first API key."""
    setup_require(actor)
    fields = _partner_fields(name=name, webhook_url=webhook_url, default_channel=default_channel, exclude=None)
    user = User.objects.create_user(full_name=fields["name"])
    partner = Partner.objects.create(user=user, **fields)
    api_key = _api_key_issue(partner)
    audit_record(action="partner_create", actor=actor, target=partner, detail={"name": partner.name})
    return PartnerSecrets(partner=partner, api_key=api_key, webhook_secret=partner.webhook_secret)


@transaction.atomic
def partner_update(*, actor: User, partner: Partner, name: str, webhook_url: str, default_channel: str) -> Partner:
    setup_require(actor)
    fields = _partner_fields(name=name, webhook_url=webhook_url, default_channel=default_channel, exclude=partner.pk)
    changed = sorted(k for k, v in fields.items() if getattr(partner, k) != v)
    for key, value in fields.items():
        setattr(partner, key, value)
    partner.save(update_fields=[*fields])
    if partner.user.full_name != partner.name:
        User.objects.filter(pk=partner.user_id).update(full_name=partner.name)
    audit_record(action="partner_update", actor=actor, target=partner, detail={"changed": changed})
    return partner


@transaction.atomic
def partner_active_set(*, actor: User, partner: Partner, is_active: bool) -> Partner:
    """Off: its key is refused (not_a_partner) and no webhook is queued; on again: both resume."""
    setup_require(actor)
    Partner.objects.filter(pk=partner.pk).update(is_active=is_active)
    partner.is_active = is_active
    audit_record(action="partner_enable" if is_active else "partner_disable", actor=actor, target=partner)
    return partner


@transaction.atomic
def partner_api_key_rotate(*, actor: User, partner: Partner) -> PartnerSecrets:
    setup_require(actor)
    api_key = _api_key_issue(partner)
    audit_record(action="partner_key_rotate", actor=actor, target=partner)
    return PartnerSecrets(partner=partner, api_key=api_key)


@transaction.atomic
def partner_webhook_secret_rotate(*, actor: User, partner: Partner) -> PartnerSecrets:
    """Webhooks already queued keep the secret they were signed with; new ones use the new one."""
    setup_require(actor)
    partner.webhook_secret = secret_new()
    partner.save(update_fields=["webhook_secret"])
    audit_record(action="partner_secret_rotate", actor=actor, target=partner)
    return PartnerSecrets(partner=partner, webhook_secret=partner.webhook_secret)


def partner_get(*, actor: User, partner_id: int) -> Partner:
    setup_require(actor)
    partner = Partner.objects.select_related("user").filter(pk=partner_id).first()
    if partner is None:
        raise NotFound(_("Sistem mitra tidak ditemukan."), code="unknown_partner")
    return partner


# --- Peer deployments -----------------------------------------------------------------------------


def peer_fields_problems(
    *, name: str, slug: str, base_url: str, direction: str, agency: Agency | None, exclude: int | None = None
) -> list[dict]:
    """Every problem with a peer's fields at once, as ``{"field", "message"}`` (a form shows them
    together instead of one per submit)."""
    problems = []

    def check(field: str, clean) -> None:
        try:
            clean()
        except ValidationFailed as exc:
            problems.append({"field": field, "message": exc.message})

    check("name", lambda: _name_clean(name))
    check("slug", lambda: _slug_clean(slug, exclude))
    check("base_url", lambda: _base_url_clean(base_url))
    if direction not in Peer.Direction.values:
        problems.append({"field": "direction", "message": _("Pilih salah satu arah yang tersedia.")})
    if agency is not None and agency.kind not in PEER_AGENCY_KINDS:
        problems.append(
            {"field": "agency", "message": _("Pilih instansi pengelola nasional atau pemerintah provinsi.")}
        )
    return problems


def _base_url_clean(base_url: str) -> str:
    base_url = _url_clean("base_url", base_url, 300)
    if not base_url:
        raise _invalid("base_url", _("Alamat sistem itu wajib diisi."))
    return base_url


def _slug_clean(slug: str, exclude: int | None) -> str:
    slug = (slug or "").strip().lower()
    try:
        validate_slug(slug)
    except DjangoValidationError:
        raise _invalid("slug", _("Pakai huruf kecil, angka dan tanda hubung saja, mis. sumbar-prov.")) from None
    if len(slug) > 60:
        raise _invalid("slug", _("Paling banyak 60 karakter."))
    if Peer.objects.filter(slug=slug).exclude(pk=exclude).exists():
        raise _invalid("slug", _("Sudah ada sistem LAPOR lain dengan kode ini."))
    return slug


def _peer_fields(*, name: str, slug: str, base_url: str, direction: str, agency: Agency | None, exclude) -> dict:
    problems = peer_fields_problems(
        name=name, slug=slug, base_url=base_url, direction=direction, agency=agency, exclude=exclude
    )
    _problems_raise(problems)
    return {
        "name": _name_clean(name),
        "slug": _slug_clean(slug, exclude),
        "base_url": _base_url_clean(base_url),
        "direction": direction,
        "agency": agency,
    }


def _secret_clean(secret: str) -> str:
    """The other side's secret when they made it first; else a new one."""
    secret = (secret or "").strip()
    if not secret:
        return secret_new()
    if len(secret) < 24 or len(secret) > 200:
        raise _invalid("secret", _("Kunci bersama harus 24 sampai 200 karakter."))
    return secret


@transaction.atomic
def peer_create(
    *,
    actor: User,
    name: str,
    slug: str,
    base_url: str,
    direction: str = Peer.Direction.BOTH,
    agency: Agency | None = None,
    secret: str = "",
) -> tuple[Peer, str]:
    """A peer and its shared secret, returned once (the one typed in, or a new one to give them)."""
    setup_require(actor)
    fields = _peer_fields(name=name, slug=slug, base_url=base_url, direction=direction, agency=agency, exclude=None)
    peer = Peer.objects.create(secret=_secret_clean(secret), **fields)
    audit_record(action="peer_create", actor=actor, target=peer, detail={"slug": peer.slug})
    return peer, peer.secret


@transaction.atomic
def peer_update(
    *, actor: User, peer: Peer, name: str, slug: str, base_url: str, direction: str, agency: Agency | None
) -> Peer:
    setup_require(actor)
    fields = _peer_fields(name=name, slug=slug, base_url=base_url, direction=direction, agency=agency, exclude=peer.pk)
    changed = sorted(k for k, v in fields.items() if getattr(peer, k) != v)
    for key, value in fields.items():
        setattr(peer, key, value)
    peer.save(update_fields=[*fields])
    audit_record(action="peer_update", actor=actor, target=peer, detail={"changed": changed})
    return peer


@transaction.atomic
def peer_active_set(*, actor: User, peer: Peer, is_active: bool) -> Peer:
    """Off: its requests are refused and nothing more is forwarded or reported back to it."""
    setup_require(actor)
    Peer.objects.filter(pk=peer.pk).update(is_active=is_active)
    peer.is_active = is_active
    audit_record(action="peer_enable" if is_active else "peer_disable", actor=actor, target=peer)
    return peer


@transaction.atomic
def peer_secret_rotate(*, actor: User, peer: Peer, secret: str = "") -> tuple[Peer, str]:
    """A new shared secret (typed in from the other side, or made here): both sides must change it."""
    setup_require(actor)
    peer.secret = _secret_clean(secret)
    peer.save(update_fields=["secret"])
    audit_record(action="peer_secret_rotate", actor=actor, target=peer)
    return peer, peer.secret


def peer_by_id(*, actor: User, peer_id: int) -> Peer:
    setup_require(actor)
    peer = Peer.objects.select_related("agency").filter(pk=peer_id).first()
    if peer is None:
        raise NotFound(_("Sistem LAPOR lain itu tidak ditemukan."), code="unknown_peer")
    return peer


# --- Deliveries -----------------------------------------------------------------------------------


@transaction.atomic
def delivery_retry(*, actor: User, owner: Partner | Peer, delivery_id: str):
    """Send a failed webhook of this partner or peer again (the outbox's own retry)."""
    from lapor.notifications.services import outbox_retry  # the outbox owns delivery

    from .selectors import delivery_owned  # to move: kept while partners is edited

    setup_require(actor)
    if not delivery_owned(owner, delivery_id):
        raise NotFound(_("Pesan tidak ditemukan."))
    message = outbox_retry(delivery_id=delivery_id)
    audit_record(
        action="webhook_retry",
        actor=actor,
        target=owner,
        detail={"delivery_id": str(message.delivery_id)},
    )
    return message
