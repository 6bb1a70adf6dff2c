"""The monthly report per agency (laporan bulanan), as a PDF (reportlab) in the active language:
Bahasa Indonesia by default (the scheduled PDFs), English for whoever asked in English (a job
keeps its requester's language; the API answers in the request's).

What it says (``month_report_content``: every text and table cell, in the deployment's time zone and
with the language's number formatting: 1.234 and 45,6% in Indonesian) is kept apart from how it is laid out
(``agency_month_pdf``), so the words can be tested without reading a PDF back. A month that has not
begun has no report (``NotFound``: a 404 at the API)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext, pgettext
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


def _indonesian() -> bool:
    return (translation.get_language() or "id").split("-")[0] == "id"


def pdf_path(agency_id: int, month: dt.date) -> Path:
    """The file of one agency's month in the active language (Indonesian: the name it always had)."""
    lang = "" if _indonesian() else "." + translation.get_language().split("-")[0]
    return Path(settings.DATA_DIR) / "analytics" / "pdf" / f"instansi-{agency_id}-{month:%Y-%m}{lang}.pdf"


def number_id(value, decimals: int = 0) -> str:
    """A number as Indonesians write it: thousands with dots, decimals after a comma (12.345,6)."""
    if value is None:
        return "-"
    if decimals == 0 and float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{float(value):,.{decimals or 1}f}".replace(",", "_").replace(".", ",").replace("_", ".")


def number_local(value, decimals: int = 0) -> str:
    """A number as readers of the active language write it (Indonesian: ``number_id``)."""
    if _indonesian() or value is None:
        return number_id(value, decimals)
    if decimals == 0 and float(value).is_integer():
        return f"{int(value):,}"
    return f"{float(value):,.{decimals or 1}f}"


def _pct(v) -> str:
    return "-" if v is None else f"{number_local(v * 100, 1)}%"


def _month_name(month: int) -> str:
    return BULAN[month - 1] if _indonesian() else str(MONTHS[month])


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
    name = f"{_month_name(month.month)} {month.year}"
    if as_of:
        local = as_of.astimezone(tz())
        period = gettext("Periode: %(month)s. Data per %(date)s pukul %(time)s %(zone)s.") % {
            "month": name,
            "date": f"{local.day} {_month_name(local.month)} {local.year}",
            "time": f"{local:%H.%M}" if _indonesian() else f"{local:%H:%M}",
            "zone": local.tzname(),
        }
    else:
        period = gettext("Periode: %(month)s. Belum ada data.") % {"month": name}
    num = number_local
    summary = [
        [gettext("Ukuran"), pgettext("ringkasan", "Nilai")],
        [gettext("Laporan diterima"), num(t["received"])],
        [gettext("Selesai"), num(t["done"])],
        [gettext("Tingkat penyelesaian"), _pct(t["completion_rate"])],
        [gettext("Selesai tepat waktu"), _pct(t["in_time_rate"])],
        [gettext("Melewati batas waktu (saat ini)"), num(t["overdue"])],
        [gettext("Bukan wewenang"), _pct(t["bounce_rate"])],
        [gettext("Dibuka kembali"), _pct(t["reopen_rate"])],
        [gettext("Rata-rata penilaian pelapor"), num(t["rating_avg"], 1) if t["rating_avg"] is not None else "-"],
    ]
    durations = (
        ("verify", gettext("Waktu verifikasi (hari kerja): median / P90")),
        ("follow_up", gettext("Waktu tindak lanjut pertama (hari kerja): median / P90")),
        ("complete", gettext("Waktu penyelesaian (hari kerja): median / P90")),
    )
    for key, label in durations:
        dur = d["durations"][key]
        summary.append([label, f"{num(dur['median'], 1)} / {num(dur['p90'], 1)}"])
    return {
        "title": gettext("Laporan Bulanan Pengaduan — %(agency)s") % {"agency": agency.name},
        "period": period,
        "summary": summary,
        "states": [(str(r["label"]), r["n"]) for r in d["by_state"]],
        "by_state": [[gettext("Status"), gettext("Jumlah")]] + [[str(r["label"]), num(r["n"])] for r in d["by_state"]],
        "top_topics": [[gettext("Topik"), gettext("Jumlah"), gettext("Bulan lalu")]]
        + [[str(r["label"]), num(r["n"]), num(r["previous"])] for r in d["top_topics"]],
        "headings": (gettext("Ringkasan"), gettext("Laporan menurut status"), gettext("Topik terbanyak")),
        "document": gettext("Laporan bulanan %(agency)s") % {"agency": agency.name},
    }


def agency_month_pdf(agency: Agency, month: dt.date) -> Path:
    from reportlab.graphics.charts.barcharts import HorizontalBarChart  # heavy: reportlab
    from reportlab.graphics.shapes import Drawing  # heavy: reportlab
    from reportlab.lib import colors  # heavy: reportlab
    from reportlab.lib.pagesizes import A4  # heavy: reportlab
    from reportlab.lib.styles import getSampleStyleSheet  # heavy: reportlab
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle  # heavy: reportlab

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
        Paragraph(c["headings"][0], styles["Heading2"]),
        Table(c["summary"], colWidths=[300, 150], style=style),
        Spacer(1, 12),
        Paragraph(c["headings"][1], styles["Heading2"]),
    ]
    states = c["states"] or [("-", 0)]
    chart = Drawing(450, 20 * len(states) + 20)
    bars = HorizontalBarChart()
    bars.x, bars.y, bars.width, bars.height = 120, 10, 300, 20 * len(states)
    bars.data = [[n for _label, n in states]]
    bars.categoryAxis.categoryNames = [label for label, _n in states]
    bars.valueAxis.valueMin = 0
    bars.valueAxis.labelTextFormat = number_local
    bars.bars[0].fillColor = colors.HexColor("#1f6f8b")
    chart.add(bars)
    story += [
        chart,
        Table(c["by_state"], colWidths=[300, 150], style=style),
        Spacer(1, 12),
        Paragraph(c["headings"][2], styles["Heading2"]),
        Table(c["top_topics"], colWidths=[250, 100, 100], style=style),
    ]
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=path.stem, suffix=".part", delete=False) as tmp:
        SimpleDocTemplate(tmp, pagesize=A4, title=c["document"], lang=translation.get_language() or "id").build(story)
    Path(tmp.name).replace(path)  # a reader never sees half a file
    return path


def month_is_current(month: dt.date, *, today: dt.date | None = None) -> bool:
    today = today or timezone.now().astimezone(tz()).date()
    return (month.year, month.month) == (today.year, today.month)
