"""The words of every notification, in Bahasa Indonesia (source) and English (translation).

Staff texts never carry the reporter's identity: only the tracking ID, the title (an anonymous
reporter's name and contacts masked) and the agency.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from lapor.reports.deadlines import deadline_for
from lapor.reports.models import ArchiveReason
from lapor.reports.projection import lens_agency, lens_for
from lapor.reports.services import report_access_token

from .sms import sms_fit, sms_gsm7

SMS_NUMBER = "1708"
PLATFORM_QUEUE = gettext_lazy("Admin Nasional")  # the texts' agency for a report in no agency's hands


def report_url(report) -> str:
    template = settings.LAPOR_REPORT_URL_TEMPLATE
    return template.format(public_url=settings.LAPOR_PUBLIC_URL.rstrip("/"), tracking_id=report.tracking_id)


def private_url(report) -> str:
    """The reporter's own link (reply, complete, rate) in every e-mail to them."""
    path = reverse("web:track_private", args=[report.tracking_id, report_access_token(report)])
    return settings.LAPOR_PUBLIC_URL.rstrip("/") + path


def short_url(report) -> str:
    """The same key in fewer characters, for SMS."""
    path = reverse("web:track_short", args=[report.tracking_id, report_access_token(report)])
    return settings.LAPOR_PUBLIC_URL.rstrip("/") + path


def _date(value) -> str:
    return formats.date_format(timezone.localtime(value), "j M Y") if value else "-"


def _excerpt(text: str, size: int = 140) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[: size - 3] + "..."


def sms_max_segments() -> int:
    return max(1, int(settings.LAPOR_SMS_ANSWER_SEGMENTS))


def _answer_sms(head: str, message: str, tail: str) -> str:
    """An agency's answer in up to LAPOR_SMS_ANSWER_SEGMENTS parts, the rest behind the link."""
    return sms_fit(head, message, tail, max_segments=sms_max_segments())


def _archive_reason(ctx: dict) -> str:
    code = ctx.get("archive_reason") or ""
    parts = [str(ArchiveReason(code).label)] if code in ArchiveReason.values else []
    if ctx.get("archive_note"):
        parts.append(ctx["archive_note"])
    text = ": ".join(parts) or "-"
    return f"{text} ({ctx['duplicate_of']})" if ctx.get("duplicate_of") else text


