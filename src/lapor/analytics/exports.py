"""Streaming exports of report lists (CSV and XLSX) and the masked open-data rows.

Memory stays constant: rows are read with a server-side cursor (``iterator``) and written one at
a time; XLSX is written by XlsxWriter in ``constant_memory`` mode to a temporary file, which is
then streamed out in chunks.
"""
from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from lapor.accounts.models import User
from lapor.reports import lifecycle as lc
from lapor.reports.deadlines import tz
from lapor.reports.projection import lens_for, lens_public

HEADER = ["tracking_id", "diterima", "jenis", "status", "kanal", "topik", "wilayah", "kode_wilayah", "instansi", "judul",
          "pelapor", "kontak_pelapor", "anonim", "rahasia", "batas_waktu", "terlambat", "selesai", "penilaian"]
OPEN_HEADER = ["tracking_id", "diterima", "jenis", "status", "kanal", "topik", "kode_wilayah", "wilayah", "instansi",
               "judul", "isi", "selesai", "penilaian"]
CHUNK = 2000
STATE_LABELS = {s.value: str(s.label) for s in lc.State}

# Open data masks free text exactly as every public surface does (lapor.core.masking).


def _fmt(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "astimezone"):
        return value.astimezone(tz()).strftime("%Y-%m-%d %H:%M")
    return str(value)


def report_rows(qs: QuerySet, viewer: User | None) -> Iterator[list]:
    """One row per report; the reporter's identity (and an anonymous reporter's personal data in the
    title) exactly as the projection (reports/projection.py) allows this viewer."""
    if not qs.query.is_sliced:
        qs = qs.order_by("-submitted_at", "-id")
    qs = qs.select_related("agency", "topic", "region", "reporter")
    for r in qs.iterator(chunk_size=CHUNK):
        lens = lens_for(r, viewer)
        who = lens.reporter or {}
        title = lens.title
        yield [r.tracking_id, _fmt(r.submitted_at), r.type, STATE_LABELS.get(r.state, r.state), r.channel,
               r.topic.name if r.topic_id else "", r.region.name if r.region_id else "", r.region_id or "",
               r.agency.name if r.agency_id else "", title, who.get("name") or "", who.get("contact") or "",
               "ya" if r.is_anonymous else "tidak", "ya" if r.is_confidential else "tidak", _fmt(r.due_at),
               "ya" if r.is_overdue else "tidak", _fmt(r.completed_at), r.rating or ""]


def open_rows(qs: QuerySet) -> Iterator[list]:
    """Open data: never a confidential report (the caller passes report_public_qs), never a name
    or contact, personal data in the text masked."""
    qs = qs.filter(is_confidential=False).select_related("agency", "topic", "region", "reporter").order_by("submitted_at", "id")
    for r in qs.iterator(chunk_size=CHUNK):
        yield [r.tracking_id, _fmt(r.submitted_at), r.type, STATE_LABELS.get(r.state, r.state), r.channel,
               r.topic.name if r.topic_id else "", r.region_id or "", r.region.name if r.region_id else "",
               r.agency.name if r.agency_id else "", *_public_texts(r), _fmt(r.completed_at),
               r.rating or ""]


def _public_texts(report) -> tuple[str, str]:
    lens = lens_public(report)
    return lens.title, lens.body


def _cell(value):
    # Spreadsheet formula injection: a text cell must not start like a formula.
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value


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


def xlsx_stream(header: list[str], rows: Iterable[list], *, sheet: str = "Laporan") -> Iterator[bytes]:
    import xlsxwriter

    with tempfile.TemporaryFile(suffix=".xlsx") as tmp:
        book = xlsxwriter.Workbook(tmp, {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
        ws = book.add_worksheet(sheet)
        bold = book.add_format({"bold": True})
        ws.write_row(0, 0, header, bold)
        for i, row in enumerate(rows, start=1):
            ws.write_row(i, 0, row)
        book.close()
        tmp.seek(0)
        while chunk := tmp.read(64 * 1024):
            yield chunk
