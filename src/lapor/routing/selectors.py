"""Reads for machine triage: likely duplicates of a text among open, recent reports."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from lapor.agencies.models import Region
from lapor.core.masking import EMAIL_MASK, NAME_MASK, NIK_MASK, PHONE_MASK, PLATE_MASK
from lapor.reports import lifecycle as lc
from lapor.reports.models import Report
from lapor.reports.selectors import FTS_EXPRESSION

from .models import ReportFlag
from .textsim import cosine, tokens

CANDIDATES = 60
DF_SAMPLE, DF_SECONDS = 3000, 3600
MASKS = (NAME_MASK, NIK_MASK, PHONE_MASK, EMAIL_MASK, PLATE_MASK)


def _words(search_text: str) -> frozenset[str]:
    """The content words of a report's search_text, without the masks' own words ("[nama disamarkan]")."""
    if "[" in search_text:
        for mask in MASKS:
            search_text = search_text.replace(mask, " ")
    return tokens(search_text)


def document_frequency() -> dict[str, int]:
    """How many of the newest reports use each word (sampled, cached for an hour): rare words make
    selective index lookups."""

    def sample() -> dict[str, int]:
        counts: Counter = Counter()
        for text in Report.objects.order_by("-submitted_at").values_list("search_text", flat=True)[:DF_SAMPLE]:
            counts.update(_words(text))
        return dict(counts)

    return cache.get_or_set("routing:document-frequency", sample, DF_SECONDS)


def distinctive_words(text: str, limit: int = 3, *, skip: frozenset[str] = frozenset(), seen_min: int = 1) -> list[str]:
    """The text's rarest content words that other reports also use (a word no other report has
    cannot find a duplicate), leaving out ``skip`` (the place's own names, which every report from
    that place shares)."""
    df = document_frequency()
    words = tokens(text) - skip
    shared = [w for w in words if df.get(w, 0) >= seen_min]
    pool = shared if len(shared) >= 2 else list(words)
    return sorted(pool, key=lambda w: (df.get(w, 0), -len(w), w))[:limit]


def _area_code(region_code: str | None) -> str | None:
    """Compare within a district (the village's parent), or the given wider region."""
    if not region_code:
        return None
    parts = region_code.split(".")
    return ".".join(parts[:3]) if len(parts) > 3 else region_code


def duplicates_find(
    *,
    qs: QuerySet[Report],
    title: str,
    body: str,
    region_code: str | None = None,
    exclude_id: int | None = None,
    days: int = 30,
    limit: int = 5,
    threshold: float = 0.3,
    text_of=None,
) -> list[tuple[Report, float]]:
    """Open reports from the last ``days`` in the same area whose words overlap this text most.

    PostgreSQL pre-filters with the full-text GIN index (any two of the three most distinctive
    words); SQLite looks at the most recent candidates. The score is a cosine over content words.

    Other reports are matched and scored by their ``search_text`` (what the public may see: personal
    data and an anonymous reporter's name masked), or by ``text_of(report)`` when given (a guest's
    check scores exactly the public projection), never their raw text, so a text naming someone
    cannot find the anonymous reports that person filed. A saved report (``exclude_id``) is compared
    by its own search_text too, so that its reporter's name does not steer the results either."""
    text = f"{title} {body}"
    if exclude_id:
        stored = Report.objects.filter(pk=exclude_id).values_list("search_text", flat=True).first()
        if stored:
            text = " ".join(_words(stored))
    area = _area_code(region_code)
    place_names = frozenset()
    if region_code:
        names = Region.objects.filter(code__in=Region.ancestor_codes(region_code)).values_list("name", flat=True)
        place_names = frozenset(w for name in names for w in tokens(name))
    # A saved report counts itself in the sample: its words must appear at least twice.
    words = distinctive_words(text, skip=place_names, seen_min=2 if exclude_id else 1)
    if not words:
        return []
    qs = qs.filter(state__in=lc.OPEN_STATES, submitted_at__gte=timezone.now() - dt.timedelta(days=days))
    if area:
        # A literal list (not a subquery) lets the planner estimate how few reports the area has.
        qs = qs.filter(region_id__in=list(Region.objects.filter(Region.subtree_q(area)).values_list("code", flat=True)))
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVectorField  # PostgreSQL only

        # A duplicate shares most distinctive words: ask the GIN index for reports holding any two
        # of the three most distinctive ones (posting-list intersections stay small at 1M rows).
        pairs = [f"{a} & {b}" for i, a in enumerate(words) for b in words[i + 1 :]] or words
        query = SearchQuery(" | ".join(f"({p})" for p in pairs), config="indonesian", search_type="raw")
        vector = RawSQL(FTS_EXPRESSION, [], output_field=SearchVectorField())
        qs = qs.annotate(fts=vector).filter(fts=query)
    qs = qs.order_by("-submitted_at")
    mine = tokens(text)
    if text_of is None:
        scored = [(r, round(cosine(mine, _words(r.search_text)), 3)) for r in qs.defer(None)[:CANDIDATES]]
    else:
        scored = [(r, round(cosine(mine, tokens(text_of(r))), 3)) for r in qs[:CANDIDATES]]
    scored = [pair for pair in scored if pair[1] >= threshold]
    scored.sort(key=lambda pair: -pair[1])
    return scored[:limit]


def flags_open() -> QuerySet[ReportFlag]:
    return ReportFlag.objects.filter(resolved_at__isnull=True).select_related("report").order_by("-created_at")
