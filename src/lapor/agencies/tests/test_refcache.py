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
