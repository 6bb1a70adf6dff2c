"""The guided flow of WhatsApp (``intake.whatsapp``) for a citizen who just writes: the story, the
topic (a numbered list), the place (written, matched to a region by name; or a location pin, at
any step, which answers the place question), then YA to file it (ANONIM: anonymous, RAHASIA:
anonymous and confidential) or BATAL. Files sent on the way (photos, documents, audio files) are
kept as their media ids and fetched again when it is filed."""

from __future__ import annotations


from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from lapor.agencies.models import Topic
from lapor.agencies.selectors import region_named_in

from .models import WhatsAppConversation

YES, CANCEL = ("YA", "Y", "KIRIM", "YES"), ("BATAL", "CANCEL")
# The two privacy switches, chosen when confirming: (is_anonymous, is_confidential)
PRIVACY = {"ANONIM": (True, False), "ANONYMOUS": (True, False), "RAHASIA": (True, True), "CONFIDENTIAL": (True, True)}
MAX_TOPICS = 9


class GuidedFlow:
    """Mixed into ``whatsapp.Conversation``: uses its ``msg``, ``media``, ``phone``, ``flow``,
    ``answer``, ``submit`` and ``fetch``."""

    def flow_start(self, text: str, *, pin: dict | None = None) -> dict:
        draft = {"body": text.strip(), "media": self._media_refs(), **(pin or {})}
        step = WhatsAppConversation.Step.TOPIC if draft["body"] else WhatsAppConversation.Step.BODY
        self.flow = WhatsAppConversation.objects.create(phone=self.phone, step=step, draft=draft)
        return self.ask()

    def _media_refs(self) -> list[dict]:
        if not (self.msg.media_id and self.media):
            return []
        return [{"id": self.msg.media_id, "name": self.media[0].name}]

    def pin(self) -> dict:
        """The location pin of this message, as the draft keeps it: the coordinates, the place's
        name and address (or the coordinates in words) and the region those name."""
        lat, lon = self.msg.latitude, self.msg.longitude
        place = self.msg.place or _("Titik peta %(lat).5f, %(lon).5f") % {"lat": lat, "lon": lon}
        region = region_for(self.msg.place) if self.msg.place else None
        return {"latitude": lat, "longitude": lon, "place": place, "region_code": region}

    def flow_located(self) -> dict:
        """A pin during the flow sets the place (a region found from the pin's name, else the one
        written before); at the place question it answers it."""
        flow, Step = self.flow, WhatsAppConversation.Step
        pin = self.pin()
        pin["region_code"] = pin["region_code"] or flow.draft.get("region_code")
        flow.draft = {**flow.draft, **pin}
        if flow.step == Step.PLACE:
            flow.step = Step.CONFIRM
        flow.updated_at = timezone.now()
        flow.save(update_fields=["draft", "step", "updated_at"])
        return self.ask()

    def ask(self) -> dict:
        step, Step = self.flow.step, WhatsAppConversation.Step
        if step == Step.BODY:
            self.answer(_("Selamat datang di LAPOR!. Ceritakan masalah yang ingin Anda laporkan: apa, kapan, di mana."))
        elif step == Step.TOPIC:
            lines = "\n".join(f"{i}. {name}" for i, (_pk, name) in enumerate(_topics(), start=1))
            self.answer(
                _("Laporan ini tentang apa? Balas dengan angka:\n%(topics)s\n0. Lainnya / tidak tahu")
                % {"topics": lines}
            )
        elif step == Step.PLACE:
            self.answer(_("Di mana lokasinya? Tulis nama jalan, desa/kelurahan, dan kecamatan atau kota."))
        else:
            d = self.flow.draft
            self.answer(
                _(
                    "Periksa laporan Anda:\n\n%(body)s\n\nKategori: %(topic)s\nLokasi: %(place)s\nLampiran: %(photos)d\n\n"
                    "Balas YA untuk mengirim, ANONIM agar nama Anda tidak terlihat oleh instansi, RAHASIA agar "
                    "laporan juga tidak tampil di publik, atau BATAL untuk membatalkan."
                )
                % {
                    "body": d.get("body", "")[:600],
                    "topic": d.get("topic_name") or "-",
                    "place": d.get("place") or "-",
                    "photos": len(d.get("media", [])),
                }
            )
        return {"status": "ok", "action": "flow", "step": step}

    def flow_step(self, text: str) -> dict:
        flow, Step, word = self.flow, WhatsAppConversation.Step, text.strip().upper()
        draft = dict(flow.draft)
        if self.msg.media_id and self.media and len(draft.get("media", [])) < settings.LAPOR_MAX_ATTACHMENTS:
            draft["media"] = [*draft.get("media", []), *self._media_refs()]
        if word in CANCEL:
            flow.delete()
            self.answer(_("Laporan dibatalkan. Kirim pesan kapan saja untuk melapor lagi."))
            return {"status": "ok", "action": "flow", "step": "cancelled"}
        if flow.step == Step.CONFIRM and (word in YES or word in PRIVACY):
            flow.delete()
            anonymous, confidential = PRIVACY.get(word, (False, False))
            media = [self.fetch(m) for m in draft.get("media", [])]  # refused ones are told by attach
            return self.submit(
                body=draft["body"],
                media=media,
                topic_id=draft.get("topic_id"),
                region_code=draft.get("region_code"),
                address=draft.get("place", ""),
                latitude=draft.get("latitude"),
                longitude=draft.get("longitude"),
                is_anonymous=anonymous,
                is_confidential=confidential,
            )
        if flow.step == Step.BODY and text.strip():
            draft["body"], flow.step = text.strip(), Step.TOPIC
        elif flow.step == Step.TOPIC and text.strip():
            topic = _topic_choice(text)
            draft["topic_id"], draft["topic_name"] = topic if topic else (None, "")
            flow.step = Step.CONFIRM if draft.get("place") else Step.PLACE  # a pin already said where
        elif flow.step == Step.PLACE and text.strip():
            draft["place"], draft["region_code"] = text.strip()[:300], region_for(text)
            flow.step = Step.CONFIRM
        flow.draft, flow.updated_at = draft, timezone.now()
        flow.save(update_fields=["draft", "step", "updated_at"])
        return self.ask()


def _topics() -> list[tuple[int, str]]:
    return list(
        Topic.objects.filter(is_active=True, parent__isnull=True)
        .order_by("name")
        .values_list("pk", "name")[:MAX_TOPICS]
    )


def _topic_choice(text: str) -> tuple[int, str] | None:
    """A number from the list, or a topic's name in the text."""
    choices, text = _topics(), text.strip()
    if text.isdigit():
        index = int(text)
        return choices[index - 1] if 1 <= index <= len(choices) else None
    named = (
        Topic.objects.filter(is_active=True, name__iexact=text).values_list("pk", "name").first()
        or Topic.objects.filter(is_active=True, name__icontains=text).values_list("pk", "name").first()
        if len(text) >= 4
        else None
    )
    return tuple(named) if named else None


def region_for(text: str) -> str | None:
    """The most precise region whose whole name the citizen wrote (agencies.selectors.region_named_in)."""
    return region_named_in(text)
