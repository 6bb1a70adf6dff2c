"""Demo data: the real network (``agencies.network``, what ``lapor setup`` loads in production) plus the
demo city, demo staff for every role with the published demo password, and an API key.
Idempotent: a second run finds everything in place and changes nothing."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lapor.accounts.models import ApiToken, Role, RoleAssignment, TwoFactorDevice, User
from lapor.accounts.twofactor import enrol_secret_new
from . import network as data
from lapor.agencies.models import Agency, Region, RoutingRule, Topic
from lapor.agencies.network import _agency, national_routing_load, network_load, reference_load, topics_load  # noqa: F401

DEMO_PASSWORD = "lapor-demo-2026"
DEMO_TOKEN_PREFIX = "demo0001"


def demo_city_load() -> dict[str, Agency]:
    city = Agency.objects.get(region_id=data.DEMO_CITY_CODE, kind__in=[Agency.Kind.CITY, Agency.Kind.REGENCY])
    by_short: dict[str, Agency] = {"city": city}
    for name, short, kind, units in data.CITY_DEPARTMENTS:
        dept = _agency(name, kind, parent=city, region_id=data.DEMO_CITY_CODE, short=short)
        by_short[short] = dept
        for unit in units:
            by_short[f"{short}/{unit}"] = _agency(unit, Agency.Kind.UNIT, parent=dept, region_id=data.DEMO_CITY_CODE)
    for name, district in data.HEALTH_CENTRES:
        by_short[name] = _agency(name, Agency.Kind.HEALTH_CENTRE, parent=by_short["Dinkes"], region_id=district)
    for district in Region.objects.filter(parent_id=data.DEMO_CITY_CODE):
        kec = _agency(f"Kecamatan {district.name}", Agency.Kind.DISTRICT, parent=city, region_id=district.code)
        by_short[district.code] = kec
        for village in Region.objects.filter(parent=district):
            _agency(f"Kelurahan {village.name}", Agency.Kind.VILLAGE, parent=kec, region_id=village.code)
    ministry = Agency.objects.get(name="Kementerian Pendidikan Tinggi, Sains, dan Teknologi", parent=None)
    _agency(
        "Institut Seni Indonesia Padang Panjang",
        Agency.Kind.UNIVERSITY,
        parent=ministry,
        region_id=data.DEMO_CITY_CODE,
        short="ISI Padang Panjang",
    )
    return by_short


def routing_load(topics: dict[str, Topic], city: dict[str, Agency], national: dict[str, Agency]) -> None:
    """The demo city's rules (the national ones come with the real network)."""
    for slug, short in data.CITY_ROUTING.items():
        RoutingRule.objects.get_or_create(
            topic=topics[slug], region_id=data.DEMO_CITY_CODE, defaults={"agency": city[short]}
        )
    national_routing_load(topics, national)


STAFF = [
    # (email, name, role, agency key in the city map or None for national)
    ("admin@lapor.example", "Admin Nasional", Role.PLATFORM_ADMIN, None),
    ("pemkot@lapor.example", "Admin Pemkot Padang Panjang", Role.AGENCY_ADMIN, "city"),
    ("pupr@lapor.example", "Admin Dinas PUPR", Role.AGENCY_ADMIN, "Dinas PUPR"),
    ("penghubung.pupr@lapor.example", "Pejabat Penghubung PUPR", Role.LIAISON, "Dinas PUPR"),
    ("binamarga@lapor.example", "Staf Bidang Bina Marga", Role.UNIT_STAFF, "Dinas PUPR/Bidang Bina Marga"),
    ("dinkes@lapor.example", "Admin Dinas Kesehatan", Role.AGENCY_ADMIN, "Dinkes"),
    ("penghubung.dinkes@lapor.example", "Pejabat Penghubung Dinkes", Role.LIAISON, "Dinkes"),
    ("pengawas@lapor.example", "Pengawas (Ombudsman)", Role.OVERSEER, None),
]


def accounts_load(city: dict[str, Agency]) -> list[tuple[str, str]]:
    rows = []
    for email, name, role, key in STAFF:
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email,
            password=DEMO_PASSWORD,
            full_name=name,
            is_staff=role == Role.PLATFORM_ADMIN,
            is_superuser=role == Role.PLATFORM_ADMIN,
        )
        RoleAssignment.objects.get_or_create(user=user, role=role, agency=city[key] if key else None)
        if not settings.PRODUCTION:
            # Demo staff start enrolled (a random secret), so `lapor totp code <email>` signs them in at
            # once; production accounts enrol with an e-mailed link or an admin's code.
            TwoFactorDevice.objects.get_or_create(
                user=user, defaults={"secret": enrol_secret_new(), "confirmed_at": timezone.now()}
            )
        rows.append((email, str(Role(role).label)))
    if not User.objects.filter(email="warga@lapor.example").exists():
        User.objects.create_user(
            email="warga@lapor.example", phone="081234567890", password=DEMO_PASSWORD, full_name="Siti Rahmawati"
        )
    rows.append(("warga@lapor.example", "Pelapor (warga)"))
    return rows


def demo_api_key() -> str:
    """A local-testing key derived from this deployment's secret: stable across runs, never shared."""
    secret = hmac.new(settings.SECRET_KEY.encode(), b"lapor-demo-api-key", hashlib.sha256).hexdigest()[:32]
    raw = f"lpr_{DEMO_TOKEN_PREFIX}_{secret}"
    integration = User.objects.filter(email="integrasi@lapor.example").first() or User.objects.create_user(
        email="integrasi@lapor.example", full_name="Integrasi mitra (demo)"
    )
    ApiToken.objects.update_or_create(
        prefix=DEMO_TOKEN_PREFIX,
        defaults={"user": integration, "name": "demo integration key", "digest": ApiToken.hash(raw), "is_active": True},
    )
    return raw


@transaction.atomic
def demo_load(*, villages: bool = True) -> dict:
    reference = reference_load(villages=villages)
    national, topics = reference["national"], reference["topics"]
    city = demo_city_load()
    routing_load(topics, city, national)
    accounts = accounts_load(city)
    return {
        "regions_added": reference["regions_added"],
        "accounts": accounts,
        "api_key": demo_api_key(),
        "agencies": Agency.objects.count(),
        "topics": Topic.objects.count(),
    }


DEMO_EMAILS = [email for email, *_rest in STAFF] + ["warga@lapor.example", "integrasi@lapor.example"]


def demo_accounts_present() -> list[str]:
    """The demo's accounts found in this database (``lapor setup`` refuses to run beside them)."""
    found = list(User.objects.filter(email__in=DEMO_EMAILS).order_by("email").values_list("email", flat=True))
    if ApiToken.objects.filter(prefix=DEMO_TOKEN_PREFIX).exists():
        found.append(f"API token {DEMO_TOKEN_PREFIX}")
    return found
