"""SMS 1708: keywords (configurable, Indonesian by default), concatenated parts, gateway retries.

LAPOR <isi>          files a report (plain text without a keyword too)
STATUS <id>          answers with the status and deadline of one's own report
BALAS <id> <isi>     adds a reply, only from the reporter's own number
NILAI <id> <1-5>     rates the answer (also PUAS / TIDAK PUAS <alasan>; read by ``rating.rating_parse``);
                     without the id, or a bare score, it rates the number's report awaiting a rating
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from lapor.accounts.models import User
from lapor.accounts.phones import phone_normalize
from lapor.core.errors import DomainError, ValidationFailed
from lapor.notifications.messages import short_url
from lapor.notifications.services import outbox_enqueue
from lapor.notifications.sms import sms_gsm7
from lapor.reports import lifecycle as lc
from lapor.reports.models import Channel, Report, tracking_id_normalize
from lapor.reports.services import Actor, Submission, report_reply, report_submit

from .models import InboundMessage, SmsPart
from .rating import Rating, rating_give, rating_keyword, rating_parse

KEYWORDS = {"report": ["LAPOR", "ADUAN", "SAMBAT"], "status": ["STATUS", "CEK"], "reply": ["BALAS"]}
MAX_PARTS = 20


def keywords() -> dict[str, list[str]]:
    return {**KEYWORDS, **settings.LAPOR_SMS_KEYWORDS}


@dataclass(frozen=True)
class Command:
    """A text message read as a command (shared by SMS and WhatsApp): ``kind`` is "report",
    "status", "reply" or "text" (no keyword); ``keyword`` the word as written (upper case);
    ``tracking`` the raw tracking id of STATUS/BALAS; ``body`` the rest."""

    kind: str
    keyword: str = ""
    tracking: str = ""
    body: str = ""


def command_parse(text: str) -> Command:
    words = text.strip().split(maxsplit=2)
    head = words[0].upper() if words else ""
    kw = keywords()
    if head in kw["status"] or head in kw["reply"]:
        return Command(
            "status" if head in kw["status"] else "reply",
            head,
            words[1] if len(words) > 1 else "",
            words[2] if len(words) > 2 else "",
        )
    if head in kw["report"]:
        return Command("report", head, body=text.strip().split(maxsplit=1)[1] if len(words) > 1 else "")
    return Command("text", body=text.strip())


@dataclass
class SmsIn:
    sender: str
    text: str
    message_id: str
    time: str = ""
    part: int = 1
    total: int = 1
    ref: str = ""


def sms_in(data: dict) -> SmsIn:
    """Validate a gateway payload (form or JSON fields)."""

    def _int(name: str, default: int) -> int:
        try:
            return int(data.get(name) or default)
        except (TypeError, ValueError):
            raise ValidationFailed(
                _("Kolom %(f)s harus berupa angka.") % {"f": name}, code="invalid", detail={"field": name}
            ) from None

    sender, message_id = str(data.get("sender") or ""), str(data.get("message_id") or "").strip()
    if not message_id or len(message_id) > 200:
        raise ValidationFailed(_("message_id wajib diisi."), code="required", detail={"field": "message_id"})
    if phone_normalize(sender) is None:
        raise ValidationFailed(_("Nomor pengirim tidak valid."), code="invalid_phone", detail={"field": "sender"})
    if not isinstance(data.get("text"), str):
        raise ValidationFailed(_("Kolom text wajib diisi."), code="required", detail={"field": "text"})
    part, total = _int("part", 1), _int("total", 1)
    if not (1 <= part <= total <= MAX_PARTS):
        raise ValidationFailed(_("Nomor bagian SMS tidak valid."), code="invalid_part", detail={"field": "part"})
    ref = str(data.get("ref") or "")[:40]
    if total > 1 and not ref:
        raise ValidationFailed(_("SMS bersambung memerlukan ref."), code="required", detail={"field": "ref"})
    return SmsIn(
        sender=phone_normalize(sender),
        text=data["text"][:2000],
        message_id=message_id,
        time=str(data.get("time") or ""),
        part=part,
        total=total,
        ref=ref,
    )


def citizen_for_phone(phone: str) -> User:
    user = User.objects.filter(phone=phone).first()
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(phone=phone, full_name="")  # unusable password
        except IntegrityError:
            user = User.objects.get(phone=phone)
    return user


def _answer(phone: str, text: str, key: str, report: Report | None = None) -> None:
    outbox_enqueue(
        channel="sms", recipient=phone, payload={"text": sms_gsm7(text)}, dedupe_key=f"sms-answer:{key}", report=report
    )


def _own_report(phone: str, raw_id: str) -> Report | None:
    tid = tracking_id_normalize(raw_id)
    report = Report.objects.filter(tracking_id=tid).select_related("reporter", "agency").first()
    if report is None:
        return None
    owner = report.reporter.phone if report.reporter_id else report.guest_phone
    return report if owner == phone else None


def _title(body: str) -> str:
    first = " ".join(body.split())
    return first if len(first) <= 60 else first[:57].rsplit(" ", 1)[0] + "..."


def awaiting_rating(phone: str) -> Report | None:
    """The number's most recent report that waits for its reporter's answer or rating."""
    for report in (
        Report.objects.filter(Q(reporter__phone=phone) | Q(reporter__isnull=True, guest_phone=phone))
        .filter(state__in=(lc.State.FOLLOWED_UP, lc.State.DONE), rating=None)
        .select_related("reporter", "agency")
        .order_by("-updated_at")[:1]
    ):
        return report
    return None


def _rate(sms: SmsIn, rating: Rating) -> dict:
    phone, key = sms.sender, sms.message_id
    report = _own_report(phone, rating.tracking) if rating.tracking else awaiting_rating(phone)
    if report is None:
        _answer(phone, _("LAPOR! Laporan tidak ditemukan untuk nomor ini. Format: NILAI <nomor> <1-5> <komentar>"), key)
        return {"status": "rejected", "action": "rate", "reason": "not_found"}
    try:
        rating_give(report=report, actor=Actor(user=report.reporter, is_reporter=True), rating=rating)
    except DomainError as exc:
        _answer(phone, f"LAPOR! {report.tracking_id}: {exc.message}", key, report)
        return {"status": "rejected", "action": "rate", "reason": exc.code, "tracking_id": report.tracking_id}
    text = (
        _("LAPOR! Terima kasih atas penilaian Anda untuk %(tid)s.")
        if rating.satisfied
        else _("LAPOR! Laporan %(tid)s dibuka kembali; instansi akan menindaklanjutinya lagi.")
    )
    _answer(phone, text % {"tid": report.tracking_id}, key, report)
    return {"status": "ok", "action": "rate", "tracking_id": report.tracking_id}


def _command(sms: SmsIn, text: str) -> dict:
    rating = rating_parse(text)
    if rating is not None and (rating.keyword or awaiting_rating(sms.sender) is not None):
        return _rate(sms, rating)
    if rating is None and rating_keyword(text):
        _answer(
            sms.sender,
            _("LAPOR! Format: NILAI <nomor> <1-5> <komentar>, atau PUAS / TIDAK PUAS <alasan>"),
            sms.message_id,
        )
        return {"status": "rejected", "action": "rate", "reason": "format"}
    command = command_parse(text)
    head, phone, key = command.keyword, sms.sender, sms.message_id
    if command.kind == "reply" and not command.body:  # "BALAS" or "BALAS <nomor>" without the answer itself
        _answer(
            phone,
            _("LAPOR! Format: %(k)s <nomor> <isi>, contoh: %(k)s ABCD-1234 Jalan belum diperbaiki.") % {"k": head},
            key,
        )
        return {"status": "rejected", "action": "reply", "reason": "format"}
    if command.kind in ("status", "reply"):
        report = _own_report(phone, command.tracking) if command.tracking else None
        if report is None:
            usage = (
                _("LAPOR! Laporan tidak ditemukan untuk nomor ini. Format: %(k)s <nomor> <isi>")
                if command.kind == "reply"
                else _("LAPOR! Laporan tidak ditemukan untuk nomor ini. Format: %(k)s <nomor laporan>")
            )
            _answer(phone, usage % {"k": head}, key)
            return {"status": "rejected", "action": command.kind, "reason": "not_found"}
        if command.kind == "status":
            due = formats.date_format(timezone.localtime(report.due_at), "j M Y") if report.due_at else "-"
            _answer(
                phone,
                _("LAPOR! %(tid)s: %(state)s. Batas waktu: %(due)s. Rincian: %(link)s")
                % {
                    "tid": report.tracking_id,
                    "state": lc.State(report.state).label,
                    "due": due,
                    "link": short_url(report),
                },
                key,
                report,
            )
            return {"status": "ok", "action": "status", "tracking_id": report.tracking_id}
        body = command.body
        try:
            report_reply(report=report, actor=Actor(user=report.reporter, is_reporter=True), body=body)
        except DomainError as exc:
            _answer(phone, f"LAPOR! {report.tracking_id}: {exc.message}", key, report)
            return {"status": "rejected", "action": "reply", "reason": exc.code}
        _answer(phone, _("LAPOR! Tanggapan Anda untuk %(tid)s diterima.") % {"tid": report.tracking_id}, key, report)
        return {"status": "ok", "action": "reply", "tracking_id": report.tracking_id}
    body = command.body
    if not body:
        _answer(
            phone,
            _("LAPOR! Format: LAPOR <isi laporan>. Cek status: STATUS <nomor>. Tanggapi: BALAS <nomor> <isi>"),
            key,
        )
        return {"status": "rejected", "action": "help", "reason": "empty"}
    report, _secret = report_submit(
        submission=Submission(title=_title(body), body=body, channel=Channel.SMS),
        reporter=citizen_for_phone(phone),
        event_data={"sms_message_id": sms.message_id},
    )
    return {"status": "ok", "action": "report", "tracking_id": report.tracking_id}


@transaction.atomic
def sms_receive(*, sms: SmsIn) -> tuple[int, dict]:
    """Handle one gateway message. Returns (HTTP status, body); a retry returns the first answer."""
    seen = InboundMessage.objects.filter(channel="sms", external_id=sms.message_id).first()
    if seen is not None:
        return 200, {**seen.response, "duplicate": True}
    try:
        with transaction.atomic():
            inbound = InboundMessage.objects.create(channel="sms", external_id=sms.message_id)
    except IntegrityError:  # a concurrent retry won the race
        return 200, {
            **InboundMessage.objects.get(channel="sms", external_id=sms.message_id).response,
            "duplicate": True,
        }
    text = sms.text
    if sms.total > 1:
        SmsPart.objects.get_or_create(
            sender=sms.sender, ref=sms.ref, part=sms.part, defaults={"total": sms.total, "text": sms.text}
        )
        parts = list(SmsPart.objects.select_for_update().filter(sender=sms.sender, ref=sms.ref).order_by("part"))
        if len(parts) < sms.total:
            inbound.response = {"status": "partial", "received": len(parts), "total": sms.total}
            inbound.save(update_fields=["response"])
            return 202, inbound.response
        text = "".join(p.text for p in parts)
        SmsPart.objects.filter(sender=sms.sender, ref=sms.ref).delete()
    response = _command(sms, text)
    if response.get("tracking_id"):
        inbound.report = Report.objects.filter(tracking_id=response["tracking_id"]).first()
    inbound.response = response
    inbound.save(update_fields=["response", "report"])
    return 200, response
