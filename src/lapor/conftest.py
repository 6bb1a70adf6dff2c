"""Shared test fixtures: a small agency network, staff for every role, topics and rules.
Factories over fixtures: each returns real rows in the real database."""
from __future__ import annotations

import pytest

from lapor.core import testing


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    # Tests never touch the developer's data directory (attachments, trained models, exports).
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "attachments"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit and lockout counters live in the cache: each test starts from zero.
    from django.core.cache import cache

    from lapor.agencies.refcache import refcache_clear

    cache.clear()
    refcache_clear()  # rolled-back rows of an earlier test must not linger in the reference cache


@pytest.fixture
def net(db) -> testing.Network:
    return testing.network_make()


@pytest.fixture
def api(client):
    return testing.ApiClient(client)


@pytest.fixture(autouse=True)
def _celery_pools_reset():
    """Celery keeps broker connection pools across configuration changes: a test that points it at
    a dead broker must not leave that pool to the next test in the same process."""
    yield
    from lapor.celery import app

    if getattr(app.amqp, "_producer_pool", None) is not None or getattr(app, "_pool", None) is not None:
        try:
            app.close()
        finally:
            app._pool = None
            app.amqp._producer_pool = None
