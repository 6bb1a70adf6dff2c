"""Exports of report lists (CSV and XLSX) and the masked open-data rows.

Memory stays flat: reports are read in keyset batches (``reports_iter``: ``CHUNK`` rows per short
query, newest first), each row is written and dropped; XLSX is written by XlsxWriter in
``constant_memory`` mode. Long exports run as background jobs (``lapor.analytics.jobs``) into a
file; only a small, bounded export is answered inside a request (``SYNC_MAX_ROWS``), whole.

What a row shows is decided in ONE place, ``rows_for``: under the public scope ``p`` (which every
staff member may open: the whole country's public reports) each row is the public projection of
the report (``public_report_out``); under the viewer's own scopes, the staff projection
(``lens_for``, the Lens the API's detail uses: an anonymous reporter never shown, their text
masked, a contact partly masked). No column reads a stored personal field itself.

A file is written for a person to read, in their language: column names, the type, status and
channel as their labels (no machine codes: the API carries those), topics by their English name
where one is set, yes/no, the sheet and the file's name.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from django.utils.translation import pgettext

from lapor.accounts.models import User
from lapor.core.errors import ValidationFailed
from lapor.reports import lifecycle as lc
from lapor.reports.deadlines import tz
from lapor.reports.models import Report, ReportType
from lapor.reports.projection import lens_for, lens_public, public_report_out

from .rollup import PUBLIC

# A staff export's columns, in the reader's language (``header_words``); open data keeps OPEN_HEADER as published.
HEADER = [
    N_("tracking_id"),
    N_("diterima"),
    N_("jenis"),
    N_("status"),
    N_("kanal"),
    N_("topik"),
    N_("wilayah"),
    N_("kode_wilayah"),
    N_("instansi"),
    N_("judul"),
    N_("pelapor"),
    N_("kontak_pelapor"),
    N_("anonim"),
    N_("rahasia"),
    N_("batas_waktu"),
    N_("terlambat"),
    N_("selesai"),
    N_("penilaian"),
    N_("dukungan"),
]
PUBLIC_HEADER = [
    N_("tracking_id"),
    N_("diterima"),
    N_("jenis"),
    N_("status"),
    N_("topik"),
    N_("wilayah"),
    N_("kode_wilayah"),
    N_("instansi"),
    N_("judul"),
    N_("isi"),
    N_("pelapor"),
    N_("dukungan"),
]
OPEN_HEADER = [
    "tracking_id",
    "diterima",
    "jenis",
    "status",
    "kanal",
    "topik",
    "kode_wilayah",
    "wilayah",
    "instansi",
    "judul",
    "isi",
    "selesai",
    "penilaian",
]
CHUNK = 2000
XLSX_MAX_ROWS = 1_048_575  # a worksheet's rows, less the header
STATE_LABELS = {s.value: str(s.label) for s in lc.State}  # open data: Indonesian, as published


def header_words(header: list[str]) -> list[str]:
    return [_(h) for h in header]


def _yes(value: bool) -> str:
    return _("ya") if value else _("tidak")


def _topic(report) -> str:
    """The report's topic as the app names it to this reader (the English name where one is set)."""
    topic = report.topic if report.topic_id else None
    if topic is None:
        return ""
    english = (get_language() or "").startswith("en")
    return (topic.name_en or topic.name) if english else topic.name


def _type(code: str) -> str:
    return str(ReportType(code).label) if code in ReportType.values else code


def file_name(scope: str, fmt: str, *, start=None, end=None) -> str:
    """An export's file name in the reader's language: ``laporan-nasional-2025-01-2025-12.csv``,
    ``reports-national-2025-01-2025-12.csv``; without a period, today's date."""
    slug = {"n": pgettext("file name", "nasional"), "p": pgettext("file name", "publik")}.get(scope)
    parts = [pgettext("file name", "laporan"), slug or scope.replace(":", "")]
    parts += [f"{start:%Y-%m}", f"{end:%Y-%m}"] if start is not None else [dt.date.today().isoformat()]
    return "-".join(parts) + f".{fmt}"


# Open data masks free text exactly as every public surface does (lapor.core.masking).


def sync_max_rows() -> int:
    """The largest export answered inside a request (built whole, sent with its length); above it,
    a background job (``POST /api/analytics/exports``)."""
    return int(settings.LAPOR_EXPORT_SYNC_MAX_ROWS)


