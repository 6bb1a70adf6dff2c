"""Version tokens in the shared cache, one mechanism for every cache that must forget at once.

A cache entry is valid while the token it was read under is still current; a change replaces the
token (now, and again when its transaction commits, so nothing read in between survives it). The
token lives in Django's cache (Redis in a multi-process deployment), so every process follows.
Users: the per-process reference cache (agencies/refcache.py), the anonymous public list
(reports/public_cache.py); the dashboards use their roll-up run as the version (analytics/selectors.py)
and share ``cache_key``.
"""

from __future__ import annotations

import hashlib
import logging
import uuid

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

log = logging.getLogger(__name__)


class VersionToken:
    """A random token under ``key`` in the shared cache. Errors of the cache propagate from
    ``current`` (the caller decides what an unavailable cache means) and are logged by ``replace``."""

    def __init__(self, key: str):
        self.key = key

    def current(self, *, create: bool = True) -> str | None:
        """The token in force; with ``create``, a new one when there is none (first use, or evicted:
        a new token matches no older entry)."""
        version = cache.get(self.key)
        if version is None and create:
            cache.add(self.key, uuid.uuid4().hex, None)
            version = cache.get(self.key)
        return version

    def replace(self) -> None:
        """Forget everything read under the current token: now, and again when the current
        transaction commits."""
        self._replace_now()
        transaction.on_commit(self._replace_now)

    def _replace_now(self) -> None:
        try:
            cache.set(self.key, uuid.uuid4().hex, None)
        except Exception:  # the cache down: nothing can be served from it either
            log.warning("cache version %s not replaced", self.key, exc_info=True)


def cache_key(namespace: str, *parts) -> str:
    """A shared-cache key for ``parts`` in the active language (texts are translated before caching)."""
    raw = "|".join(str(p) for p in (get_language() or "", *parts))
    return f"{namespace}:" + hashlib.sha256(raw.encode()).hexdigest()
