"""Social media: one adapter per network turns a webhook payload into mentions/DMs, which land
as drafts in a staff triage queue (never public). Staff convert a draft into a report or dismiss it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lapor.accounts.models import User
from lapor.accounts.selectors import user_is_platform_admin
from lapor.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from lapor.core.text import json_clean, text_clean
from lapor.notifications.services import outbox_enqueue
from lapor.reports.models import Channel, Report
from lapor.reports.services import Submission, report_submit

from .models import SocialAccount, SocialDraft
from .social_thread import thread_draft, thread_receive


@dataclass
class SocialItem:
    kind: str  # mention | dm | comment
    post_id: str
    handle: str
    text: str
    url: str = ""
    raw: dict = field(default_factory=dict)
    parent_id: str = ""  # the post it answers (a reply on a thread), when the network says


class Adapter:
    """Parse a network's webhook payload; raise KeyError/TypeError/ValueError on a malformed one."""

    network = ""

    def parse(self, payload: dict) -> list[SocialItem]:
        raise NotImplementedError


class TwitterAdapter(Adapter):
    """X/Twitter Account Activity API: tweet_create_events and direct_message_events."""

    network = "x"

    def parse(self, payload: dict) -> list[SocialItem]:
        items = []
        for tweet in payload.get("tweet_create_events", []):
            handle = tweet["user"]["screen_name"]
            items.append(
                SocialItem(
                    "mention",
                    str(tweet["id_str"]),
                    handle,
                    tweet.get("full_text") or tweet["text"],
                    f"https://x.com/{handle}/status/{tweet['id_str']}",
                    tweet,
                    str(tweet.get("in_reply_to_status_id_str") or ""),
                )
            )
        users = payload.get("users", {})
        for dm in payload.get("direct_message_events", []):
            if dm.get("type") != "message_create":
                continue
            create = dm["message_create"]
            sender = create["sender_id"]
            handle = users.get(sender, {}).get("screen_name", sender)
            items.append(SocialItem("dm", str(dm["id"]), handle, create["message_data"]["text"], "", dm))
        return items


class MetaAdapter(Adapter):
    """Instagram and Facebook Graph webhooks: entry[].changes (mentions, comments, feed) and
    entry[].messaging (direct messages)."""

    def __init__(self, network: str):
        self.network = network

    def parse(self, payload: dict) -> list[SocialItem]:
        items = []
        for entry in payload["entry"]:
            for event in entry.get("messaging", []):
                message = event.get("message") or {}
                if message and not message.get("is_echo"):
                    items.append(
                        SocialItem(
                            "dm",
                            str(message["mid"]),
                            str(event["sender"]["id"]),
                            message.get("text", ""),
                            "",
                            event,
                            str((message.get("reply_to") or {}).get("mid") or ""),
                        )
                    )
            for change in entry.get("changes", []):
                value, name = change["value"], change["field"]
                if name in ("mentions", "comments"):
                    author = value.get("from", {})
                    items.append(
                        SocialItem(
                            "mention" if name == "mentions" else "comment",
                            str(value.get("comment_id") or value.get("id") or value["media_id"]),
                            str(author.get("username") or author.get("id") or ""),
                            value.get("text", ""),
                            "",
                            change,
                            str(value.get("parent_id") or "") if name == "comments" else "",
                        )
                    )
                elif (
                    name == "feed" and value.get("verb") == "add" and value.get("item") in ("post", "comment", "status")
                ):
                    author = value.get("from", {})
                    items.append(
                        SocialItem(
                            "comment" if value["item"] == "comment" else "mention",
                            str(value.get("comment_id") or value["post_id"]),
                            str(author.get("name") or author.get("id") or ""),
                            value.get("message", ""),
                            value.get("permalink_url", ""),
                            change,
                            str(value.get("parent_id") or "") if value["item"] == "comment" else "",
                        )
                    )
        return items


ADAPTERS: dict[str, Adapter] = {
    "x": TwitterAdapter(),
    "twitter": TwitterAdapter(),
    "instagram": MetaAdapter("instagram"),
    "facebook": MetaAdapter("facebook"),
}


def adapter_for(network: str) -> Adapter:
    adapter = ADAPTERS.get(network.lower())
    if adapter is None:
        raise NotFound(_("Jaringan media sosial tidak dikenal."), code="unknown_network")
    return adapter


def social_ingest(*, network: str, payload) -> list[SocialDraft]:
    return social_receive(network=network, payload=payload)[0]


