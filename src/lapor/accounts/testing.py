"""Factories for tests (importable by every app's tests, and by benchmarks). They build accounts and
agencies, so they live in accounts, the higher of the two rooms (core knows no domain app)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import pyotp
from django.utils import timezone

from lapor.accounts.models import ApiToken, Role, RoleAssignment, TwoFactorDevice, User
from lapor.agencies.models import Agency, Region, RoutingRule, Topic


def region_make(code: str, name: str) -> Region:
    level = code.count(".") + 1
    parent = code.rsplit(".", 1)[0] if level > 1 else None
    if parent and not Region.objects.filter(code=parent).exists():
        region_make(parent, f"Wilayah {parent}")
    region, _ = Region.objects.get_or_create(code=code, defaults={"name": name, "level": level, "parent_id": parent})
    return region


def agency_make(
    name: str, kind: str = Agency.Kind.DEPARTMENT, parent: Agency | None = None, region: Region | None = None, **extra
) -> Agency:
    agency = Agency(name=name, kind=kind, parent=parent, region=region, **extra)
    agency.save()
    return agency


def user_make(
    name: str,
    *,
    role: str | None = None,
    agency: Agency | None = None,
    email: str | None = None,
    password: str = "rahasia-123",
) -> User:
    email = email or f"{name.lower().replace(' ', '.')}@test.example"
    user = User.objects.create_user(email=email, password=password, full_name=name)
    if role:
        RoleAssignment.objects.create(user=user, role=role, agency=agency)
    return user


TOTP_TEST_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # tests only


def totp_enrol(user: User, secret: str = TOTP_TEST_SECRET) -> str:
    """A confirmed two-factor device with a known secret (staff sign in with totp_code)."""
    TwoFactorDevice.objects.update_or_create(
        user=user, defaults={"secret": secret, "confirmed_at": timezone.now(), "last_step": 0}
    )
    return secret


def totp_code(secret: str = TOTP_TEST_SECRET, *, step_offset: int = 0) -> str:
    """The current code; step_offset=1 gives a fresh one when a test signs in twice in 30 s
    (a code is accepted once, with one step of clock drift either way)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * step_offset)


def signin_staff(client, user: User, password: str = "rahasia-123", *, step_offset: int = 0, **extra):
    """The staff web sign-in with its second step; returns the last response."""
    device = TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    secret = device.secret if device else totp_enrol(user)
    client.post("/masuk/", {"login": user.email, "password": password, **extra})
    return client.post("/masuk/kode/", {"code": totp_code(secret, step_offset=step_offset)})


def token_make(user: User) -> str:
    _token, raw = ApiToken.issue(user=user, name="test")
    return raw


@dataclass
class Network:
    """platform ── city ── dept ── unit
                  │      └── village office (kelurahan)
                  └── health (Dinkes)
    other_city ── other_dept
    """

    province: Region
    city_region: Region
    district: Region
    village: Region
    city: Agency
    dept: Agency
    unit: Agency
    health: Agency
    other_city: Agency
    other_dept: Agency
    roads: Topic
    infra: Topic
    health_topic: Topic
    users: dict[str, User] = field(default_factory=dict)

    def user(self, key: str) -> User:
        return self.users[key]


def network_make() -> Network:
    province = region_make("13", "Sumatera Barat")
    city_region = region_make("13.74", "Kota Padang Panjang")
    district = region_make("13.74.02", "Padang Panjang Barat")
    village = region_make("13.74.02.1001", "Bukit Surungan")
    other_region = region_make("13.71", "Kota Padang")
    city = agency_make("Pemerintah Kota Padang Panjang", Agency.Kind.CITY, region=city_region)
    dept = agency_make("Dinas PUPR", parent=city, region=city_region)
    unit = agency_make("Bidang Bina Marga", Agency.Kind.UNIT, parent=dept, region=city_region)
    health = agency_make("Dinas Kesehatan", parent=city, region=city_region)
    other_city = agency_make("Pemerintah Kota Padang", Agency.Kind.CITY, region=other_region)
    other_dept = agency_make("Dinas PUPR Kota Padang", parent=other_city, region=other_region)
    infra = Topic.objects.create(name="Infrastruktur", slug="infrastruktur")
    roads = Topic.objects.create(name="Jalan dan Jembatan", slug="jalan-jembatan", parent=infra)
    health_topic = Topic.objects.create(name="Kesehatan", slug="kesehatan")
    RoutingRule.objects.create(topic=infra, region=city_region, agency=dept)
    n = Network(
        province,
        city_region,
        district,
        village,
        city,
        dept,
        unit,
        health,
        other_city,
        other_dept,
        roads,
        infra,
        health_topic,
    )
    n.users = {
        "platform": user_make("Admin Nasional", role=Role.PLATFORM_ADMIN),
        "city_admin": user_make("Admin Pemkot", role=Role.AGENCY_ADMIN, agency=city),
        "dept_admin": user_make("Admin PUPR", role=Role.AGENCY_ADMIN, agency=dept),
        "liaison": user_make("Penghubung PUPR", role=Role.LIAISON, agency=dept),
        "unit_staff": user_make("Staf Bina Marga", role=Role.UNIT_STAFF, agency=unit),
        "health_admin": user_make("Admin Dinkes", role=Role.AGENCY_ADMIN, agency=health),
        "other_admin": user_make("Admin Pemkot Padang", role=Role.AGENCY_ADMIN, agency=other_city),
        "other_liaison": user_make("Penghubung Padang", role=Role.LIAISON, agency=other_dept),
        "overseer": user_make("Pengawas", role=Role.OVERSEER, agency=None),
        "city_overseer": user_make("Inspektorat", role=Role.OVERSEER, agency=city),
        "reporter": user_make("Budi Santoso", email="budi@warga.example"),
        "stranger": user_make("Orang Lain", email="lain@warga.example"),
    }
    return n


def submission_data(**overrides: Any) -> dict:
    data = {
        "type": "complaint",
        "title": "Jalan berlubang di depan pasar",
        "body": "Jalan di depan pasar berlubang besar dan membahayakan pengendara motor.",
        "channel": "web",
    }
    data.update(overrides)
    return data


class ApiClient:
    """JSON calls against /api/ with an optional bearer token or guest secret."""

    def __init__(self, client):
        self.client = client

    def call(
        self,
        method: str,
        path: str,
        data: Any = None,
        *,
        user: User | None = None,
        secret: str | None = None,
        headers: dict | None = None,
        lang: str = "id",
    ):
        extra = {"HTTP_ACCEPT_LANGUAGE": lang}
        if user is not None:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {token_make(user)}"
        if secret:
            extra["HTTP_X_REPORT_SECRET"] = secret
        for key, value in (headers or {}).items():
            extra["HTTP_" + key.upper().replace("-", "_")] = value
        fn = getattr(self.client, method.lower())
        if method.upper() == "GET":
            return fn(path, data or {}, **extra)
        return fn(path, json.dumps(data or {}), content_type="application/json", **extra)

    def get(self, path, data=None, **kw):
        return self.call("GET", path, data, **kw)

    def post(self, path, data=None, **kw):
        return self.call("POST", path, data, **kw)

    def put(self, path, data=None, **kw):
        return self.call("PUT", path, data, **kw)