def _reporter_texts(kind: str, ctx: dict) -> tuple[str, str, str]:
    """(subject, e-mail body, SMS) for the reporter; ``url`` is their private link, ``shortlink`` its short form."""
    if kind == "submitted":
        return (
            _("[%(tid)s] Laporan diterima") % ctx,
            _(
                'Terima kasih. Laporan Anda "%(title)s" sudah kami terima dengan nomor pelacakan %(tid)s. '
                "Laporan akan diverifikasi paling lambat %(due)s. Pantau di %(url)s"
            )
            % ctx,
            _(
                "LAPOR! Laporan Anda diterima. No. %(tid)s. Pantau & tanggapi: %(shortlink)s "
                "atau kirim STATUS %(tid)s ke %(sms)s"
            )
            % ctx,
        )
    if kind == "routed":
        return (
            _("Laporan %(tid)s diteruskan ke %(agency)s") % ctx,
            _(
                "Laporan %(tid)s sudah diverifikasi dan diteruskan ke %(agency)s. "
                "Tindak lanjut paling lambat %(due)s. %(url)s"
            )
            % ctx,
            _("LAPOR! %(tid)s diteruskan ke %(agency)s. Tindak lanjut paling lambat %(due)s. %(shortlink)s") % ctx,
        )
    if kind == "follow_up":
        return (
            _("[%(tid)s] Tindak lanjut laporan Anda") % ctx,
            _(
                "%(agency)s menindaklanjuti laporan %(tid)s:\n\n%(message)s\n\nTanggapi sebelum %(due)s; "
                "tanpa tanggapan laporan selesai otomatis. %(url)s"
            )
            % ctx,
            _answer_sms(
                _("LAPOR! %(tid)s %(agency)s: ") % ctx,
                ctx["message"],
                _(
                    " Selengkapnya: %(shortlink)s Tanggapi: BALAS %(tid)s <isi> ke %(sms)s sebelum %(due)s; "
                    "tanpa tanggapan laporan selesai otomatis."
                )
                % ctx,
            ),
        )
    if kind == "info_requested":
        return (
            _("[%(tid)s] Informasi tambahan diminta") % ctx,
            _("%(agency)s meminta informasi tambahan untuk laporan %(tid)s:\n\n%(message)s\n\n%(url)s") % ctx,
            _answer_sms(
                _("LAPOR! %(tid)s %(agency)s: ") % ctx,
                ctx["message"],
                _(" Selengkapnya: %(shortlink)s Jawab: BALAS %(tid)s <isi> ke %(sms)s") % ctx,
            ),
        )
    if kind == "completed":
        return (
            _("Laporan %(tid)s selesai") % ctx,
            _("Laporan %(tid)s dinyatakan selesai. Terima kasih telah melapor. Beri penilaian di %(url)s") % ctx,
            _("LAPOR! Laporan %(tid)s selesai. Beri penilaian: %(shortlink)s atau NILAI %(tid)s <1-5> ke %(sms)s")
            % ctx,
        )
    if kind == "auto_completed":
        return (
            _("Laporan %(tid)s selesai otomatis") % ctx,
            _("Laporan %(tid)s selesai otomatis karena tidak ada tanggapan dalam batas waktu. %(url)s") % ctx,
            _("LAPOR! %(tid)s selesai otomatis (tidak ada tanggapan). Nilai: %(shortlink)s atau NILAI %(tid)s <1-5>")
            % ctx,
        )
    if kind == "reply_warning":
        return (
            _("Laporan %(tid)s akan selesai otomatis") % ctx,
            _("Laporan %(tid)s akan selesai otomatis pada %(due)s jika Anda tidak menanggapi tindak lanjut. %(url)s")
            % ctx,
            _("LAPOR! %(tid)s selesai otomatis %(due)s. Tanggapi: %(shortlink)s atau BALAS %(tid)s <isi> ke %(sms)s")
            % ctx,
        )
    if kind == "archived":
        ctx["reason"] = _archive_reason(ctx)
        return (
            _("[%(tid)s] Laporan diarsipkan") % ctx,
            _(
                'Laporan %(tid)s "%(title)s" diarsipkan dan tidak ditindaklanjuti lebih lanjut.\n\n'
                "Alasan: %(reason)s\n\nRincian: %(url)s"
            )
            % ctx,
            _answer_sms(
                _("LAPOR! %(tid)s diarsipkan. Alasan: ") % ctx, ctx["reason"], _(" Rincian: %(shortlink)s") % ctx
            ),
        )
    if kind == "link_resent":
        return (
            _("[%(tid)s] Tautan pribadi laporan Anda") % ctx,
            _(
                "Tautan pribadi untuk laporan %(tid)s, sesuai permintaan Anda:\n\n%(url)s\n\n"
                "Jangan bagikan tautan ini: siapa pun yang memilikinya dapat menanggapi laporan Anda."
            )
            % ctx,
            _("LAPOR! Tautan laporan %(tid)s: %(shortlink)s Jangan bagikan tautan ini.") % ctx,
        )
    if kind == "privacy_changed":
        ctx["what"] = _privacy_what(ctx.get("privacy") or {})
        who = ctx.get("privacy_by")
        ctx["who"] = (
            _("Anda")
            if who == "reporter"
            else str(PLATFORM_QUEUE)
            if who == "platform"
            else _("petugas %(agency)s") % ctx
        )
        return (
            _("[%(tid)s] Pengaturan privasi laporan diubah") % ctx,
            _(
                'Pengaturan privasi laporan %(tid)s "%(title)s" diubah oleh %(who)s: %(what)s. Alasan: %(reason)s. '
                "Jika Anda tidak meminta perubahan ini, hubungi kami melalui %(url)s"
            )
            % ctx,
            _("LAPOR! Privasi laporan %(tid)s diubah oleh %(who)s: %(what)s. Info: %(shortlink)s") % ctx,
        )
    raise ValueError(kind)


