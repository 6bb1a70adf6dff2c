"""Shared test fixtures: a small agency network, staff for every role, topics and rules.
Factories over fixtures: each returns real rows in the real database."""

from __future__ import annotations

import pytest

from lapor.accounts import testing


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
    from lapor.reports.deadlines import calendar_reset

    cache.clear()
    refcache_clear()  # rolled-back rows of an earlier test must not linger in the reference cache
    calendar_reset()  # nor a rolled-back decree day in the working calendar (cached for a minute)


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


# --- The one door, enforced on every page any test renders -----------------------------------------


def _raw_report_types():
    from lapor.reports.models import Attachment, Message, Report, ReportEvent
    from lapor.reports.selectors import ReportRow

    return (Report, Message, ReportEvent, Attachment, ReportRow)


def _raw_values(value, path: str, raw: tuple, depth: int = 0):
    """(path, type name) of every stored report, message, event or attachment reachable from a
    template context value (lists, tuples, dicts, query sets; not through other objects)."""
    from django.db.models import QuerySet

    if isinstance(value, raw):
        yield path, type(value).__name__
    elif isinstance(value, QuerySet):
        if issubclass(value.model, raw):
            yield path, f"QuerySet[{value.model.__name__}]"
    elif depth < 4 and isinstance(value, dict):
        for k, v in value.items():
            yield from _raw_values(v, f"{path}.{k}", raw, depth + 1)
    elif depth < 4 and isinstance(value, (list, tuple)):
        for i, v in enumerate(value[:50]):
            yield from _raw_values(v, f"{path}[{i}]", raw, depth + 1)


@pytest.fixture(autouse=True)
def _templates_get_projections_only():
    """Privacy goes through one door (reports/projection.py): a page template never holds a stored
    report, message, event or attachment, only what the projection made of it for its viewer. Any
    test that renders a page checks it; a new page is covered without editing this. The Django admin
    (its own ModelAdmin rules, docs/security.md) is outside this check."""
    from django.test.signals import template_rendered

    raw = _raw_report_types()
    found: list[str] = []

    def check(sender, template, context, **kwargs):
        name = getattr(template, "name", None) or ""
        if name.startswith(("admin/", "registration/", "django/")):
            return
        flat = context.flatten() if hasattr(context, "flatten") else dict(context)
        for key, value in flat.items():
            for path, kind in _raw_values(value, key, raw):
                found.append(f"{name}: {path} is a {kind}")

    template_rendered.connect(check, dispatch_uid="lapor-one-door")
    try:
        yield
    finally:
        template_rendered.disconnect(dispatch_uid="lapor-one-door")
    if found:
        pytest.fail(
            "a template got stored report data instead of its projection (reports/projection.py):\n  "
            + "\n  ".join(sorted(set(found))[:20]),
            pytrace=False,
        )
