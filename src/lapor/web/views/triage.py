"""The social-media triage queue on the web (issue 20): platform operators read the new mentions and
messages and make a report of each or set it aside, through lapor.intake.social's services."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect, render
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lapor.accounts.selectors import user_is_platform_admin
from lapor.core.errors import DomainError
from lapor.intake.models import SocialDraft
from lapor.intake.social import social_convert, social_dismiss
from lapor.reports.models import ReportType

from .. import selectors
from .common import landing

QUEUE_LIMIT = 50
NETWORKS = {"x": "X (Twitter)", "twitter": "X (Twitter)", "instagram": "Instagram", "facebook": "Facebook"}
KINDS = {"mention": gettext_lazy("Sebutan"), "dm": gettext_lazy("Pesan langsung"), "comment": gettext_lazy("Komentar")}
LEADING_MENTIONS = re.compile(r"^(?:\s*@\w+[\s,:]*)+")


def _title(text: str) -> str:
    """A first guess at the report's title: the post without the @mentions it opens with."""
    return Truncator(LEADING_MENTIONS.sub("", text).strip() or text).chars(60)


def _require_triage(request):
    if not user_is_platform_admin(request.user):  # posts reach the national account, no agency's yet
        raise DjangoPermissionDenied


def _page(request, *, error: str = "", failed: int | None = None, action: str = "", status: int = 200):
    drafts = SocialDraft.objects.filter(status=SocialDraft.Status.NEW).order_by("created_at", "id")[:QUEUE_LIMIT]
    rows = [
        {
            "id": d.pk,
            "network": NETWORKS.get(d.network, d.network),
            "kind": KINDS.get(d.kind, d.kind),
            "title": _title(d.text),
            "convert_anchor": f"convert-{d.pk}",
            "dismiss_anchor": f"dismiss-{d.pk}",
            "handle": d.author_handle,
            "text": d.text,
            "url": d.url if d.url.startswith(("https://", "http://")) else "",
            "created_at": d.created_at,
        }
        for d in drafts
    ]
    return render(
        request,
        "web/staff/social.html",
        {
            "drafts": rows,
            "error": error,
            "failed": failed,
            "types": ReportType.choices,
            "topics": selectors.topic_choices(),
            "provinces": selectors.region_choices(None),
            "count": SocialDraft.objects.filter(status=SocialDraft.Status.NEW).count(),
            "limit": QUEUE_LIMIT,
            "failed_action": action,
            "landing": landing(f"{action}-{failed}", message=_("Pesan ini belum ditangani.")) if failed else None,
        },
        status=status,
    )


@login_required(login_url="web:signin")
def social_queue(request):
    _require_triage(request)
    return _page(request)


@require_POST
@login_required(login_url="web:signin")
def social_action(request, draft_id: int, action: str):
    """``convert``: a report of the post (its text is the body; title, type, topic, province and the
    privacy switches from the form). ``dismiss``: set aside with a reason."""
    _require_triage(request)
    p = request.POST
    try:
        if action == "convert":
            topic = p.get("topic", "")
            report = social_convert(
                draft_id=draft_id,
                staff=request.user,
                title=p.get("title", "")[:200],
                type=p.get("type") if p.get("type") in ReportType.values else ReportType.COMPLAINT,
                topic_id=int(topic) if topic.isdigit() else None,
                region_code=p.get("province") or None,
                is_anonymous=p.get("is_anonymous") == "on",
                is_confidential=p.get("is_confidential") == "on",
            )
            messages.success(
                request, _("Pesan dijadikan laporan %(tid)s; menunggu verifikasi.") % {"tid": report.tracking_id}
            )
        elif action == "dismiss":
            social_dismiss(draft_id=draft_id, staff=request.user, reason=p.get("reason", "")[:300])
            messages.success(request, _("Pesan diabaikan."))
        else:
            return _page(request, error=_("Tindakan tidak dikenal."), status=404)
    except DomainError as exc:
        return _page(request, error=exc.message, failed=draft_id, action=action, status=exc.status)
    return redirect("web:social_queue")