def _staff_texts(kind: str, ctx: dict) -> tuple[str, str, str]:
    if kind == "staff_inbox":
        return (
            _("Laporan baru %(tid)s di kotak masuk %(agency)s") % ctx,
            _('Laporan %(tid)s "%(title)s" masuk ke %(agency)s. Batas tindak lanjut: %(due)s. %(url)s') % ctx,
            _("LAPOR! Laporan baru %(tid)s di %(agency)s, batas %(due)s") % ctx,
        )
    if kind == "staff_overdue":
        return (
            _("Laporan %(tid)s melewati batas waktu") % ctx,
            _('Laporan %(tid)s "%(title)s" di %(agency)s melewati batas waktu. %(url)s') % ctx,
            _("LAPOR! %(tid)s melewati batas waktu") % ctx,
        )
    if kind == "staff_escalated":
        return (
            _("Laporan %(tid)s dieskalasi kepada Anda") % ctx,
            _('Laporan %(tid)s "%(title)s" di %(agency)s terlambat dan dieskalasi kepada Anda. %(url)s') % ctx,
            _("LAPOR! %(tid)s dieskalasi kepada Anda") % ctx,
        )
    if kind == "staff_replied":
        return (
            _("[%(tid)s] Pelapor menanggapi tindak lanjut") % ctx,
            _(
                'Pelapor menanggapi tindak lanjut laporan %(tid)s "%(title)s" di %(agency)s:\n\n%(message)s\n\n'
                "Batas tindak lanjut berikutnya: %(due)s. %(url)s"
            )
            % ctx,
            _("LAPOR! Pelapor menanggapi %(tid)s, batas %(due)s") % ctx,
        )
    if kind == "staff_reply_relayed":  # a federated peer holds the report (partners/relay.py)
        return (
            _("[%(tid)s] Tanggapan pelapor diteruskan ke %(peer)s") % ctx,
            _(
                'Pelapor menanggapi jawaban atas laporan %(tid)s "%(title)s":\n\n%(message)s\n\n'
                "Laporan ini ditangani %(peer)s; tanggapan sudah diteruskan ke sana. "
                "Tidak ada tindakan yang diperlukan dari %(agency)s. %(url)s"
            )
            % ctx,
            _("LAPOR! Tanggapan pelapor %(tid)s diteruskan ke %(peer)s; tidak perlu tindakan") % ctx,
        )
    raise ValueError(kind)


def _texts(kind: str, report, extra: dict) -> tuple[str, str, str]:
    """(subject/title, long body, short SMS text) for one kind of notification. Every report field
    passes the lens of its reader: the reporter's own, or the agency's (an anonymous reporter's
    name and contacts masked)."""
    staff = kind.startswith("staff_")
    lens = lens_agency(report) if staff else lens_for(report, None, is_reporter=True)
    ctx = {
        "tid": report.tracking_id,
        "title": _excerpt(lens.title, 80),
        "agency": report.agency.name if report.agency_id else PLATFORM_QUEUE,
        "due": _date(report.due_at),
        "sms": SMS_NUMBER,
        **extra,
    }
    if "message" in ctx:
        ctx["message"] = lens.text(ctx["message"])
    if staff:
        ctx["url"] = report_url(report)
        return _staff_texts(kind, ctx)
    ctx["url"], ctx["shortlink"] = private_url(report), short_url(report)
    if kind == "submitted":  # the verification deadline, even when the report was routed on arrival
        ctx["due"] = _date(deadline_for("verify", report.submitted_at)) if report.submitted_at else ctx["due"]
    return _reporter_texts(kind, ctx)


def _email_footer(report) -> str:
    return _(
        "Balas e-mail ini untuk menanggapi; bila sudah tuntas, balas dengan nilai 1-5 (PUAS, atau TIDAK PUAS "
        "dengan alasannya). Atau kelola laporan Anda (tanggapi, selesaikan, beri penilaian) lewat tautan "
        "pribadi ini: %(url)s"
    ) % {"url": private_url(report)}


def _privacy_what(privacy: dict) -> str:
    parts = []
    if "is_anonymous" in privacy:
        parts.append(
            _("Anonim aktif (nama Anda tidak ditampilkan kepada instansi)")
            if privacy["is_anonymous"]
            else _("Anonim nonaktif (nama Anda ditampilkan kepada instansi)")
        )
    if "is_confidential" in privacy:
        parts.append(
            _("Rahasia aktif (laporan tidak ditampilkan kepada publik)")
            if privacy["is_confidential"]
            else _("Rahasia nonaktif (laporan dapat dilihat publik)")
        )
    return "; ".join(parts)


def render(kind: str, report, *, lang: str = "id", **extra) -> dict:
    with override(lang if lang in ("id", "en") else "id"):
        subject, body, sms = _texts(kind, report, extra)
        email = body if kind.startswith("staff_") else body + "\n\n--\n" + _email_footer(report)
    if f"[{report.tracking_id}]" not in subject:  # a reply to any of our e-mails names its report
        subject = f"[{report.tracking_id}] {subject}"
    return {"kind": kind, "subject": subject, "body": body, "email": email, "sms": sms_gsm7(sms)}
