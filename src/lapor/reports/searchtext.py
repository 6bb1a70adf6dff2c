"""The text a report is found by: what its viewers may see, never the raw title and body.

Search (public list, staff inbox, API lists) and the duplicate finder match ``Report.search_text``,
never ``title``/``body``: the public's text (schemas.public_text: NIK, phone numbers, e-mail
addresses and plates masked in every report, and the reporter's own name in an anonymous one). So a
query for an anonymous reporter's name, NIK, phone or e-mail cannot confirm a guess about who filed a
report, for the public or for agency staff. On PostgreSQL a trigger parses ``search_text`` into the
GIN-indexed ``search_vector`` (migrations 0006, 0010); SQLite searches it with LIKE.

``Report.save()`` keeps the column current whenever the title, the body, the reporter, the guest's
name or the anonymity switch change; a registered reporter's name change refreshes their anonymous
reports (``user_name_changed``). Rows written by other means (bulk loads, older code during an
upgrade) are filled by ``search_text_fill`` (``lapor reports_search_text``); until then they hold ""
and are found by no search (never by their raw text).
"""

from __future__ import annotations

import logging
import time

from django.db import connection, transaction

from lapor.agencies.models import Region
from lapor.agencies.refcache import regions_get
from lapor.core.masking import text_mask

from .models import Report
from .projection import mask_names

log = logging.getLogger(__name__)

# The fields search_text is made from (Report.save() recomputes it when one of them changes).
SOURCE_FIELDS = ("title", "body", "is_anonymous", "guest_name", "reporter_id")
BATCH = 2000


def masked_names(report) -> tuple[str, ...]:
    """The names masked in the report's text for anyone but the reporter (projection.mask_names)."""
    return mask_names(report)


def region_place_names(region_code: str | None) -> tuple[str, ...]:
    """The names of a region and every region above it (as selectors.report_place_names)."""
    if not region_code:
        return ()
    return tuple(r.name for r in regions_get(Region.ancestor_codes(region_code)).values() if r)


def search_text_compose(
    title: str, body: str, *, names: tuple[str, ...] | list[str] = (), places: tuple[str, ...] | list[str] = ()
) -> str:
    """Title and body as the public sees them (projection.mask_text), one line break apart."""
    places = places if names else ()
    return f"{text_mask(title or '', names=names, places=places)}\n{text_mask(body or '', names=names, places=places)}"


def report_search_text(report) -> str:
    names = masked_names(report)
    return search_text_compose(
        report.title, report.body, names=names, places=region_place_names(report.region_id) if names else ()
    )


def search_text_fill(*, every: bool = False, batch: int = BATCH, stdout=None) -> int:
    """Fill ``search_text`` of the reports that have none (written by a bulk load or by older code),
    or of ``every`` report (after a change of the masking rules), in batches of ids, each batch its
    own transaction. Returns the number of reports written. Rerunnable."""
    qs = Report.objects.all() if every else Report.objects.filter(search_text="")
    bounds = qs.order_by("pk").values_list("pk", flat=True)
    low, high = bounds.first(), qs.order_by("-pk").values_list("pk", flat=True).first()
    if low is None or high is None:
        return 0
    started, written = time.monotonic(), 0
    for start in range(low, high + 1, batch):
        rows = list(
            qs.filter(pk__gte=start, pk__lt=start + batch).values_list(
                "pk",
                "title",
                "body",
                "is_anonymous",
                "guest_name",
                "reporter__full_name",
                "reporter_id",
                "search_text",
                "region_id",
            )
        )
        changes = []
        for pk, title, body, anonymous, guest_name, full_name, reporter_id, old, region_code in rows:
            name = (full_name or "") if reporter_id else guest_name
            new = search_text_compose(
                title,
                body,
                names=(name,) if anonymous else (),
                places=region_place_names(region_code) if anonymous else (),
            )
            if new != old:
                changes.append((pk, new))
        if not changes:
            continue
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    values = ", ".join(["(%s, %s)"] * len(changes))
                    cursor.execute(
                        f"UPDATE reports_report AS r SET search_text = v.t FROM (VALUES {values}) AS v(id, t) "
                        "WHERE r.id = v.id",
                        [x for pair in changes for x in pair],
                    )
            else:
                Report.objects.bulk_update([Report(pk=pk, search_text=text) for pk, text in changes], ["search_text"])
        written += len(changes)
        if stdout is not None:
            stdout.write(f"{start + batch - 1}/{high}: {written}\n")
    log.info("reports search_text filled for %d reports in %.1f s", written, time.monotonic() - started)
    return written


def user_name_changed(user) -> int:
    """A registered reporter's name changed: their anonymous reports mask the new name."""
    changed = 0
    for report in Report.objects.filter(reporter=user, is_anonymous=True).only(
        "pk", "title", "body", "is_anonymous", "guest_name", "reporter_id", "search_text"
    ):
        report.reporter = user
        text = report_search_text(report)
        if text != report.search_text:
            Report.objects.filter(pk=report.pk).update(search_text=text)
            changed += 1
    return changed
