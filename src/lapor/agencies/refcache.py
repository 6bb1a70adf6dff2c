"""Per-process cache of the reference data every submission reads: active topics, regions and
routing rules (with their agencies). Saves three queries per submission.

Freshness: a change made through the ORM (admin, services, ``save()``/``delete()``; bulk writes call
``refcache_changed()`` themselves) clears this process's copy at once and again when its transaction
commits (so no other thread keeps a copy read in between), and bumps a version stamp in Django's
cache (Redis in a multi-process deployment; core/cacheversion.py). Every process compares the stamp at most every
``CHECK_SECONDS``, so other web and Celery processes follow within a few seconds; ``TTL_SECONDS``
bounds the age of a copy even if the shared cache is unavailable.
"""

from __future__ import annotations

import threading
import time

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from lapor.core.cacheversion import VersionToken

from .models import Agency, Region, RoutingRule, Topic

TTL_SECONDS = 60
CHECK_SECONDS = 3
VERSION_KEY = "lapor:refcache:version"
VERSION = VersionToken(VERSION_KEY)
REGION_MAX = 20_000  # the ~91,000 regions are cached only as they are used

_lock = threading.Lock()
_state: dict = {"at": 0.0, "checked": 0.0, "version": None, "topics": None, "rules": None, "regions": {}}


def refcache_clear(**_kwargs) -> None:
    """Drop this process's copy (tests call it between cases). The next read also compares the
    version stamp at once: a copy loaded now must be filed under the current stamp, or the next
    check would see the stamp "change" and load everything a second time."""
    with _lock:
        _state.update(at=time.monotonic(), checked=0.0, topics=None, rules=None, regions={})


def _shared_version():
    try:
        return VERSION.current(create=False)
    except Exception:  # the shared cache down: the TTL still bounds staleness
        return _state["version"]


def refcache_changed(**_kwargs) -> None:
    """Reference data changed: clear here now and after commit, and tell the other processes."""
    refcache_clear()
    transaction.on_commit(refcache_clear)
    VERSION.replace()


def _fresh() -> dict:
    now = time.monotonic()
    if now - _state["at"] > TTL_SECONDS:
        refcache_clear()
    if now - _state["checked"] > CHECK_SECONDS:
        version = _shared_version()
        if version != _state["version"]:
            refcache_clear()
            _state["version"] = version
        _state["checked"] = now
    return _state


def topic_active_get(pk: int):
    """The active topic with this id, or None."""
    state = _fresh()
    topics = state["topics"]
    if topics is None:
        topics = {t.pk: t for t in Topic.objects.filter(is_active=True)}
        state["topics"] = topics
    return topics.get(pk)


def region_get(code: str):
    """The region with this Kemendagri code, or None."""
    regions = _fresh()["regions"]
    if code in regions:
        return regions[code]
    region = Region.objects.filter(pk=code).first()
    if len(regions) >= REGION_MAX:
        regions.clear()
    regions[code] = region
    return region


def regions_get(codes: list[str]) -> dict:
    """The regions with these codes (a missing code maps to None): the ones not cached yet are read
    with one query (a report's region chain for name masking: up to four codes)."""
    regions = _fresh()["regions"]
    missing = [code for code in codes if code not in regions]
    if missing:
        found = {r.code: r for r in Region.objects.filter(pk__in=missing)}
        if len(regions) + len(missing) > REGION_MAX:
            regions.clear()
        for code in missing:
            regions[code] = found.get(code)
    return {code: regions.get(code) for code in codes}


def routing_rules_active() -> dict[int, list]:
    """Active rules whose agency is active, by topic id."""
    state = _fresh()
    rules = state["rules"]
    if rules is None:
        rules = {}
        for rule in RoutingRule.objects.filter(is_active=True, agency__is_active=True).select_related(
            "agency", "topic", "region"
        ):
            rules.setdefault(rule.topic_id, []).append(rule)
        state["rules"] = rules
    return rules


def connect_signals() -> None:
    for model in (Agency, Region, RoutingRule, Topic):
        post_save.connect(refcache_changed, sender=model, dispatch_uid=f"refcache-save-{model.__name__}")
        post_delete.connect(refcache_changed, sender=model, dispatch_uid=f"refcache-delete-{model.__name__}")
