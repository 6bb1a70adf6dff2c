"""The reference cache behind submissions follows changes: at once in this process, within a few
seconds in the others (through the shared version stamp), and bulk writes announce themselves."""

import time

import pytest
from django.core.cache import cache

from lapor.agencies import refcache
from lapor.agencies.models import Region, Topic
from lapor.agencies.refcache import VERSION_KEY, region_get, topic_active_get

pytestmark = pytest.mark.django_db


def test_a_save_in_this_process_is_seen_at_once():
    topic = Topic.objects.create(name="Air bersih", slug="air-bersih")
    assert topic_active_get(topic.pk).name == "Air bersih"
    topic.is_active = False
    topic.save()
    assert topic_active_get(topic.pk) is None


def test_a_change_made_by_another_process_is_seen_after_the_version_check():
    topic = Topic.objects.create(name="Air bersih", slug="air-bersih")
    assert topic_active_get(topic.pk) is not None
    Topic.objects.filter(pk=topic.pk).update(is_active=False)  # as another process would, no signal here
    assert topic_active_get(topic.pk) is not None  # this process still holds its copy …
    cache.set(VERSION_KEY, time.time_ns(), timeout=None)  # … until the other process's stamp arrives
    refcache._state["checked"] = 0.0  # the CHECK_SECONDS interval has passed
    assert topic_active_get(topic.pk) is None


def test_loading_regions_in_bulk_clears_unknown_codes():
    from lapor.agencies.regions import regions_load

    assert region_get("11") is None  # looked up before the load: remembered as unknown
    regions_load(villages=False)
    assert region_get("11") is not None and Region.objects.filter(code="11").exists()


def test_a_copy_loaded_after_a_clear_is_filed_under_the_current_stamp(django_assert_num_queries, monkeypatch):
    """After a clear the next read compares the stamp at once, so the copy it loads is not thrown
    away by the next check as if the stamp had changed (a second load of everything: a flaky
    statement-count test when a check of an earlier test fell within the last 3 seconds)."""
    topic = Topic.objects.create(name="Air bersih", slug="air-bersih")  # sets a new stamp
    refcache._state.update(checked=time.monotonic(), version="an earlier stamp")  # checked just now, elsewhere
    refcache.refcache_clear()
    assert topic_active_get(topic.pk) is not None  # loads the copy
    later = time.monotonic() + refcache.CHECK_SECONDS + 1
    monkeypatch.setattr(refcache.time, "monotonic", lambda: later)
    with django_assert_num_queries(0):
        assert topic_active_get(topic.pk) is not None
