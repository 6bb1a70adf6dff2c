"""Shared page helpers: access to a report from the citizen side, timeline rows, errors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from lapor.core.errors import DomainError
from lapor.reports import lifecycle as lc
from lapor.reports import selectors as report_selectors
from lapor.reports.models import Attachment, Report, ReportEvent
from lapor.reports.projection import REPORTER, STAFF, STATEMENT_SAYS_STATE, Lens, lens_for, lens_public
from lapor.reports.services import Actor, guest_secret_matches

SESSION_GUEST = "web_guest_reports"  # {tracking_id: secret} proven through the private link


def signed_in(request: HttpRequest):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def guest_secret_remember(request: HttpRequest, tracking_id: str, secret: str) -> None:
    known = dict(request.session.get(SESSION_GUEST, {}))
    known[tracking_id] = secret
    request.session[SESSION_GUEST] = dict(list(known.items())[-20:])


def guest_secret_known(request: HttpRequest, report: Report) -> str:
    secret = request.session.get(SESSION_GUEST, {}).get(report.tracking_id, "")
    return secret if secret and guest_secret_matches(report, secret) else ""


def reporter_actor(request: HttpRequest, report: Report) -> Actor | None:
    """The reporter acting: the signed-in owner, or a guest holding the secret in the session."""
    user = signed_in(request)
    if user is not None and report.reporter_id == user.pk:
        return Actor(user=user, is_reporter=True)
    if guest_secret_known(request, report):
        return Actor(user=user, is_reporter=True)
    return None


def private_link(request: HttpRequest, report: Report) -> str:
    secret = guest_secret_known(request, report)
    if not secret:
        return ""
    return request.build_absolute_uri(reverse("web:track_private", args=[report.tracking_id, secret]))


def page_lens(report: Report, *, viewer, staff: bool, is_reporter: bool) -> Lens:
    """The lens of a page: the staff workspace (``staff``), the reporter's own page, or the public's."""
    if is_reporter:
        return lens_for(report, viewer, is_reporter=True)
    if staff:
        lens = lens_for(report, viewer)
        assert lens.audience == STAFF, "a staff page for a viewer without a role"
        return lens
    return lens_public(report)


def timeline_rows(report: Report, *, viewer, staff: bool, is_reporter: bool) -> list[dict]:
    """Events and messages in one list, oldest first, through the report's projection
    (reports/projection.py): the public reads the conversation as it reads the report itself, with
    personal data masked in answers, replies and reasons alike; staff read an anonymous report's
    conversation masked.

    Each step appears once: a message (the agency's answer, the reporter's reply) carries the status
    change it caused instead of a second line, and the files added at one moment are one line."""
    lens = page_lens(report, viewer=viewer, staff=staff, is_reporter=is_reporter)
    events, messages = report_selectors.report_timeline(report, staff=staff)
    message_rows = {}
    for message in messages:
        out = lens.message(message)
        for att in out["attachments"]:
            att["url"] = reverse("web:attachment", args=[report.tracking_id, att["id"]])
        message_rows[message.pk] = {
            "type": "message",
            "kind_label": message.get_kind_display(),
            "internal": message.is_internal,
            "to_state_label": "",
            **out,
        }
    rows = list(message_rows.values())
    for event in events:
        if event.kind == ReportEvent.Kind.MESSAGE:
            continue  # shown as the message itself
        show_state = event.kind == ReportEvent.Kind.TRANSITION and event.to_state != event.from_state
        state_label = _state_label(event.to_state) if show_state else ""
        shown = message_rows.get((event.data or {}).get("message_id"))
        if shown is not None and event.action in (lc.Action.FOLLOW_UP, lc.Action.REPLY):
            shown["to_state_label"] = state_label  # the answer and its status change: one step
            continue
        if event.kind == ReportEvent.Kind.ATTACHMENT and _files_row_extend(rows, event, staff=staff):
            continue
        out = lens.event(event)
        if event.action in STATEMENT_SAYS_STATE:
            state_label = ""  # "Laporan dinyatakan selesai", not "… → Selesai" as well
        reason = out["reason"]
        if event.action == lc.Action.AUTO_COMPLETE:
            reason = _("Tidak ada tanggapan dari pelapor dalam batas waktu, sehingga laporan ditutup otomatis.")
        rows.append(
            {
                **out,
                "type": "event",
                "title": out["title"],
                "internal": not event.is_public,
                "reason": reason,
                "note": (out["data"] or {}).get("note", "") if staff else "",
                "how": _route_how(out["data"] or {}) if staff and event.action == lc.Action.ROUTE else "",
                "files": 1,
                "to_state_label": state_label,
            }
        )
    rows.sort(key=lambda row: (row["created_at"], row["type"] == "message", row["id"]))
    return rows


def _route_how(data: dict) -> str:
    """For staff: how a route was chosen (by a rule, by the model alone, or by a person and where
    the agency stood among the suggestions shown: ``data.suggestion``, see routing.suggest)."""
    if data.get("automatic"):
        if data.get("model_version"):
            confidence = round(float(data.get("confidence") or 0) * 100)
            return _("Otomatis oleh model (keyakinan %(p)s%%).") % {"p": confidence}
        return _("Otomatis menurut aturan disposisi.")
    taken = data.get("suggestion")
    if not taken:
        return ""
    if taken.get("rank"):
        return _("Petugas memilih saran sistem ke-%(n)s.") % {"n": taken["rank"]}
    if taken.get("guess"):
        return _("Petugas memilih tebakan sistem yang tidak yakin.")
    return _("Petugas memilih instansi sendiri, bukan dari saran sistem.")


def _files_row_extend(rows: list[dict], event: ReportEvent, *, staff: bool) -> bool:
    """Files added by the same person within a minute count on one line ("3 berkas")."""
    for row in reversed(rows):
        if (
            row["type"] == "event"
            and row["kind"] == ReportEvent.Kind.ATTACHMENT
            and row["internal"] == (not event.is_public)
            and row["actor_role"] == event.actor_role
            and abs((event.created_at - row["created_at"]).total_seconds()) < 60
        ):
            row["files"] += 1
            return True
    return False


def timeline_answer(rows: list[dict]) -> dict | None:
    """The agency's latest public answer (tindak lanjut): shown at the top of the citizen's page."""
    answers = [row for row in rows if row["type"] == "message" and row["kind"] == "follow_up" and not row["internal"]]
    return answers[-1] if answers else None


def report_attachments(report: Report, *, lens: Lens) -> list[dict]:
    """The report's own files (not a message's) for a page, as this lens may name them."""
    qs = Attachment.objects.filter(report=report, message__isnull=True)
    files = qs if lens.audience == STAFF else qs.filter(is_internal=False)
    if lens.audience not in (STAFF, REPORTER):
        return []
    return [
        {
            **lens.attachment(att),
            "pk": att.pk,
            "display_name": lens.attachment_name(att),
            "is_internal": att.is_internal,
        }
        for att in files
    ]


def _state_label(state: str) -> str:
    return str(lc.State(state).label) if state in lc.State.values else ""


def error_page(
    request: HttpRequest, exc: DomainError, *, template: str = "web/error.html", context: dict | None = None
) -> HttpResponse:
    return render(request, template, {"error": exc.message, **(context or {})}, status=exc.status)


def landing(anchor: str, *, message: str = "", form=None) -> dict:
    """A form that came back without doing its work: the page opens on ``anchor`` (the element
    gets ``autofocus`` through the ``landing_attrs`` tag, so no JavaScript is needed) and, when
    ``message`` says what did not happen, a notice at the top links to it and to each field in error."""
    errors = []
    for name, messages in form.errors.items() if form is not None else []:
        if name == "__all__":
            errors.append({"anchor": anchor, "label": "", "message": messages[0]})
            continue
        bound = form[name]
        target = bound.id_for_label or f"{bound.auto_id}_0"  # a radio group: its first choice
        errors.append({"anchor": target, "label": bound.label, "message": messages[0]})
    return {"anchor": anchor, "message": message, "errors": errors}
