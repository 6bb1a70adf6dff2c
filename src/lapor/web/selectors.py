"""Reads for pages: counters, choices for the forms, the staff inbox tabs."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lapor.accounts.selectors import user_scope_q
from lapor.agencies.models import Agency, Region, Topic
from lapor.agencies.selectors import agency_labels, agency_search, agency_subtree, region_children
from lapor.reports import lifecycle as lc
from lapor.reports.deadlines import calendar_get, tz
from lapor.reports.models import Report
from lapor.reports.projection import lens_public
from lapor.reports.selectors import peer_late_q, report_public_qs
from lapor.routing.models import ReportFlag
from lapor.routing.selectors import duplicates_find

from .models import AnswerTemplate, Support


def home_counters() -> dict[str, int]:
    counts = Report.objects.aggregate(received=Count("id"), completed=Count("id", filter=Q(state=lc.State.DONE)))
    agencies = Agency.objects.filter(is_active=True).exclude(kind__in=[Agency.Kind.PLATFORM, Agency.Kind.UNIT]).count()
    return {**counts, "agencies": agencies}


def topic_choices() -> list[tuple[str, str]]:
    english = (get_language() or "id").startswith("en")
    rows = Topic.objects.filter(is_active=True).order_by("path")
    return [(str(t.pk), "— " * t.depth + ((t.name_en or t.name) if english else t.name)) for t in rows]


def region_choices(parent_code: str | None) -> list[tuple[str, str]]:
    return [(r.code, r.name) for r in region_children(parent_code=parent_code)]


def agency_choices(q: str, *, limit: int = 20, keep: str = "") -> list[tuple[str, str]]:
    """Agencies matching a search, plus the one already chosen (so a re-rendered form keeps it)."""
    found = list(agency_search(q=q[:100], limit=limit)) if q.strip() else []
    if keep.isdigit() and int(keep) not in {a.pk for a in found}:
        found[:0] = list(Agency.objects.filter(pk=int(keep)))
    labels = agency_labels(found)
    return [(str(a.pk), labels[a.pk]) for a in found]


def unit_choices(agency: Agency | None) -> list[tuple[str, str]]:
    if agency is None:
        return []
    rows = agency_subtree(agency, include_self=False).filter(is_active=True).order_by("path")
    return [(str(a.pk), "— " * (a.depth - agency.depth - 1) + a.name) for a in rows]


def support_counts(report_ids: list[int]) -> dict[int, int]:
    rows = Support.objects.filter(report_id__in=report_ids).values("report_id").annotate(n=Count("id"))
    return {row["report_id"]: row["n"] for row in rows}


def supported_by(user, report_ids: list[int]) -> set[int]:
    if user is None or not user.is_authenticated:
        return set()
    return set(Support.objects.filter(user=user, report_id__in=report_ids).values_list("report_id", flat=True))


# --- Staff inbox -------------------------------------------------------------------------

INBOX_TABS = ("verify", "agency", "overdue", "escalated", "all")


def inbox_tab_q(tab: str, user) -> Q:
    if tab == "verify":
        return Q(state=lc.State.SUBMITTED)
    if tab == "agency":
        return (in_hands_q(user) or Q(agency__isnull=False)) & Q(state__in=lc.OPEN_STATES)
    if tab == "overdue":
        # one state condition around both: the partial index (migration 0008, 0016) still serves it
        return Q(state__in=lc.OPEN_STATES) & (Q(is_overdue=True) | peer_late_q())
    if tab == "escalated":
        return Q(escalation_level__gt=0, state__in=lc.OPEN_STATES)
    return Q()


def in_hands_q(user) -> Q | None:
    """Reports now with one of the viewer's agencies (None: a national grant, everything).
    The work tabs show these; "all" also shows what the viewer's agencies handled before."""
    return user_scope_q(user, "agency__path")


def inbox_tab_qs(qs: QuerySet[Report], tab: str, user) -> QuerySet[Report]:
    """A work tab: open reports in the viewer's hands (an indexed agency-path prefix, not the whole
    history of assignments: fast for a department with a hundred thousand past reports)."""
    qs = qs.filter(inbox_tab_q(tab, user))
    hands = in_hands_q(user)
    return qs if hands is None else qs.filter(hands, state__in=lc.OPEN_STATES)


