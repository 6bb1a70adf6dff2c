"""Reads for machine triage: likely duplicates of a text among open, recent reports."""
from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from lapor.agencies.models import Region
from lapor.reports import lifecycle as lc
from lapor.reports.models import Report
from lapor.reports.selectors import FTS_EXPRESSION

from .models import ReportFlag
from .textsim import cosine, keywords, tokens

CANDIDATES = 60


def _area_code(region_code: str | None) -> str | None:
    """Compare within a district (the village's parent), or the given wider region."""
    if not region_code:
        return None
    parts = region_code.split(".")
    return ".".join(parts[:3]) if len(parts) > 3 else region_code


def duplicates_find(*, qs: QuerySet[Report], title: str, body: str, region_code: str | None = None,
                    exclude_id: int | None = None, days: int = 30, limit: int = 5,
                    threshold: float = 0.3) -> list[tuple[Report, float]]:
    """Open reports from the last ``days`` in the same area whose words overlap this text most.

    PostgreSQL pre-filters with the full-text GIN index (any of the text's keywords), ranked;
    SQLite looks at the most recent candidates. The final score is a cosine over content words."""
    text = f"{title} {body}"
    words = keywords(text)
    if not words:
        return []
    qs = qs.filter(state__in=lc.OPEN_STATES, submitted_at__gte=timezone.now() - dt.timedelta(days=days))
    area = _area_code(region_code)
    if area:
        qs = qs.filter(region_id__in=Region.objects.filter(Region.subtree_q(area)).values("code"))
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
        from django.db.models.expressions import RawSQL

        query = SearchQuery(" | ".join(words), config="indonesian", search_type="raw")
        vector = RawSQL(FTS_EXPRESSION, [], output_field=SearchVectorField())
        qs = qs.annotate(fts=vector).filter(fts=query).annotate(rank=SearchRank(vector, query)).order_by("-rank")
    else:
        qs = qs.order_by("-submitted_at")
    mine = tokens(text)
    scored = [(r, round(cosine(mine, tokens(f"{r.title} {r.body}")), 3)) for r in qs[:CANDIDATES]]
    scored = [pair for pair in scored if pair[1] >= threshold]
    scored.sort(key=lambda pair: -pair[1])
    return scored[:limit]


def flags_open() -> QuerySet[ReportFlag]:
    return ReportFlag.objects.filter(resolved_at__isnull=True).select_related("report").order_by("-created_at")
