"""E-mail intake: one function that turns raw MIME bytes into a report or a threaded reply,
used by the signed webhook and by the IMAP poller (which stays a thin fetch loop)."""

from __future__ import annotations

import hashlib
import imaplib
import logging
import re
from email import policy
from email.parser import BytesParser
from email.utils import parseaddr

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import override

from lapor.core.errors import DomainError, ValidationFailed
from lapor.notifications.messages import private_url
from lapor.notifications.notify import guest_language
from lapor.notifications.selectors import email_thread_report
from lapor.notifications.services import outbox_enqueue
from lapor.reports.attachments import attachment_add
from lapor.reports.models import Channel, Report
from lapor.reports.services import Actor, Submission, report_reply, report_submit

from .models import InboundMessage
from .rating import Rating, rating_awaited, rating_give, rating_parse

log = logging.getLogger(__name__)
TRACKING_IN_SUBJECT = re.compile(r"\[([0-9A-Z]{4}-[0-9A-Z]{4})\]", re.IGNORECASE)
TRACKING_BARE = re.compile(r"(?<![0-9A-Z])([0-9A-Z]{4}-[0-9A-Z]{4})(?![0-9A-Z])", re.IGNORECASE)
MAX_RAW_BYTES = 30 * 1024 * 1024


def _text(msg) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    if part.get_content_type() == "text/html":
        content = strip_tags(content)
    lines = [line for line in content.splitlines() if not line.lstrip().startswith(">")]  # quoted history
    return "\n".join(lines).strip()


def _attachments(msg) -> list[tuple[str, bytes]]:
    files = []
    for part in msg.iter_attachments():
        data = part.get_payload(decode=True)
        if data:
            files.append((part.get_filename() or "lampiran", data))
    return files


def _thread(msg, subject: str, sender: str) -> tuple[Report | None, str]:
    """The report a message answers, and to whom we had written the message it answers: first by
    In-Reply-To/References against the Message-IDs we sent, then by a tracking number in the
    subject ("[ABCD-1234]", or a bare one when the sender is that report's reporter)."""
    found = email_thread_report([str(msg.get("In-Reply-To", "")), str(msg.get("References", ""))])
    if found is not None:
        report = Report.objects.filter(pk=found[0]).select_related("reporter").first()
        if report is not None:
            return report, found[1].strip().lower()
    match = TRACKING_IN_SUBJECT.search(subject)
    if match:
        return Report.objects.filter(tracking_id=match.group(1).upper()).select_related("reporter").first(), ""
    for tid in TRACKING_BARE.findall(subject)[:3]:
        report = Report.objects.filter(tracking_id=tid.upper()).select_related("reporter").first()
        if report is not None and _reporter_email(report) == sender:
            return report, ""
    return None, ""


def _answer_refused(report: Report, sender: str, exc: DomainError, msg) -> None:
    """A reply that cannot be recorded gets an answer in the reporter's language, with their link:
    once a day per report at most, and never to an automatic message (no mail loop with an
    out-of-office responder)."""
    if str(msg.get("Auto-Submitted", "no")).strip().lower() != "no" or str(
        msg.get("Precedence", "")
    ).strip().lower() in ("bulk", "junk", "list", "auto_reply"):
        return

    lang = (report.reporter.language if report.reporter_id else guest_language(report)) or "id"
    with override(lang if lang in ("id", "en") else "id"):
        ctx = {"tid": report.tracking_id, "reason": str(exc.message), "url": private_url(report)}
        payload = {
            "subject": _("[%(tid)s] Tanggapan Anda tidak dapat dicatat") % ctx,
            "body": _(
                "Tanggapan Anda untuk laporan %(tid)s tidak dapat dicatat: %(reason)s\n\n"
                "Lihat laporan, beri penilaian atau minta dibuka kembali lewat tautan pribadi ini: %(url)s"
            )
            % ctx,
        }
    outbox_enqueue(
        channel="email",
        recipient=sender,
        payload=payload,
        report=report,
        dedupe_key=f"mail-answer:{report.pk}:{timezone.localdate():%Y%m%d}",
    )


def _rating(body: str, report: Report) -> Rating | None:
    """A reply whose first line is a rating ("5", "NILAI 4", "TIDAK PUAS ...") to a report waiting
    for one; the lines under it (a signature, "Sent from my phone") are no comment."""
    first = next((line for line in body.splitlines() if line.strip()), "")
    return rating_parse(first) if rating_awaited(report) else None


def _rate(report: Report, sender: str, rating: Rating, msg) -> dict:
    try:
        rating_give(report=report, actor=Actor(user=report.reporter, is_reporter=True), rating=rating)
    except DomainError as exc:
        _answer_refused(report, sender, exc, msg)
        return {"status": "rejected", "action": "rate", "reason": exc.code, "tracking_id": report.tracking_id}

    lang = (report.reporter.language if report.reporter_id else guest_language(report)) or "id"
    with override(lang if lang in ("id", "en") else "id"):
        ctx = {"tid": report.tracking_id, "score": rating.score}
        payload = {
            "subject": _("[%(tid)s] Penilaian Anda diterima") % ctx,
            "body": _("Terima kasih atas penilaian Anda (%(score)s dari 5) untuk laporan %(tid)s.") % ctx
            if rating.satisfied
            else _("Laporan %(tid)s dibuka kembali; instansi akan menindaklanjutinya lagi.") % ctx,
        }
    outbox_enqueue(
        channel="email", recipient=sender, payload=payload, report=report, dedupe_key=f"mail-rated:{report.pk}"
    )
    return {"status": "ok", "action": "rate", "tracking_id": report.tracking_id}


