"""The words of every notification, in Bahasa Indonesia (source) and English (translation).

Staff texts never carry the reporter's identity: only the tracking ID, the title (an anonymous
reporter's name and contacts masked) and the agency.
"""
from __future__ import annotations

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _, gettext_lazy, override

from lapor.reports.deadlines import deadline_for

SMS_NUMBER = "1708"
PLATFORM_QUEUE = gettext_lazy("Admin Nasional")  # the texts' agency for a report in no agency's hands


def report_url(report) -> str:
    template = getattr(settings, "LAPOR_REPORT_URL_TEMPLATE", "{public_url}/lacak/{tracking_id}/")
    return template.format(public_url=settings.LAPOR_PUBLIC_URL.rstrip("/"), tracking_id=report.tracking_id)


def _date(value) -> str:
    return formats.date_format(timezone.localtime(value), "j M Y") if value else "-"


def _excerpt(text: str, size: int = 140) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[: size - 1] + "…"


def _texts(kind: str, report, extra: dict) -> tuple[str, str, str]:
    """(subject/title, long body, short SMS text) for one kind of notification."""
    title = report.title
    if kind.startswith("staff_"):  # as staff see it: an anonymous reporter's name and contacts masked
        from lapor.reports.projection import lens_agency

        title = lens_agency(report).title
    ctx = {"tid": report.tracking_id, "title": _excerpt(title, 80), "url": report_url(report),
           "agency": report.agency.name if report.agency_id else PLATFORM_QUEUE,
           "due": _date(report.due_at), "sms": SMS_NUMBER, **extra}
    if kind == "submitted":  # the verification deadline, even when the report was routed on arrival
        ctx["due"] = _date(deadline_for("verify", report.submitted_at)) if report.submitted_at else ctx["due"]
        return (_("[%(tid)s] Laporan diterima") % ctx,
                _("Terima kasih. Laporan Anda \"%(title)s\" sudah kami terima dengan nomor pelacakan %(tid)s. "
                  "Laporan akan diverifikasi paling lambat %(due)s. Pantau di %(url)s") % ctx,
                _("LAPOR! Laporan Anda diterima. No. %(tid)s. Cek status: kirim STATUS %(tid)s ke %(sms)s") % ctx)
    if kind == "routed":
        return (_("Laporan %(tid)s diteruskan ke %(agency)s") % ctx,
                _("Laporan %(tid)s sudah diverifikasi dan diteruskan ke %(agency)s. "
                  "Tindak lanjut paling lambat %(due)s. %(url)s") % ctx,
                _("LAPOR! %(tid)s diteruskan ke %(agency)s. Tindak lanjut paling lambat %(due)s") % ctx)
    if kind == "follow_up":
        return (_("[%(tid)s] Tindak lanjut laporan Anda") % ctx,
                _("%(agency)s menindaklanjuti laporan %(tid)s:\n\n%(message)s\n\nTanggapi sebelum %(due)s; "
                  "tanpa tanggapan laporan selesai otomatis. %(url)s") % ctx,
                _("LAPOR! %(tid)s: %(short)s Tanggapi: BALAS %(tid)s <isi> ke %(sms)s sebelum %(due)s") % ctx)
    if kind == "info_requested":
        return (_("[%(tid)s] Informasi tambahan diminta") % ctx,
                _("%(agency)s meminta informasi tambahan untuk laporan %(tid)s:\n\n%(message)s\n\n%(url)s") % ctx,
                _("LAPOR! %(tid)s: %(short)s Jawab: BALAS %(tid)s <isi> ke %(sms)s") % ctx)
    if kind == "completed":
        return (_("Laporan %(tid)s selesai") % ctx,
                _("Laporan %(tid)s dinyatakan selesai. Terima kasih telah melapor. Beri penilaian di %(url)s") % ctx,
                _("LAPOR! Laporan %(tid)s selesai. Terima kasih.") % ctx)
    if kind == "auto_completed":
        return (_("Laporan %(tid)s selesai otomatis") % ctx,
                _("Laporan %(tid)s selesai otomatis karena tidak ada tanggapan dalam batas waktu. %(url)s") % ctx,
                _("LAPOR! %(tid)s selesai otomatis (tidak ada tanggapan).") % ctx)
    if kind == "reply_warning":
        return (_("Laporan %(tid)s akan selesai otomatis") % ctx,
                _("Laporan %(tid)s akan selesai otomatis pada %(due)s jika Anda tidak menanggapi tindak lanjut. %(url)s") % ctx,
                _("LAPOR! %(tid)s selesai otomatis %(due)s. Tanggapi: BALAS %(tid)s <isi> ke %(sms)s") % ctx)
    if kind == "staff_inbox":
        return (_("Laporan baru %(tid)s di kotak masuk %(agency)s") % ctx,
                _("Laporan %(tid)s \"%(title)s\" masuk ke %(agency)s. Batas tindak lanjut: %(due)s. %(url)s") % ctx,
                _("LAPOR! Laporan baru %(tid)s di %(agency)s, batas %(due)s") % ctx)
    if kind == "staff_overdue":
        return (_("Laporan %(tid)s melewati batas waktu") % ctx,
                _("Laporan %(tid)s \"%(title)s\" di %(agency)s melewati batas waktu. %(url)s") % ctx,
                _("LAPOR! %(tid)s melewati batas waktu") % ctx)
    if kind == "staff_escalated":
        return (_("Laporan %(tid)s dieskalasi kepada Anda") % ctx,
                _("Laporan %(tid)s \"%(title)s\" di %(agency)s terlambat dan dieskalasi kepada Anda. %(url)s") % ctx,
                _("LAPOR! %(tid)s dieskalasi kepada Anda") % ctx)
    if kind == "privacy_changed":
        ctx["what"] = _privacy_what(extra.get("privacy") or {})
        who = extra.get("privacy_by")
        ctx["who"] = (_("Anda") if who == "reporter" else str(PLATFORM_QUEUE) if who == "platform"
                      else _("petugas %(agency)s") % ctx)
        return (_("[%(tid)s] Pengaturan privasi laporan diubah") % ctx,
                _("Pengaturan privasi laporan %(tid)s \"%(title)s\" diubah oleh %(who)s: %(what)s. Alasan: %(reason)s. "
                  "Jika Anda tidak meminta perubahan ini, hubungi kami melalui %(url)s") % ctx,
                _("LAPOR! Privasi laporan %(tid)s diubah oleh %(who)s: %(what)s. Info: %(url)s") % ctx)
    raise ValueError(kind)


def _privacy_what(privacy: dict) -> str:
    parts = []
    if "is_anonymous" in privacy:
        parts.append(_("Anonim aktif (nama Anda tidak ditampilkan kepada instansi)") if privacy["is_anonymous"]
                     else _("Anonim nonaktif (nama Anda ditampilkan kepada instansi)"))
    if "is_confidential" in privacy:
        parts.append(_("Rahasia aktif (laporan tidak ditampilkan kepada publik)") if privacy["is_confidential"]
                     else _("Rahasia nonaktif (laporan dapat dilihat publik)"))
    return "; ".join(parts)


def render(kind: str, report, *, lang: str = "id", **extra) -> dict:
    with override(lang if lang in ("id", "en") else "id"):
        if "message" in extra:
            extra.setdefault("short", _excerpt(extra["message"], 60))
        subject, body, sms = _texts(kind, report, extra)
    return {"kind": kind, "subject": subject, "body": body, "sms": sms}
