"""WhatsApp (Business Platform Cloud API webhooks): text, photos, documents, audio files and
location pins become reports or replies, with the commands of SMS 1708 (one parser:
``sms.command_parse``) and a short guided flow for a citizen who just writes.

    LAPOR <isi>             files a report now (a photo's caption too; the photo is attached)
    STATUS <id>             the status and deadline of one's own report
    BALAS <id> <isi>        a reply (and the photo) on one's own report
    NILAI <id> <1-5> [...]  the citizen's rating (a report waiting for their answer is completed first);
                            also PUAS / TIDAK PUAS <alasan> (one parser: ``rating.rating_parse``)
    anything else           quoting one of our messages about a report: a rating ("4", "PUAS") of it
                            when it awaits one, else a reply to it while open; else a flow in
                            progress goes on; else the report waiting for the citizen's answer
                            gets it (rated, or replied to); else the guided flow starts:
                            the story -> topic -> place -> YA to file (ANONIM, RAHASIA: with
                            the privacy switches; BATAL cancels)

Media follow the attachment rules (``reports.attachments``): a document or an audio file is
stored like a photo when its type is one the rules allow (judged from its bytes, cleaned of
metadata); a voice note (OGG/Opus, a type the rules do not allow: no metadata cleaner) is not
kept and the citizen is asked to write instead. A location pin sets the place of the report
being filed (the guided flow) or is added to the citizen's open report (the one quoted, else the
latest), its name and address matched to a region by name.

Every message id is handled once (``InboundMessage``): a webhook delivered twice changes nothing.
The answers go through the outbox (channel "whatsapp"), so they are retried and dead-lettered.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from lapor.accounts.phones import phone_normalize
from lapor.core.errors import DomainError, ValidationFailed
from lapor.core.text import text_clean
from lapor.notifications.services import outbox_enqueue
from lapor.notifications.whatsapp import sent_report_id, window_touch
from lapor.reports import lifecycle as lc
from lapor.reports.attachments import attachment_add
from lapor.reports.models import Channel, Report
from lapor.reports.services import Actor, Submission, report_location_set, report_reply, report_submit

from .models import InboundMessage, WhatsAppConversation
from .rating import Rating, rating_awaited, rating_give, rating_keyword, rating_parse
from .sms import _own_report, _title, awaiting_rating, citizen_for_phone, command_parse
from .whatsapp_flow import GuidedFlow, region_for
from .whatsapp_media import MEDIA_TYPES, Media, media_get, message_media

FLOW_TTL = dt.timedelta(hours=24)  # a flow left this long starts again


@dataclass
class WaMessage:
    id: str
    sender: str  # +62…
    type: str  # text | image | document | audio | location | other
    text: str = ""  # the text, or a photo's or document's caption
    media_id: str = ""
    context_id: str = ""  # the id of the message it quotes
    name: str = ""  # the sender's profile name
    at: dt.datetime | None = None
    mime: str = ""  # the media's type as WhatsApp declares it (the bytes decide: attachments.py)
    filename: str = ""  # a document's file name
    latitude: float | None = None  # a location pin, None when absent or not a valid coordinate
    longitude: float | None = None
    place: str = ""  # the pin's name and address, when the citizen picked a named place


def webhook_messages(payload) -> list[WaMessage]:
    """The messages of a webhook delivery (``statuses`` of our own messages are ignored)."""
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        raise ValidationFailed(_("Payload WhatsApp tidak sesuai format."), code="invalid_payload")
    try:
        return [
            m
            for entry in payload["entry"]
            for change in entry.get("changes", [])
            if change.get("field") == "messages"
            for m in _messages(change["value"])
        ]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValidationFailed(
            _("Payload WhatsApp tidak sesuai format."), code="invalid_payload", detail={"missing": str(exc)[:100]}
        ) from None


def _messages(value: dict) -> list[WaMessage]:
    names = {c["wa_id"]: (c.get("profile") or {}).get("name", "") for c in value.get("contacts", [])}
    out = []
    for m in value.get("messages", []):
        sender = phone_normalize("+" + str(m["from"]).lstrip("+"))
        if sender is None or not m.get("id"):
            raise ValueError("from")
        kind = m.get("type", "")
        media = (m.get(kind) or {}) if kind in MEDIA_TYPES else {}
        text = (m.get("text") or {}).get("body", "") if kind == "text" else media.get("caption", "")
        at = dt.datetime.fromtimestamp(int(m.get("timestamp") or 0), tz=dt.timezone.utc) if m.get("timestamp") else None
        pin = (m.get("location") or {}) if kind == "location" else {}
        latitude, longitude = _coordinates(pin)
        out.append(
            WaMessage(
                id=str(m["id"])[:255],
                sender=sender,
                type=kind if kind in ("text", "location", *MEDIA_TYPES) else "other",
                text=text_clean(str(text or ""))[:4000],  # no NUL: the flow's draft is jsonb on PostgreSQL
                media_id=str(media.get("id") or ""),
                context_id=str((m.get("context") or {}).get("id") or ""),
                name=str(names.get(m["from"], ""))[:150],
                at=at,
                mime=str(media.get("mime_type") or "")[:100],
                filename=text_clean(str(media.get("filename") or "")).strip()[:200],
                latitude=latitude,
                longitude=longitude,
                place=", ".join(text_clean(str(pin[k])).strip() for k in ("name", "address") if pin.get(k))[:300],
            )
        )
    return out


def _coordinates(pin: dict) -> tuple[float | None, float | None]:
    """A pin's latitude and longitude, or (None, None) when either is missing, not a number, or out
    of range: the citizen is asked again, the delivery itself is not refused."""
    try:
        lat, lon = pin["latitude"], pin["longitude"]
        if isinstance(lat, bool) or isinstance(lon, bool):
            return None, None
        lat, lon = float(lat), float(lon)
    except (KeyError, TypeError, ValueError):
        return None, None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return lat, lon


def whatsapp_receive(*, payload) -> dict:
    """Handle one webhook delivery; each message in its own transaction."""
    return {"status": "ok", "messages": [message_receive(msg=msg) for msg in webhook_messages(payload)]}


def message_receive(*, msg: WaMessage) -> dict:
    if InboundMessage.objects.filter(channel="whatsapp", external_id=msg.id).exists():
        return {**InboundMessage.objects.get(channel="whatsapp", external_id=msg.id).response, "duplicate": True}
    media = message_media(msg)
    return _receive(msg, media)


@transaction.atomic
def _receive(msg: WaMessage, media: list[Media]) -> dict:
    try:
        with transaction.atomic():
            inbound = InboundMessage.objects.create(channel="whatsapp", external_id=msg.id)
    except IntegrityError:  # a concurrent delivery won the race
        return {**InboundMessage.objects.get(channel="whatsapp", external_id=msg.id).response, "duplicate": True}
    window_touch(phone=msg.sender, at=min(msg.at or timezone.now(), timezone.now()))
    response = Conversation(msg, media).handle()
    if response.get("tracking_id"):
        inbound.report = Report.objects.filter(tracking_id=response["tracking_id"]).first()
    inbound.response = response
    inbound.save(update_fields=["response", "report"])
    return response


class Conversation(GuidedFlow):
    """One incoming message of one number, and what it does."""

    def __init__(self, msg: WaMessage, media: list[Media]):
        self.msg, self.phone, self.answers = msg, msg.sender, 0
        self.media = [m for m in media if not m.refused]
        self.refused = [m for m in media if m.refused]
        self.flow = WhatsAppConversation.objects.select_for_update().filter(phone=self.phone).first()
        if self.flow is not None and self.flow.updated_at < timezone.now() - FLOW_TTL:
            self.flow.delete()
            self.flow = None

    # --- plumbing ---------------------------------------------------------------------------
    def fetch(self, media_id: str | dict) -> Media:
        return media_get(media_id)

    def answer(self, text: str, report: Report | None = None) -> None:
        self.answers += 1
        outbox_enqueue(
            channel="whatsapp",
            recipient=self.phone,
            report=report,
            dedupe_key=f"wa-answer:{self.msg.id}:{self.answers}"[:200],
            payload={
                "kind": "answer",
                "lang": "id",
                "text": text,
                "template": {"params": [report.tracking_id if report else "LAPOR!", text]},
            },
        )

    def citizen(self):
        user = citizen_for_phone(self.phone)
        if not user.full_name and self.msg.name:  # the name the citizen shows on WhatsApp
            user.full_name = self.msg.name
            user.save(update_fields=["full_name"])
        return user

    def attach(self, report: Report, media: list[Media], message=None) -> int:
        """Store the files (type-checked and cleaned like every upload); a refused one is told."""
        stored = 0
        for item in media:
            if item.refused:
                self.answer(item.refused, report)
                continue
            try:
                with transaction.atomic():
                    attachment_add(
                        report=report,
                        actor=Actor(user=report.reporter, is_reporter=True),
                        name=item.name,
                        data=item.data,
                        message=message,
                    )
                stored += 1
            except DomainError as exc:
                if item.mime.startswith("image/"):
                    text = _("Foto tidak dapat dilampirkan: %(reason)s") % {"reason": exc.message}
                else:
                    text = _("Berkas %(name)s tidak dapat dilampirkan: %(reason)s") % {
                        "name": item.name,
                        "reason": exc.message,
                    }
                self.answer(text, report)
        return stored

    # --- dispatch ---------------------------------------------------------------------------
    def handle(self) -> dict:
        if self.msg.type == "other":
            self.answer(_("Maaf, kami hanya dapat menerima teks, foto, dokumen dan lokasi. Ketik LAPOR <isi laporan>."))
            return {"status": "rejected", "action": "help", "reason": "unsupported"}
        for item in self.refused:  # told at once, whatever the message goes on to do
            self.answer(item.refused)
        if self.msg.type == "location":
            return self.location()
        if self.refused and not self.media and not self.msg.text.strip():
            reason = "voice_not_kept" if self.msg.type == "audio" else "media_refused"
            return {"status": "rejected", "action": "media", "reason": reason}
        command, rating = command_parse(self.msg.text), rating_parse(self.msg.text)
        if rating is not None and rating.keyword:
            report = _own_report(self.phone, rating.tracking) if rating.tracking else self.quoted_report()
            return self.rate(report or awaiting_rating(self.phone), rating)
        if rating is None and rating_keyword(self.msg.text):
            return self.rate(None, None)
        if command.kind in ("status", "reply"):
            report = _own_report(self.phone, command.tracking) if command.tracking else None
            if report is None:
                self.answer(
                    _("LAPOR! Laporan tidak ditemukan untuk nomor ini. Format: %(k)s <nomor laporan>")
                    % {"k": command.keyword}
                )
                return {"status": "rejected", "action": command.kind, "reason": "not_found"}
            return self.status(report) if command.kind == "status" else self.reply(report, command.body)
        if command.kind == "report":
            if self.flow is not None:
                self.flow.delete()
                self.flow = None
            return self.submit(body=command.body, media=self.media) if command.body else self.flow_start("")
        return self.free_text(command.body)

    def free_text(self, text: str) -> dict:
        rating, quoted = rating_parse(text), self.quoted_report()
        if quoted is not None and rating is not None and rating_awaited(quoted):
            return self.rate(quoted, rating)
        if quoted is not None and quoted.state in lc.OPEN_STATES:
            return self.reply(quoted, text)
        if self.flow is not None:
            return self.flow_step(text)
        waiting = awaiting_rating(self.phone) if rating is not None else None
        if waiting is not None:
            return self.rate(waiting, rating)
        followed_up = (
            Report.objects.filter(reporter__phone=self.phone, state=lc.State.FOLLOWED_UP)
            .order_by("-updated_at")
            .first()
        )
        if followed_up is not None:
            return self.reply(followed_up, text)
        return self.flow_start(text)

    def location(self) -> dict:
        """A pin: the place of the report being filed, else of the open report quoted (or the
        latest open one), else the start of a report with its place known."""
        if self.msg.latitude is None or self.msg.longitude is None:
            self.answer(
                _("Titik lokasi tidak dapat dibaca. Kirim ulang lokasi (Lampirkan > Lokasi) atau tulis alamatnya.")
            )
            return {"status": "rejected", "action": "location", "reason": "invalid_location"}
        if self.flow is not None:
            return self.flow_located()
        report = self.quoted_report() or self.latest_open_report()
        if report is None:
            return self.flow_start("", pin=self.pin())
        try:
            report_location_set(
                report=report,
                actor=Actor(user=report.reporter, is_reporter=True),
                latitude=self.msg.latitude,
                longitude=self.msg.longitude,
                place=self.msg.place,
                region_code=region_for(self.msg.place) if self.msg.place else None,
            )
        except DomainError as exc:
            self.answer(f"LAPOR! {report.tracking_id}: {exc.message}", report)
            return {"status": "rejected", "action": "location", "reason": exc.code}
        self.answer(
            _(
                "LAPOR! Lokasi untuk laporan %(tid)s kami simpan. Untuk laporan lain, balas (kutip) pesan kami tentang laporan itu."
            )
            % {"tid": report.tracking_id},
            report,
        )
        return {"status": "ok", "action": "location", "tracking_id": report.tracking_id}

    def latest_open_report(self) -> Report | None:
        return (
            Report.objects.filter(reporter__phone=self.phone, state__in=lc.OPEN_STATES)
            .select_related("reporter")
            .order_by("-submitted_at", "-id")
            .first()
        )

    def quoted_report(self) -> Report | None:
        if not self.msg.context_id:
            return None
        report_id = sent_report_id(wamid=self.msg.context_id, phone=self.phone)
        report = Report.objects.filter(pk=report_id).select_related("reporter").first() if report_id else None
        return _own_report(self.phone, report.tracking_id) if report is not None else None

    # --- the commands -----------------------------------------------------------------------
    def status(self, report: Report) -> dict:
        due = formats.date_format(timezone.localtime(report.due_at), "j M Y") if report.due_at else "-"
        self.answer(
            _("LAPOR! %(tid)s: %(state)s. Batas waktu: %(due)s")
            % {"tid": report.tracking_id, "state": lc.State(report.state).label, "due": due},
            report,
        )
        return {"status": "ok", "action": "status", "tracking_id": report.tracking_id}

    def reply(self, report: Report, body: str) -> dict:
        if not body.strip() and not self.media:
            self.answer(_("Format: BALAS %(tid)s <isi tanggapan>") % {"tid": report.tracking_id}, report)
            return {"status": "rejected", "action": "reply", "reason": "empty"}
        placeholder = _("(foto terlampir)") if self.msg.type == "image" else _("(berkas terlampir)")
        try:
            message = report_reply(
                report=report,
                actor=Actor(user=report.reporter, is_reporter=True),
                body=body.strip() or placeholder,
            )
        except DomainError as exc:
            self.answer(f"LAPOR! {report.tracking_id}: {exc.message}", report)
            return {"status": "rejected", "action": "reply", "reason": exc.code}
        self.attach(report, self.media, message)
        self.answer(
            _("LAPOR! Tanggapan Anda untuk %(tid)s diterima. Untuk laporan baru, kirim LAPOR <isi laporan>.")
            % {"tid": report.tracking_id},
            report,
        )
        return {"status": "ok", "action": "reply", "tracking_id": report.tracking_id}

    def rate(self, report: Report | None, rating: Rating | None) -> dict:
        if report is None or rating is None:
            self.answer(_("Format: NILAI <nomor laporan> <1-5> <komentar>, atau PUAS / TIDAK PUAS <alasan>"), report)
            return {"status": "rejected", "action": "rate", "reason": "invalid_rating" if report else "not_found"}
        try:
            rating_give(report=report, actor=Actor(user=report.reporter, is_reporter=True), rating=rating)
        except DomainError as exc:
            self.answer(f"LAPOR! {report.tracking_id}: {exc.message}", report)
            return {"status": "rejected", "action": "rate", "reason": exc.code}
        text = (
            _("Terima kasih atas penilaian Anda untuk laporan %(tid)s.")
            if rating.satisfied
            else _("Laporan %(tid)s dibuka kembali; instansi akan menindaklanjutinya lagi.")
        )
        self.answer(text % {"tid": report.tracking_id}, report)
        return {"status": "ok", "action": "rate", "tracking_id": report.tracking_id}

    def submit(
        self,
        *,
        body: str,
        media: list[Media],
        topic_id: int | None = None,
        region_code: str | None = None,
        address: str = "",
        latitude: float | None = None,
        longitude: float | None = None,
        is_anonymous: bool = False,
        is_confidential: bool = False,
    ) -> dict:
        report, _secret = report_submit(
            submission=Submission(
                title=_title(body),
                body=body,
                channel=Channel.WHATSAPP,
                topic_id=topic_id,
                region_code=region_code,
                address=address[:300],
                latitude=latitude,
                longitude=longitude,
                is_anonymous=is_anonymous,
                is_confidential=is_confidential,
            ),
            reporter=self.citizen(),
            event_data={"whatsapp_message_id": self.msg.id},
        )
        self.attach(report, media[: settings.LAPOR_MAX_ATTACHMENTS])
        return {"status": "ok", "action": "report", "tracking_id": report.tracking_id}
