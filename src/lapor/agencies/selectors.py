"""Reads over the agency network."""

from __future__ import annotations

import re

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Length, Lower

from .models import Agency, Region, RoutingRule, Topic
from .refcache import routing_rules_active


def agency_subtree(agency: Agency, *, include_self: bool = True) -> QuerySet[Agency]:
    """Every agency under ``agency``: one indexed prefix query."""
    qs = Agency.objects.filter(path__startswith=agency.path)
    return qs if include_self else qs.exclude(pk=agency.pk)


# Governments and institutions that an everyday name is said "of" (a Dinas of a city, a unit of a ministry).
GOVERNMENT_KINDS = frozenset(
    {
        Agency.Kind.PROVINCE,
        Agency.Kind.REGENCY,
        Agency.Kind.CITY,
        Agency.Kind.MINISTRY,
        Agency.Kind.AGENCY,
        Agency.Kind.PLATFORM,
    }
)


def agency_search(*, q: str = "", limit: int = 20, kind: str | None = None) -> QuerySet[Agency]:
    """Agencies as people name them: each word in the name, the short name ("PUPR", "dishub") or the
    parent's name ("Pekerjaan Umum Padang Panjang" finds the Dinas of Pemerintah Kota Padang Panjang);
    an exact short name first, then the shallowest."""
    qs = Agency.objects.filter(is_active=True).select_related("parent")
    if kind:
        qs = qs.filter(kind=kind)
    q = " ".join(q.split())
    for word in q.split()[:5]:
        qs = qs.filter(Q(name__icontains=word) | Q(short_name__icontains=word) | Q(parent__name__icontains=word))
    if q:
        qs = qs.annotate(
            fit=Case(
                When(short_name__iexact=q, then=Value(0)),
                When(name__iexact=q, then=Value(0)),
                When(Q(short_name__icontains=q) | Q(name__icontains=q), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        return qs.order_by("fit", "depth", "name")[:limit]
    return qs.order_by("depth", "name")[:limit]


def agency_labels(agencies) -> dict[int, str]:
    """Each agency's name as a picker shows it: its short name, the unit it sits in and the
    government it belongs to ("Dinas Pekerjaan Umum dan Penataan Ruang (Dinas PUPR) — Pemerintah
    Kota Padang Panjang"): with 514 regencies a bare department name invites misrouting. One query."""
    agencies = list(agencies)
    ids = {i for a in agencies for i in a.ancestor_ids}
    names = (
        {
            pk: (name, short, kind)
            for pk, name, short, kind in Agency.objects.filter(pk__in=ids).values_list(
                "pk", "name", "short_name", "kind"
            )
        }
        if ids
        else {}
    )
    labels = {}
    for a in agencies:
        own = (
            f"{a.name} ({a.short_name})"
            if a.short_name and a.short_name.casefold() not in a.name.casefold()
            else a.name
        )
        up = [names[i] for i in reversed(a.ancestor_ids) if i in names and i != a.pk]
        where = []
        for name, short, kind in up:  # nearest first, up to the government
            where.append(short or name if kind not in GOVERNMENT_KINDS else name)
            if kind in GOVERNMENT_KINDS:
                break
        labels[a.pk] = f"{own} — {', '.join(where)}" if where else own
    return labels


def region_children(*, parent_code: str | None) -> QuerySet[Region]:
    return Region.objects.filter(parent_id=parent_code).order_by("name")


def routing_rule_match(*, topic: Topic | None, region: Region | None) -> RoutingRule | None:
    """The most specific active rule for the topic (or an ancestor topic) and the region
    (or an ancestor region, or any region)."""
    if topic is None:
        return None

    region_codes = Region.ancestor_codes(region.code) if region else []
    by_topic = routing_rules_active()
    rules = [rule for topic_id in topic.ancestor_ids for rule in by_topic.get(topic_id, ())]
    candidates = [r for r in rules if r.region_id is None or r.region_id in region_codes]
    if not candidates:
        return None
    return max(candidates, key=lambda r: (len(r.region_id or ""), r.topic.depth))


def region_named_in(text: str) -> str | None:
    """The most precise region whose whole name the text spells ("... kelurahan Bukit Surungan,
    Padang Panjang"): every run of one to four words is compared with the names, case-insensitively."""
    words = re.findall(r"[\w'.-]+", (text or "").casefold())[:60]
    runs = {" ".join(words[i : i + n]) for n in range(1, 5) for i in range(len(words) - n + 1)}
    runs |= {f"kota {r}" for r in runs} | {f"kabupaten {r}" for r in runs}
    return (  # the most precise level; of equals, the longest name ("Padang Panjang" over "Padang")
        Region.objects.annotate(lname=Lower("name"), size=Length("name"))
        .filter(lname__in=runs)
        .order_by("-level", "-size", "code")
        .values_list("code", flat=True)
        .first()
    )
