"""Every deadline a citizen reads says whose it is and what happens when it passes."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from lapor.reports import lifecycle as lc
from lapor.reports.projection import peer_due

from .templatetags.lapor_web import long_date


def deadline_explained(report, *, is_reporter: bool = True) -> dict | None:
    """``{"who", "text"}`` for the report's running clock, or None when no clock runs.
    ``report`` is a Report or a ReportView (state, due_at and agency are safe fields)."""
    due = getattr(report, "due_at", None)
    state = report.state
    held = peer_due(report.lens.report if hasattr(report, "lens") else report)
    if held is not None and state in lc.OPEN_STATES:  # forwarded: the peer's clock runs, not ours
        return {"who": held["peer"], "text": held["text"][:1].upper() + held["text"][1:] + ".", "late": held["is_late"]}
    if not due or state not in lc.OPEN_STATES:
        return None
    date = long_date(due)
    if state == lc.State.SUBMITTED:
        return {
            "who": _("Admin Nasional LAPOR!"),
            "text": _(
                "Admin Nasional LAPOR! memverifikasi laporan ini dan meneruskannya ke instansi yang berwenang paling "
                "lambat %(date)s. Bila terlewat, laporan ditandai terlambat dan dipantau langsung oleh pengelola "
                "nasional. Anda tidak perlu berbuat apa-apa."
            )
            % {"date": date},
        }
    if state in (lc.State.ROUTED, lc.State.IN_PROGRESS):
        agency = report.agency.name if report.agency_id else _("Instansi")
        return {
            "who": agency,
            "text": _(
                "%(agency)s wajib mengirim tindak lanjut paling lambat %(date)s. Bila terlewat, laporan ditandai "
                "terlambat dan dilaporkan ke atasan instansi itu. Anda tidak perlu berbuat apa-apa."
            )
            % {"agency": agency, "date": date},
        }
    if state == lc.State.FOLLOWED_UP and not is_reporter:
        return {
            "who": _("Pelapor"),
            "text": _(
                "Pelapor dapat menanggapi jawaban ini sampai %(date)s. Tanpa tanggapan dalam %(days)d hari kerja, "
                "laporan ditutup otomatis sebagai selesai."
            )
            % {"date": date, "days": settings.LAPOR_DEADLINES["reply"]},
        }
    if state == lc.State.FOLLOWED_UP:
        return {
            "who": _("Anda (pelapor)"),
            "text": _(
                "Giliran Anda: tanggapi jawaban ini atau tandai selesai paling lambat %(date)s. Bila Anda diam "
                "selama %(days)d hari kerja, laporan ditutup otomatis sebagai selesai."
            )
            % {"date": date, "days": settings.LAPOR_DEADLINES["reply"]},
        }
    return None