def _reporter_email(report: Report) -> str:
    return ((report.reporter.email if report.reporter_id else report.guest_email) or "").lower()


def _attach(report: Report, actor: Actor, files, message=None) -> list[str]:
    skipped = []
    for name, data in files:
        try:
            attachment_add(report=report, actor=actor, name=name, data=data, message=message)
        except DomainError as exc:  # a refused file does not lose the report
            skipped.append(f"{name[:80]}: {exc.code}")
    return skipped


@transaction.atomic
def email_receive(*, raw: bytes) -> dict:
    if not raw or len(raw) > MAX_RAW_BYTES:
        raise ValidationFailed(_("Pesan e-mail kosong atau terlalu besar."), code="invalid_email")
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    name, sender = parseaddr(str(msg.get("From", "")))
    sender = sender.strip().lower()
    if "@" not in sender:
        raise ValidationFailed(
            _("Alamat pengirim (From) tidak valid."), code="invalid_sender", detail={"field": "From"}
        )
    message_id = str(msg.get("Message-ID", "")).strip() or hashlib.sha256(raw).hexdigest()
    seen = InboundMessage.objects.filter(channel="email", external_id=message_id[:255]).first()
    if seen is not None:
        return {**seen.response, "duplicate": True}
    try:
        with transaction.atomic():
            inbound = InboundMessage.objects.create(channel="email", external_id=message_id[:255])
    except IntegrityError:
        return {**InboundMessage.objects.get(channel="email", external_id=message_id[:255]).response, "duplicate": True}
    subject = " ".join(str(msg.get("Subject", "")).split())
    body, files = _text(msg), _attachments(msg)
    report, our_recipient = _thread(msg, subject, sender)
    if report is not None and _reporter_email(report) != sender and our_recipient == sender:
        # a reply by staff (or anyone else we wrote to) to one of our messages is no new report
        response = {
            "status": "rejected",
            "action": "reply",
            "reason": "not_reporter",
            "tracking_id": report.tracking_id,
        }
    elif report is not None and _reporter_email(report) == sender and _rating(body, report) is not None:
        response = _rate(report, sender, _rating(body, report), msg)
    elif report is not None and _reporter_email(report) == sender:
        actor = Actor(user=report.reporter, is_reporter=True)
        try:
            message = report_reply(report=report, actor=actor, body=body or _("(lampiran)"))
        except DomainError as exc:  # e.g. the report is closed: say so, and where to go instead
            _answer_refused(report, sender, exc, msg)
            response = {"status": "rejected", "action": "reply", "reason": exc.code, "tracking_id": report.tracking_id}
        else:
            response = {
                "status": "ok",
                "action": "reply",
                "tracking_id": report.tracking_id,
                "skipped_attachments": _attach(report, actor, files, message),
            }
    else:
        if not body:
            raise ValidationFailed(_("Isi e-mail kosong."), code="empty_body")
        title = TRACKING_IN_SUBJECT.sub("", subject).strip() or body[:60]
        report, _secret = report_submit(
            submission=Submission(
                title=title[:200], body=body, channel=Channel.EMAIL, guest_name=name[:150], guest_email=sender
            ),
            event_data={"email_message_id": message_id[:255]},
        )
        response = {
            "status": "ok",
            "action": "report",
            "tracking_id": report.tracking_id,
            "skipped_attachments": _attach(report, Actor(is_reporter=True), files),
        }
    inbound.report, inbound.response = report, response
    inbound.save(update_fields=["report", "response"])
    return response


def _env(name: str) -> str:
    return str(getattr(settings, name) or "")


def imap_poll(*, limit: int = 50) -> int:
    """Fetch unseen messages from LAPOR_IMAP_HOST, process each, mark it seen. Returns the count."""
    host = _env("LAPOR_IMAP_HOST")
    if not host:
        return 0
    cls = imaplib.IMAP4_SSL if _env("LAPOR_IMAP_SSL") in ("1", "true", "yes") else imaplib.IMAP4
    done = 0
    with cls(host, int(_env("LAPOR_IMAP_PORT") or ("993" if cls is imaplib.IMAP4_SSL else "143"))) as imap:
        imap.login(_env("LAPOR_IMAP_USER"), _env("LAPOR_IMAP_PASSWORD"))
        imap.select(_env("LAPOR_IMAP_FOLDER"))
        _status, data = imap.search(None, "UNSEEN")
        for num in (data[0].split() if data and data[0] else [])[:limit]:
            _status, parts = imap.fetch(num, "(RFC822)")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), b"")
            try:
                email_receive(raw=raw)
            except DomainError as exc:
                log.warning("imap message %s refused: %s", num, exc.code)
            imap.store(num, "+FLAGS", "\\Seen")
            done += 1
    return done
