"""The monthly report per agency (laporan bulanan), as a PDF in Bahasa Indonesia (reportlab)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings

from lapor.agencies.models import Agency

from .selectors import Period, dashboard_get

BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
         "November", "Desember"]


def pdf_path(agency_id: int, month: dt.date) -> Path:
    return Path(settings.DATA_DIR) / "analytics" / "pdf" / f"instansi-{agency_id}-{month:%Y-%m}.pdf"


def _pct(v) -> str:
    return "-" if v is None else f"{v * 100:.1f}%"


def agency_month_pdf(agency: Agency, month: dt.date) -> Path:
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    month = month.replace(day=1)
    d = dashboard_get(f"a:{agency.pk}", Period(month, month))
    t = d["totals"]
    path = pdf_path(agency.pk, month)
    path.parent.mkdir(parents=True, exist_ok=True)
    styles = getSampleStyleSheet()
    style = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)])
    story = [Paragraph(f"Laporan Bulanan Pengaduan — {agency.name}", styles["Title"]),
             Paragraph(f"Periode: {BULAN[month.month - 1]} {month.year}. Data per "
                       f"{d['data_as_of']:%d-%m-%Y %H:%M} UTC." if d["data_as_of"] else "Belum ada data.", styles["Normal"]),
             Spacer(1, 12), Paragraph("Ringkasan", styles["Heading2"])]
    summary = [["Ukuran", "Nilai"], ["Laporan diterima", t["received"]], ["Selesai", t["done"]],
               ["Tingkat penyelesaian", _pct(t["completion_rate"])], ["Selesai tepat waktu", _pct(t["in_time_rate"])],
               ["Melewati batas waktu (saat ini)", t["overdue"]], ["Bukan wewenang", _pct(t["bounce_rate"])],
               ["Dibuka kembali", _pct(t["reopen_rate"])],
               ["Rata-rata penilaian pelapor", t["rating_avg"] if t["rating_avg"] is not None else "-"]]
    for key, label in (("verify", "verifikasi"), ("follow_up", "tindak lanjut pertama"), ("complete", "penyelesaian")):
        dur = d["durations"][key]
        summary.append([f"Waktu {label} (hari kerja): median / P90",
                        f"{dur['median'] if dur['median'] is not None else '-'} / {dur['p90'] if dur['p90'] is not None else '-'}"])
    story += [Table(summary, colWidths=[300, 150], style=style), Spacer(1, 12),
              Paragraph("Laporan menurut status", styles["Heading2"])]
    states = d["by_state"] or [{"label": "-", "n": 0}]
    chart = Drawing(450, 20 * len(states) + 20)
    bars = HorizontalBarChart()
    bars.x, bars.y, bars.width, bars.height = 120, 10, 300, 20 * len(states)
    bars.data = [[r["n"] for r in states]]
    bars.categoryAxis.categoryNames = [r["label"] for r in states]
    bars.valueAxis.valueMin = 0
    bars.bars[0].fillColor = colors.HexColor("#1f6f8b")
    chart.add(bars)
    story += [chart, Table([["Status", "Jumlah"]] + [[r["label"], r["n"]] for r in d["by_state"]],
                           colWidths=[300, 150], style=style), Spacer(1, 12),
              Paragraph("Topik terbanyak", styles["Heading2"]),
              Table([["Topik", "Jumlah", "Bulan lalu"]] + [[r["label"], r["n"], r["previous"]] for r in d["top_topics"]],
                    colWidths=[250, 100, 100], style=style)]
    SimpleDocTemplate(str(path), pagesize=A4, title=f"Laporan bulanan {agency.name}", lang="id").build(story)
    return path
