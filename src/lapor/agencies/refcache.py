"""Per-process cache of the reference data every submission reads: active topics, regions and
routing rules (with their agencies). Saves three queries per submission.

Freshness: a change made through the ORM (admin, services, ``save()``/``delete()``) clears this
process's copy at once through model signals; other processes (more gunicorn workers, Celery)
see it within ``TTL_SECONDS``. Bulk ``QuerySet.update()`` calls bypass signals and are also
covered only by the TTL, so the agency services that use them call ``refcache_clear()``.
"""
from __future__ import annotations

import threading
import time

from django.db.models.signals import post_delete, post_save

TTL_SECONDS = 60
REGION_MAX = 20_000  # the ~91,000 regions are cached only as they are used

_lock = threading.Lock()
_state: dict = {"at": 0.0, "topics": None, "rules": None, "regions": {}}


def refcache_clear(**_kwargs) -> None:
    with _lock:
        _state.update(at=time.monotonic(), topics=None, rules=None, regions={})


def _fresh() -> dict:
    if time.monotonic() - _state["at"] > TTL_SECONDS:
        refcache_clear()
    return _state


def topic_active_get(pk: int):
    """The active topic with this id, or None."""
    from .models import Topic

    state = _fresh()
    topics = state["topics"]
    if topics is None:
        topics = {t.pk: t for t in Topic.objects.filter(is_active=True)}
        state["topics"] = topics
    return topics.get(pk)


def region_get(code: str):
    """The region with this Kemendagri code, or None."""
    from .models import Region

    regions = _fresh()["regions"]
    if code in regions:
        return regions[code]
    region = Region.objects.filter(pk=code).first()
    if len(regions) >= REGION_MAX:
        regions.clear()
    regions[code] = region
    return region


def routing_rules_active() -> dict[int, list]:
    """Active rules whose agency is active, by topic id."""
    from .models import RoutingRule

    state = _fresh()
    rules = state["rules"]
    if rules is None:
        rules = {}
        for rule in RoutingRule.objects.filter(is_active=True, agency__is_active=True).select_related("agency", "topic", "region"):
            rules.setdefault(rule.topic_id, []).append(rule)
        state["rules"] = rules
    return rules


def connect_signals() -> None:
    from .models import Agency, Region, RoutingRule, Topic

    for model in (Agency, Region, RoutingRule, Topic):
        post_save.connect(refcache_clear, sender=model, dispatch_uid=f"refcache-save-{model.__name__}")
        post_delete.connect(refcache_clear, sender=model, dispatch_uid=f"refcache-delete-{model.__name__}")