@transaction.atomic
def social_receive(*, network: str, payload) -> tuple[list[SocialDraft], list[dict]]:
    """New posts become drafts for triage; a post of a report's author on its thread is their
    reply or rating (``social_thread``). Returns the drafts and what each thread post did."""
    adapter = adapter_for(network)
    if not isinstance(payload, dict):
        raise ValidationFailed(_("Payload harus berupa objek JSON."), code="invalid_payload")
    try:
        items = adapter.parse(payload)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValidationFailed(
            _("Payload %(n)s tidak sesuai format.") % {"n": network},
            code="invalid_payload",
            detail={"missing": str(exc)[:100]},
        ) from None
    drafts, replies = [], []
    for item in items:
        if not item.text.strip() or not item.post_id:
            continue
        post_id, text = text_clean(item.post_id)[:100], text_clean(item.text)[:10_000]
        thread = thread_draft(
            network=adapter.network,
            kind=item.kind,
            post_id=post_id,
            parent_id=text_clean(item.parent_id)[:100],
            handle=text_clean(item.handle)[:100],
        )
        if thread is not None:
            replies.append(thread_receive(draft=thread, post_id=post_id, text=text))
            continue
        # control characters out of everything kept (PostgreSQL refuses NUL in text and jsonb)
        draft, _created = SocialDraft.objects.get_or_create(
            network=adapter.network,
            post_id=post_id,
            defaults={
                "kind": item.kind,
                "author_handle": text_clean(item.handle)[:100],
                "text": text,
                "url": text_clean(item.url)[:300],
                "payload": json_clean(item.raw),
            },
        )
        drafts.append(draft)
    return drafts, replies


def _citizen_for_handle(network: str, handle: str) -> User:
    account = SocialAccount.objects.filter(network=network, handle=handle).select_related("user").first()
    if account:
        return account.user
    try:
        with transaction.atomic():
            user = User.objects.create_user(full_name=f"@{handle} ({network})"[:150])
            SocialAccount.objects.create(network=network, handle=handle, user=user)
            return user
    except IntegrityError:
        return SocialAccount.objects.get(network=network, handle=handle).user


def _claim(draft_id: int, staff: User, status: str, **fields) -> SocialDraft:
    if not user_is_platform_admin(staff):  # posts reach the national account and belong to no agency yet
        raise PermissionDenied(_("Hanya Admin Nasional yang memilah pesan media sosial."))
    draft = SocialDraft.objects.select_for_update().filter(pk=draft_id).first()
    if draft is None:
        raise NotFound(_("Draf tidak ditemukan."))
    if draft.status != SocialDraft.Status.NEW:
        raise Conflict(_("Draf ini sudah ditangani."), code="already_handled")
    draft.status, draft.handled_by, draft.handled_at = status, staff, timezone.now()
    for name, value in fields.items():
        setattr(draft, name, value)
    return draft


@transaction.atomic
def social_convert(
    *,
    draft_id: int,
    staff: User,
    title: str = "",
    type: str = "complaint",
    topic_id: int | None = None,
    region_code: str | None = None,
    is_anonymous: bool = False,
    is_confidential: bool = False,
) -> Report:
    draft = _claim(draft_id, staff, SocialDraft.Status.CONVERTED)
    body = draft.text.strip()
    report, _secret = report_submit(
        submission=Submission(
            title=(title or body[:60]).strip(),
            body=body,
            type=type,
            topic_id=topic_id,
            region_code=region_code,
            channel=Channel.SOCIAL,
            is_anonymous=is_anonymous,
            is_confidential=is_confidential,
        ),
        reporter=_citizen_for_handle(draft.network, draft.author_handle),
        event_data={
            "social": {"network": draft.network, "post_id": draft.post_id, "kind": draft.kind},
            "entered_by": staff.pk,
        },
    )
    draft.report = report
    draft.save()
    reply_url = settings.LAPOR_SOCIAL_REPLY_URLS.get(draft.network, "")
    if reply_url:  # the network adapter's sending side lives behind this URL (a small relay)
        if draft.kind != "dm" and (report.is_anonymous or report.is_confidential):
            # a public reply under the post would tie the author's handle to the report's tracking id
            text = _("Terima kasih, laporan Anda sudah kami terima dan dijaga kerahasiaannya.")
        else:
            text = _("Terima kasih, laporan Anda tercatat dengan nomor %(tid)s.") % {"tid": report.tracking_id}
        outbox_enqueue(
            channel="webhook",
            recipient=reply_url,
            report=report,
            dedupe_key=f"social-ack:{draft.pk}",
            payload={
                "network": draft.network,
                "mode": "dm" if draft.kind == "dm" else "reply",
                "in_reply_to": draft.post_id,
                "kind": draft.kind,
                "handle": draft.author_handle,
                "event": "submitted",
                "text": text,
            },
            secret=settings.LAPOR_SOCIAL_REPLY_SECRET,
        )
    return report


@transaction.atomic
def social_dismiss(*, draft_id: int, staff: User, reason: str = "") -> SocialDraft:
    """Set a post aside, saying why (the queue asks for a reason; an unexplained silence to a
    citizen who wrote in is not an answer)."""
    reason = text_clean(reason or "").strip()[:300]
    draft = _claim(draft_id, staff, SocialDraft.Status.DISMISSED, dismiss_reason=reason)
    if not reason:
        raise ValidationFailed(
            _("Tulis alasan mengabaikan pesan ini."), code="reason_required", detail={"field": "reason"}
        )
    draft.save()
    return draft