def inbox_counts(qs: QuerySet[Report], user) -> dict[str, int | None]:
    """Counts of the work tabs, over open reports in the viewer's hands. The "all" tab (everything
    ever in scope) has no count: counting a large agency's history on every page view costs ~1 s
    at a million reports."""
    hands = in_hands_q(user)
    work = qs.filter(state__in=lc.OPEN_STATES)
    if hands is not None:
        work = work.filter(hands)
    counts = work.aggregate(**{tab: Count("id", filter=inbox_tab_q(tab, user)) for tab in INBOX_TABS if tab != "all"})
    counts["all"] = None
    return counts


def inbox_order(qs: QuerySet[Report]) -> QuerySet[Report]:
    return qs.order_by(F("due_at").asc(nulls_last=True), "-submitted_at", "-id")


def time_left(due_at: dt.datetime | None, now: dt.datetime | None = None) -> dict | None:
    """Working days left before a deadline, or how many it is overdue by."""
    if due_at is None:
        return None
    now = now or timezone.now()
    cal = calendar_get()
    today, due_day = now.astimezone(tz()).date(), due_at.astimezone(tz()).date()
    if due_at >= now:
        return {"overdue": False, "days": cal.working_days_between(today, due_day)}
    return {"overdue": True, "days": max(cal.working_days_between(due_day, today), 1)}


def answer_templates_for(agency: Agency | None) -> list:
    """Templates of the agency and of every agency above it (a unit uses its department's)."""
    if agency is None:
        return []
    return list(AnswerTemplate.objects.filter(agency_id__in=agency.ancestor_ids).select_related("agency"))


# --- Before filing: open reports nearby on the same topic (FixMyStreet's duplicate check) ----------


def nearby_open_reports(
    *, title: str, body: str, region_code: str | None, topic_id: int | None, limit: int = 5
) -> list[dict]:
    """Open public reports in the same area (district) and topic family whose words overlap this
    draft, as the public sees them (scored on the public projection), with their support counts."""
    if not region_code or not (title or body).strip():
        return []
    qs = report_public_qs()
    topic = Topic.objects.filter(pk=topic_id).first() if topic_id else None
    if topic is not None:  # the same family: "Jalan dan Jembatan" finds "Infrastruktur" reports too
        root = topic.path.split(".")[0] + "."  # paths are "000001.000005." (core/paths.py)
        qs = qs.filter(topic__path__startswith=root)

    def public(r) -> str:
        lens = lens_public(r)
        return f"{lens.title} {lens.body}"

    found = duplicates_find(
        qs=qs, title=title, body=body, region_code=region_code, text_of=public, limit=limit, threshold=0.2
    )

    return [
        {
            "tracking_id": r.tracking_id,
            "title": lens_public(r).title,
            "state": r.state,
            "state_label": str(lc.State(r.state).label),
            "supports": r.support_count,
        }
        for r, _score in found
    ]


# --- Staff report page -----------------------------------------------------------------


def report_place(report: Report, *, address: str, location: tuple[float, float] | None) -> dict:
    """Where it happened in words ("Kelurahan Guguk Malintang, Kecamatan Padang Panjang Timur, Kota
    Padang Panjang") and a map link: the reported point (``location`` through the report's lens),
    else a search for the address and place name. No region codes, no raw coordinates."""
    chain = Region.ancestor_codes(report.region_id) if report.region_id else []
    regions = {r.code: r for r in Region.objects.filter(code__in=chain)}
    words = [_region_words(regions[c]) for c in reversed(chain) if c in regions]
    place = ", ".join(words)
    if location is not None:
        lat, lon = location
        map_url = f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=17/{lat:.6f}/{lon:.6f}"
    elif place:
        map_url = "https://www.openstreetmap.org/search?" + urlencode(
            {"query": ", ".join(x for x in (address, place) if x)}
        )
    else:
        map_url = ""
    return {"place": place, "map_url": map_url}


def _region_words(region: Region) -> str:
    """A region as people write it ("Kecamatan X"); names that already say it stay as they are."""
    prefix = _("Kecamatan") if region.level == Region.Level.DISTRICT else ""  # a village may be a desa or a kelurahan
    name = region.name
    if not prefix or name.split(" ")[0].casefold() in {
        "kota",
        "kabupaten",
        "kab.",
        "provinsi",
        "kecamatan",
        "kelurahan",
        "desa",
        "nagari",
        "daerah",
    }:
        return name
    return f"{prefix} {name}"


def report_flags(report: Report) -> list[dict]:
    """The spam/abuse flags the intake check raised on this report (routing/abuse.py), by kind: what
    a person triaging needs, without the matched words."""
    return [
        {"kind": f.kind, "label": f.get_kind_display(), "resolved": f.resolved_at is not None}
        for f in ReportFlag.objects.filter(report=report).order_by("created_at")
    ]