def max_rows(fmt: str) -> int:
    """The largest export a job writes (never a cut file: a larger one fails with a clear message)."""
    limit = int(settings.LAPOR_EXPORT_MAX_ROWS)
    return min(limit, XLSX_MAX_ROWS) if fmt == "xlsx" else limit


def _fmt(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "astimezone"):
        return value.astimezone(tz()).strftime("%Y-%m-%d %H:%M")
    return str(value)


# The columns the rows below read (everything else is left in the database: a million Report
# instances cost their fields). A projection that reads another field would load it row by row:
# test_export_queries_do_not_grow_with_rows keeps the query count flat.
_FIELDS = (
    "tracking_id",
    "submitted_at",
    "type",
    "state",
    "channel",
    "title",
    "is_anonymous",
    "is_confidential",
    "due_at",
    "is_overdue",
    "completed_at",
    "rating",
    "guest_name",
    "guest_email",
    "guest_phone",
    "topic_id",
    "topic__name",
    "topic__name_en",
    "region_id",
    "region__name",
    "agency_id",
    "agency__name",
    "reporter_id",
    "reporter__full_name",
    "reporter__email",
    "reporter__phone",
    "support_count",
)


def export_fields(scope: str) -> tuple[str, ...]:
    return (*_FIELDS, "body") if scope == PUBLIC else _FIELDS


def export_qs(qs: QuerySet[Report], scope: str) -> QuerySet[Report]:
    return (
        qs.select_related("agency", "topic", "region", "reporter")
        .only(*export_fields(scope))
        .order_by("-submitted_at", "-id")
    )


def reports_iter(qs: QuerySet[Report], *, scope: str, chunk: int = CHUNK, on_batch=None) -> Iterator[Report]:
    """Every report of ``qs``, newest first, read in keyset batches of ``chunk``: each batch is one
    short query (no transaction or server-side cursor held open for minutes: no long-lived snapshot
    on PostgreSQL, no WAL growth on SQLite), memory flat. ``on_batch(n)`` is called after each batch
    is consumed (job progress). Each report appears once: the order (submitted_at, id) never changes."""
    qs = export_qs(qs, scope)
    after = None
    while True:
        page = (
            qs if after is None else qs.filter(Q(submitted_at__lt=after[0]) | Q(submitted_at=after[0], id__lt=after[1]))
        )
        batch = list(page[:chunk])
        yield from batch
        if on_batch is not None and batch:
            on_batch(len(batch))
        if len(batch) < chunk:
            return
        after = (batch[-1].submitted_at, batch[-1].pk)


def staff_rows(reports: Iterable[Report], viewer: User | None) -> Iterator[list]:
    """One row per report in the viewer's own scope: the reporter's identity (and an anonymous
    reporter's personal data in the title) exactly as the projection (reports/projection.py) allows this viewer."""
    for r in reports:
        lens = lens_for(r, viewer)
        who = lens.reporter or {}
        title = lens.title
        yield [
            r.tracking_id,
            _fmt(r.submitted_at),
            r.get_type_display(),
            r.get_state_display(),
            r.get_channel_display(),
            _topic(r),
            r.region.name if r.region_id else "",
            r.region_id or "",
            r.agency.name if r.agency_id else "",
            title,
            who.get("name") or "",
            who.get("contact") or "",
            _yes(r.is_anonymous),
            _yes(r.is_confidential),
            _fmt(r.due_at),
            _yes(r.is_overdue),
            _fmt(r.completed_at),
            r.rating or "",
            r.support_count,
        ]


def public_rows(reports: Iterable[Report]) -> Iterator[list]:
    """One row per report as the public sees it: exactly ``public_report_out`` (masked title and
    text, the reporter's first name or "Anonim", no contact, no address, no coordinates)."""
    for r in reports:
        p = public_report_out(r)
        yield [
            p["tracking_id"],
            _fmt(p["submitted_at"]),
            _type(p["type"]),
            p["state_label"],
            _topic(r) if p["topic"] else "",
            p["region"]["name"] if p["region"] else "",
            p["region"]["code"] if p["region"] else "",
            p["agency"]["name"] if p["agency"] else "",
            p["title"],
            p["body"],
            p["reporter_name"],
            p["support_count"],
        ]


def rows_for(scope: str, reports: Iterable[Report], viewer: User | None) -> tuple[list[str], Iterator[list]]:
    """The header and rows of an analytics export: the public projection under the public scope,
    the staff projection under the viewer's own scopes. The only place that chooses."""
    if scope == PUBLIC:
        return header_words(PUBLIC_HEADER), public_rows(reports)
    return header_words(HEADER), staff_rows(reports, viewer)


