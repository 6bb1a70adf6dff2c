"""Reads over the agency network."""
from __future__ import annotations

from django.db.models import QuerySet

from .models import Agency, Region, RoutingRule, Topic


def agency_subtree(agency: Agency, *, include_self: bool = True) -> QuerySet[Agency]:
    """Every agency under ``agency``: one indexed prefix query."""
    qs = Agency.objects.filter(path__startswith=agency.path)
    return qs if include_self else qs.exclude(pk=agency.pk)


def agency_search(*, q: str = "", limit: int = 20, kind: str | None = None) -> QuerySet[Agency]:
    qs = Agency.objects.filter(is_active=True).select_related("parent")
    if kind:
        qs = qs.filter(kind=kind)
    for word in q.split()[:5]:
        qs = qs.filter(name__icontains=word)
    return qs.order_by("depth", "name")[:limit]


def region_children(*, parent_code: str | None) -> QuerySet[Region]:
    return Region.objects.filter(parent_id=parent_code).order_by("name")


def routing_rule_match(*, topic: Topic | None, region: Region | None) -> RoutingRule | None:
    """The most specific active rule for the topic (or an ancestor topic) and the region
    (or an ancestor region, or any region)."""
    if topic is None:
        return None
    from .refcache import routing_rules_active

    region_codes = Region.ancestor_codes(region.code) if region else []
    by_topic = routing_rules_active()
    rules = [rule for topic_id in topic.ancestor_ids for rule in by_topic.get(topic_id, ())]
    candidates = [r for r in rules if r.region_id is None or r.region_id in region_codes]
    if not candidates:
        return None
    return max(candidates, key=lambda r: (len(r.region_id or ""), r.topic.depth))
