"""The monthly report per agency (laporan bulanan), as a PDF in Bahasa Indonesia (reportlab).

What it says (``month_report_content``: every text and table cell, in the deployment's time zone and
with Indonesian number formatting: 1.234 and 45,6%) is kept apart from how it is laid out
(``agency_month_pdf``), so the words can be tested without reading a PDF back. A month that has not
begun has no report (``NotFound``: a 404 at the API)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lapor.agencies.models import Agency
from lapor.core.errors import NotFound
from lapor.reports.deadlines import tz

from .selectors import Period, dashboard_get

BULAN = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def pdf_path(agency_id: int, month: dt.date) -> Path:
    return Path(settings.DATA_DIR) / "analytics" / "pdf" / f"instansi-{agency_id}-{month:%Y-%m}.pdf"


def number_id(value, decimals: int = 0) -> str:
    """A number as Indonesians write it: thousands with dots, decimals after a comma (12.345,6)."""
    if value is None:
        return "-"
    if decimals == 0 and float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{float(value):,.{decimals or 1}f}".replace(",", "_").replace(".", ",").replace("_", ".")


def _pct(v) -> str:
    return "-" if v is None else f"{number_id(v * 100, 1)}%"


def month_check(month: dt.date, *, today: dt.date | None = None) -> dt.date:
    """The first of ``month``; a month that has not begun in the deployment's time zone is not found."""
    first = month.replace(day=1)
    today = today or timezone.now().astimezone(tz()).date()
    if first > today:
        raise NotFound(_("Bulan itu belum dimulai: belum ada laporan bulanan."), code="month_not_begun")
    return first


def month_report_content(agency: Agency, month: dt.date, *, today: dt.date | None = None) -> dict:
    """Every text of the monthly report, ready to lay out."""
    month = month_check(month, today=today)
    d = dashboard_get(f"a:{agency.pk}", Period(month, month), today=today)
    t = d["totals"]
    as_of = d["data_as_of"]
    if as_of:
        local = as_of.astimezone(tz())
        period = (
            f"Periode: {BULAN[month.month - 1]} {month.year}. Data per {local.day} {BULAN[local.month - 1]} "
            f"{local.year} pukul {local:%H.%M} {local.tzname()}."
        )
    else:
        period = f"Periode: {BULAN[month.month - 1]} {month.year}. Belum ada data."
    summary = [
        ["Ukuran", "Nilai"],
        ["Laporan diterima", number_id(t["received"])],
        ["Selesai", number_id(t["done"])],
        ["Tingkat penyelesaian", _pct(t["completion_rate"])],
        ["Selesai tepat waktu", _pct(t["in_time_rate"])],
        ["Melewati batas waktu (saat ini)", number_id(t["overdue"])],
        ["Bukan wewenang", _pct(t["bounce_rate"])],
        ["Dibuka kembali", _pct(t["reopen_rate"])],
        ["Rata-rata penilaian pelapor", number_id(t["rating_avg"], 1) if t["rating_avg"] is not None else "-"],
    ]
    for key, label in (("verify", "verifikasi"), ("follow_up", "tindak lanjut pertama"), ("complete", "penyelesaian")):
        dur = d["durations"][key]
        summary.append(
            [f"Waktu {label} (hari kerja): median / P90", f"{number_id(dur['median'], 1)} / {number_id(dur['p90'], 1)}"]
        )
    return {
        "title": f"Laporan Bulanan Pengaduan — {agency.name}",
        "period": period,
        "summary": summary,
        "states": [(r["label"], r["n"]) for r in d["by_state"]],
        "by_state": [["Status", "Jumlah"]] + [[r["label"], number_id(r["n"])] for r in d["by_state"]],
        "top_topics": [["Topik", "Jumlah", "Bulan lalu"]]
        + [[r["label"], number_id(r["n"]), number_id(r["previous"])] for r in d["top_topics"]],
    }


def agency_month_pdf(agency: Agency, month: dt.date) -> Path:
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    c = month_report_content(agency, month)
    month = month.replace(day=1)
    path = pdf_path(agency.pk, month)
    path.parent.mkdir(parents=True, exist_ok=True)
    styles = getSampleStyleSheet()
    style = TableStyle(
        [("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)]
    )
    story = [
        Paragraph(c["title"], styles["Title"]),
        Paragraph(c["period"], styles["Normal"]),
        Spacer(1, 12),
        Paragraph("Ringkasan", styles["Heading2"]),
        Table(c["summary"], colWidths=[300, 150], style=style),
        Spacer(1, 12),
        Paragraph("Laporan menurut status", styles["Heading2"]),
    ]
    states = c["states"] or [("-", 0)]
    chart = Drawing(450, 20 * len(states) + 20)
    bars = HorizontalBarChart()
    bars.x, bars.y, bars.width, bars.height = 120, 10, 300, 20 * len(states)
    bars.data = [[n for _label, n in states]]
    bars.categoryAxis.categoryNames = [label for label, _n in states]
    bars.valueAxis.valueMin = 0
    bars.valueAxis.labelTextFormat = number_id
    bars.bars[0].fillColor = colors.HexColor("#1f6f8b")
    chart.add(bars)
    story += [
        chart,
        Table(c["by_state"], colWidths=[300, 150], style=style),
        Spacer(1, 12),
        Paragraph("Topik terbanyak", styles["Heading2"]),
        Table(c["top_topics"], colWidths=[250, 100, 100], style=style),
    ]
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=path.stem, suffix=".part", delete=False) as tmp:
        SimpleDocTemplate(tmp, pagesize=A4, title=f"Laporan bulanan {agency.name}", lang="id").build(story)
    Path(tmp.name).replace(path)  # a reader never sees half a file
    return path


def month_is_current(month: dt.date, *, today: dt.date | None = None) -> bool:
    today = today or timezone.now().astimezone(tz()).date()
    return (month.year, month.month) == (today.year, today.month)