def open_rows(qs: QuerySet) -> Iterator[list]:
    """Open data: never a confidential report (the caller passes report_public_qs), never a name
    or contact, personal data in the text masked."""
    qs = (
        qs.filter(is_confidential=False)
        .select_related("agency", "topic", "region", "reporter")
        .order_by("submitted_at", "id")
    )
    for r in qs.iterator(chunk_size=CHUNK):
        yield [
            r.tracking_id,
            _fmt(r.submitted_at),
            r.type,
            STATE_LABELS.get(r.state, r.state),
            r.channel,
            r.topic.name if r.topic_id else "",
            r.region_id or "",
            r.region.name if r.region_id else "",
            r.agency.name if r.agency_id else "",
            *_public_texts(r),
            _fmt(r.completed_at),
            r.rating or "",
        ]


def _public_texts(report) -> tuple[str, str]:
    lens = lens_public(report)
    return lens.title, lens.body


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportTooLarge(ValidationFailed):
    code = "export_too_large"


def format_check(fmt: str) -> str:
    if fmt not in CONTENT_TYPES:
        raise ValidationFailed(_("Format ekspor tidak dikenal (csv, xlsx)."), code="invalid_format")
    return fmt


def export_small(qs: QuerySet[Report], *, scope: str, viewer: User | None, fmt: str) -> bytes:
    """The whole file of a small export (at most ``sync_max_rows`` reports, two queries), for an answer
    inside the request; a larger one raises ``ExportTooLarge`` (start a background job instead)."""
    format_check(fmt)
    limit = sync_max_rows()
    if qs.order_by().values_list("pk", flat=True)[limit : limit + 1]:  # one narrow query, before any row is built
        raise ExportTooLarge(
            _(
                "Ekspor ini lebih dari %(n)s laporan: buat ekspor di latar belakang (POST /api/analytics/exports, "
                "atau tombol Ekspor di halaman daftar laporan); Anda diberi tahu saat berkasnya siap."
            )
            % {"n": f"{limit:,}".replace(",", ".")},
            detail={"limit": limit, "job": "/api/analytics/exports"},
        )
    header, rows = rows_for(scope, export_qs(qs, scope)[:limit], viewer)
    return export_bytes(header, rows, fmt)


EMPTY = "-"  # the projection's placeholder (a guest without a name): no formula, shown as written


def _cell(value):
    # Spreadsheet formula injection: a text cell must not start like a formula. A lone "-" cannot be one.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and value != EMPTY:
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def csv_stream(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so spreadsheet programs read UTF-8
    yield writer.writerow(header)
    buf = []
    for row in rows:
        buf.append(writer.writerow([_cell(v) for v in row]))
        if len(buf) >= 500:
            yield "".join(buf)
            buf = []
    if buf:
        yield "".join(buf)


def csv_write(out, header: list[str], rows: Iterable[list]) -> int:
    """Write the CSV to the text file ``out``; returns the number of data rows."""
    n = 0

    def counted():
        nonlocal n
        for row in rows:
            n += 1
            yield row

    for chunk in csv_stream(header, counted()):
        out.write(chunk)
    return n


def xlsx_write(target, header: list[str], rows: Iterable[list], *, sheet: str | None = None) -> int:
    """Write the workbook to ``target`` (a path or a binary file) in constant memory; returns the
    number of data rows. The sheet is named in the active language, like the header."""
    import xlsxwriter  # heavy: XlsxWriter only when writing a spreadsheet

    book = xlsxwriter.Workbook(
        target,
        {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    ws = book.add_worksheet(sheet or _("Laporan"))
    ws.write_row(0, 0, header, book.add_format({"bold": True}))
    n = 0
    for n, row in enumerate(rows, start=1):
        ws.write_row(n, 0, row)
    book.close()
    return n


def export_bytes(header: list[str], rows: Iterable[list], fmt: str) -> bytes:
    """A small export built whole (``sync_max_rows`` at most), so the response carries its length and
    an error is an error page, never a cut file."""
    if fmt == "csv":
        return "".join(csv_stream(header, rows)).encode("utf-8")
    with tempfile.TemporaryFile(suffix=".xlsx") as tmp:
        xlsx_write(tmp, header, rows)
        tmp.seek(0)
        return tmp.read()
