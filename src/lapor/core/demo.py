"""Demo data: the real network and the demo city, demo staff for every role and an API key.
Idempotent: a second run finds everything in place and changes nothing."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lapor.accounts.models import ApiToken, Role, RoleAssignment, TwoFactorDevice, User
from lapor.accounts.twofactor import enrol_secret_new
from lapor.agencies import demo as data
from lapor.agencies.models import Agency, Region, RoutingRule, Topic
from lapor.agencies.regions import regions_load

DEMO_PASSWORD = "lapor-demo-2026"
DEMO_TOKEN_PREFIX = "demo0001"


def _agency(name: str, kind: str, *, parent: Agency | None = None, region_id: str | None = None,
            short: str = "", joined: dt.date | None = None) -> Agency:
    agency = Agency.objects.filter(name=name, parent=parent).first()
    if agency is None:
        agency = Agency(name=name, kind=kind, parent=parent, region_id=region_id, short_name=short,
                        joined_on=joined or data.NETWORK_JOINED)
        agency.save()
    return agency


def _joined(code_or_name: str) -> dt.date:
    """A stable, plausible connection date between 2016 and 2024 (for connectivity statistics)."""
    seed = int(hashlib.sha256(code_or_name.encode()).hexdigest()[:8], 16)
    return data.NETWORK_JOINED + dt.timedelta(days=seed % (8 * 365))


def network_load() -> dict[str, Agency]:
    """Ministries, agencies, enterprises, every province and regency/city government."""
    platform = _agency("Pengelola SP4N-LAPOR! (KemenPANRB)", Agency.Kind.PLATFORM, short="LAPOR!")
    for name in data.MINISTRIES:
        _agency(name, Agency.Kind.MINISTRY, joined=_joined(name))
    named = {}
    for name, short in data.AGENCIES:
        named[short] = _agency(name, Agency.Kind.AGENCY, short=short, joined=_joined(name))
    for name, short in data.STATE_ENTERPRISES:
        named[short] = _agency(name, Agency.Kind.STATE_ENTERPRISE, short=short, joined=_joined(name))
    existing = {a.region_id: a for a in Agency.objects.filter(kind__in=[Agency.Kind.PROVINCE, Agency.Kind.REGENCY, Agency.Kind.CITY])}
    for province in Region.objects.filter(level=Region.Level.PROVINCE):
        prov = existing.get(province.code) or _agency(f"Pemerintah Provinsi {province.name}", Agency.Kind.PROVINCE,
                                                       region_id=province.code, joined=_joined(province.code))
        for regency in Region.objects.filter(parent=province):
            if regency.code in existing:
                continue
            is_city = regency.name.lower().startswith("kota")
            label = regency.name if is_city else f"Kabupaten {regency.name.removeprefix('Kab. ').removeprefix('Kabupaten ')}"
            _agency(f"Pemerintah {label}", Agency.Kind.CITY if is_city else Agency.Kind.REGENCY, parent=prov,
                    region_id=regency.code, joined=_joined(regency.code))
    named["platform"] = platform
    return named


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
    _agency("Institut Seni Indonesia Padang Panjang", Agency.Kind.UNIVERSITY, parent=ministry,
            region_id=data.DEMO_CITY_CODE, short="ISI Padang Panjang")
    return by_short


def topics_load() -> dict[str, Topic]:
    topics = {}
    for slug, name, name_en, keywords, children in data.TOPICS:
        parent, _ = Topic.objects.get_or_create(slug=slug, defaults={"name": name, "name_en": name_en, "keywords": keywords})
        topics[slug] = parent
        for cslug, cname, cname_en, ckeywords in children:
            child, _ = Topic.objects.get_or_create(
                slug=cslug, defaults={"name": cname, "name_en": cname_en, "keywords": ckeywords, "parent": parent})
            topics[cslug] = child
    return topics


def routing_load(topics: dict[str, Topic], city: dict[str, Agency], national: dict[str, Agency]) -> None:
    for slug, short in data.CITY_ROUTING.items():
        RoutingRule.objects.get_or_create(topic=topics[slug], region_id=data.DEMO_CITY_CODE, defaults={"agency": city[short]})
    for slug, short in data.NATIONAL_ROUTING.items():
        RoutingRule.objects.get_or_create(topic=topics[slug], region=None, defaults={"agency": national[short]})


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
            email=email, password=DEMO_PASSWORD, full_name=name, is_staff=role == Role.PLATFORM_ADMIN,
            is_superuser=role == Role.PLATFORM_ADMIN)
        RoleAssignment.objects.get_or_create(user=user, role=role, agency=city[key] if key else None)
        if not getattr(settings, "PRODUCTION", False):
            # Demo staff start enrolled (a random secret), so `lapor totp code <email>` signs them in at
            # once; production accounts enrol with an e-mailed link or an admin's code.
            TwoFactorDevice.objects.get_or_create(user=user, defaults={
                "secret": enrol_secret_new(), "confirmed_at": timezone.now()})
        rows.append((email, str(Role(role).label)))
    if not User.objects.filter(email="warga@lapor.example").exists():
        User.objects.create_user(email="warga@lapor.example", phone="081234567890", password=DEMO_PASSWORD,
                                 full_name="Siti Rahmawati")
    rows.append(("warga@lapor.example", "Pelapor (warga)"))
    return rows


def demo_api_key() -> str:
    """A local-testing key derived from this deployment's secret: stable across runs, never shared."""
    secret = hmac.new(settings.SECRET_KEY.encode(), b"lapor-demo-api-key", hashlib.sha256).hexdigest()[:32]
    raw = f"lpr_{DEMO_TOKEN_PREFIX}_{secret}"
    integration = User.objects.filter(email="integrasi@lapor.example").first() or User.objects.create_user(
        email="integrasi@lapor.example", full_name="Integrasi mitra (demo)")
    ApiToken.objects.update_or_create(prefix=DEMO_TOKEN_PREFIX, defaults={
        "user": integration, "name": "demo integration key", "digest": ApiToken.hash(raw), "is_active": True})
    return raw


@transaction.atomic
def demo_load(*, villages: bool = True) -> dict:
    regions = regions_load(villages=villages)
    national = network_load()
    city = demo_city_load()
    topics = topics_load()
    routing_load(topics, city, national)
    accounts = accounts_load(city)
    return {"regions_added": regions, "accounts": accounts, "api_key": demo_api_key(),
            "agencies": Agency.objects.count(), "topics": Topic.objects.count()}
