"""The real network, loaded the same way by ``lapor setup`` (production) and ``lapor demo load``:
Kemendagri regions, the platform, ministries, agencies, state enterprises, every provincial and
regency/city government, the national topic tree and the routing rules that hold in every region.
No account, no report, no password. Idempotent: a second run finds everything and adds nothing."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction

from lapor.agencies import reference as data
from lapor.agencies.models import Agency, Region, RoutingRule, Topic
from lapor.agencies.regions import regions_load

PLATFORM_NAME = "Pengelola SP4N-LAPOR! (KemenPANRB)"


def _agency(
    name: str,
    kind: str,
    *,
    parent: Agency | None = None,
    region_id: str | None = None,
    short: str = "",
    joined: dt.date | None = None,
) -> Agency:
    agency = Agency.objects.filter(name=name, parent=parent).first()
    if agency is None:
        agency = Agency(
            name=name,
            kind=kind,
            parent=parent,
            region_id=region_id,
            short_name=short,
            joined_on=joined or data.NETWORK_JOINED,
        )
        agency.save()
    return agency


def _joined(code_or_name: str) -> dt.date:
    """A stable, plausible connection date between 2016 and 2024 (for connectivity statistics)."""
    seed = int(hashlib.sha256(code_or_name.encode()).hexdigest()[:8], 16)
    return data.NETWORK_JOINED + dt.timedelta(days=seed % (8 * 365))


def network_load() -> dict[str, Agency]:
    """Ministries, agencies, enterprises, every province and regency/city government."""
    platform = _agency(PLATFORM_NAME, Agency.Kind.PLATFORM, short="LAPOR!")
    for name in data.MINISTRIES:
        _agency(name, Agency.Kind.MINISTRY, joined=_joined(name))
    named = {}
    for name, short in data.AGENCIES:
        named[short] = _agency(name, Agency.Kind.AGENCY, short=short, joined=_joined(name))
    for name, short in data.STATE_ENTERPRISES:
        named[short] = _agency(name, Agency.Kind.STATE_ENTERPRISE, short=short, joined=_joined(name))
    existing = {
        a.region_id: a
        for a in Agency.objects.filter(kind__in=[Agency.Kind.PROVINCE, Agency.Kind.REGENCY, Agency.Kind.CITY])
    }
    for province in Region.objects.filter(level=Region.Level.PROVINCE):
        prov = existing.get(province.code) or _agency(
            f"Pemerintah Provinsi {province.name}",
            Agency.Kind.PROVINCE,
            region_id=province.code,
            joined=_joined(province.code),
        )
        for regency in Region.objects.filter(parent=province):
            if regency.code in existing:
                continue
            is_city = regency.name.lower().startswith("kota")
            label = (
                regency.name
                if is_city
                else f"Kabupaten {regency.name.removeprefix('Kab. ').removeprefix('Kabupaten ')}"
            )
            _agency(
                f"Pemerintah {label}",
                Agency.Kind.CITY if is_city else Agency.Kind.REGENCY,
                parent=prov,
                region_id=regency.code,
                joined=_joined(regency.code),
            )
    named["platform"] = platform
    return named


def topics_load() -> dict[str, Topic]:
    topics = {}
    for slug, name, name_en, keywords, children in data.TOPICS:
        parent, _ = Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "name_en": name_en, "keywords": keywords}
        )
        topics[slug] = parent
        for cslug, cname, cname_en, ckeywords in children:
            child, _ = Topic.objects.get_or_create(
                slug=cslug, defaults={"name": cname, "name_en": cname_en, "keywords": ckeywords, "parent": parent}
            )
            topics[cslug] = child
    return topics


def national_routing_load(topics: dict[str, Topic], national: dict[str, Agency]) -> None:
    """Rules that hold in every region (a topic only one national body handles)."""
    for slug, short in data.NATIONAL_ROUTING.items():
        RoutingRule.objects.get_or_create(topic=topics[slug], region=None, defaults={"agency": national[short]})


@transaction.atomic
def reference_load(*, villages: bool = True) -> dict:
    """The whole real network; returns what the demo builds on and what was added."""
    regions = regions_load(villages=villages)
    national = network_load()
    topics = topics_load()
    national_routing_load(topics, national)
    return {"regions_added": regions, "national": national, "topics": topics}
