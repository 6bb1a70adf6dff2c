"""The staff workspace: the inbox of reports in scope, a report's detail, and its actions.
Each action form calls the matching lapor.reports.services function; refusals are shown on the
page with their HTTP status (409 for the state machine), never a 500."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lapor.accounts.readonly import read_only_response, user_is_read_only
from lapor.accounts.selectors import user_grants
from lapor.agencies.models import Agency
from lapor.core.errors import DomainError, NotFound, ValidationFailed
from lapor.core.ratelimit import limited_response, request_file_count, upload_limited
from lapor.intake.assisted import assisted_submit
from lapor.reports import lifecycle as lc
from lapor.reports import selectors as report_selectors
from lapor.reports import services
from lapor.reports.attachments import attachment_add
from lapor.reports.models import TRACKING_LENGTH, Channel, Report, tracking_id_normalize
from lapor.reports.projection import ReportView, lens_for
from lapor.reports.selectors import ReportFilters
from lapor.routing.selectors import duplicates_find

from .. import selectors
from ..forms import (
    AgencyPickForm,
    ArchiveForm,
    AssistedForm,
    FollowUpForm,
    MessageForm,
    ReasonForm,
    RevealForm,
    UnitPickForm,
    error_to_form,
)
from .common import landing, page_lens, report_attachments, timeline_rows

INBOX_LIMIT = 100
PREVIEW_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/webp", "image/gif"}
)  # shown inline to staff who may open them
STAFF_ROLES = {lc.PLATFORM_ADMIN, lc.AGENCY_ADMIN, lc.LIAISON, lc.UNIT_STAFF}


def _require_staff(request):
    if not user_grants(request.user):
        raise DjangoPermissionDenied


@login_required(login_url="web:signin")
def inbox(request):
    _require_staff(request)
    g = request.GET
    tab = g.get("tab") if g.get("tab") in selectors.INBOX_TABS else "all"
    scoped = report_selectors.report_qs_for(request.user)
    found = _tracking_number(scoped, g.get("q", ""))
    if found:  # a tracking number, typed with or without its dash, in any case: straight to the report
        return redirect("web:staff_report", found)
    f = ReportFilters(
        state=[g["status"]] if g.get("status") in lc.State.values else None,
        topic_id=_int(g.get("topic")),
        region_code=g.get("region") or None,
        channel=g.get("channel") if g.get("channel") in Channel.values else None,
        overdue=True if g.get("overdue") == "1" else None,
        q=g.get("q", "")[:200],
    )
    filtered = report_selectors.report_filter(scoped, f)
    counts = selectors.inbox_counts(filtered, request.user)
    if tab == "all":  # everything ever in scope, newest first, through the keyset plan of the API list
        rows, _next = report_selectors.report_list_page(request.user, f, cursor=None, limit=INBOX_LIMIT, order="newest")
    else:  # work tabs: what is in the viewer's hands, most urgent deadline first
        rows = list(selectors.inbox_order(selectors.inbox_tab_qs(filtered, tab, request.user))[:INBOX_LIMIT])
    items = [
        {"report": ReportView(lens_for(r, request.user)), "left": selectors.time_left(r.due_at or r.peer_due_at)}
        for r in rows
    ]
    params = g.copy()
    params.pop("tab", None)
    return render(
        request,
        "web/staff/inbox.html",
        {
            "items": items,
            "tab": tab,
            "counts": counts,
            "filters": g,
            "params": params.urlencode(),
            "tabs": [(key, label, counts[key]) for key, label in _tab_labels()],
            "states": lc.State.choices,
            "channels": Channel.choices,
            "topics": selectors.topic_choices(),
            "provinces": selectors.region_choices(None),
            "can_bulk": _can_bulk(request.user),
            "archive_form": ArchiveForm(),
            "limit": INBOX_LIMIT,
            "is_agency_admin": any(g.role == lc.AGENCY_ADMIN and g.agency_id for g in user_grants(request.user)),
            "filtered": any(g.get(k) for k in ("status", "topic", "region", "channel", "overdue")),
            "is_platform": any(g.role == lc.PLATFORM_ADMIN for g in user_grants(request.user)),
            "can_enter": not user_is_read_only(request.user),  # the overseer may not file for a citizen
        },
    )


def _tracking_number(scoped, q: str) -> str:
    """The tracking id ``q`` names, if it names one of the viewer's reports ("ab12cd34", "AB12-CD34")."""
    raw = "".join(ch for ch in q if ch.isalnum())
    if len(raw) != TRACKING_LENGTH or len(q.strip()) > TRACKING_LENGTH + 2:
        return ""
    tid = tracking_id_normalize(raw)
    return tid if scoped.filter(tracking_id=tid).exists() else ""


def _tab_labels():
    return [
        ("verify", _("Perlu verifikasi")),
        ("agency", _("Di instansi saya")),
        ("overdue", _("Terlambat")),
        ("escalated", _("Dieskalasi")),
        ("all", _("Semua")),
    ]


def _can_bulk(user) -> bool:
    return any(g.role in (lc.PLATFORM_ADMIN, lc.AGENCY_ADMIN) for g in user_grants(user))


def _int(value) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


def _load(request, tracking_id: str) -> Report:
    _require_staff(request)
    try:
        report = report_selectors.report_get_for(request.user, tracking_id_normalize(tracking_id))
    except NotFound:
        raise Http404 from None
    if not report_selectors.viewer_is_staff_for(report, request.user):
        raise Http404
    return report


def _detail_context(
    request, report: Report, forms: dict | None = None, error=None, landing: dict | None = None
) -> dict:
    actor = services.Actor(user=request.user)
    roles = services.actor_roles(report, actor)
    actions = lc.actions_allowed(state=report.state, roles=roles)
    lens = page_lens(report, viewer=request.user, staff=True, is_reporter=False)
    ctx = {
        "report": ReportView(lens),
        "actions": actions,
        "error": error,
        "reporter": lens.reporter,
        "rows": timeline_rows(report, viewer=request.user, staff=True, is_reporter=False),
        "attachments": report_attachments(report, lens=lens),
        "left": selectors.time_left(report.due_at),
        "can_note": bool(roles & STAFF_ROLES),
        "can_reveal": report.is_anonymous and lc.PLATFORM_ADMIN in roles,
        "reveal_form": RevealForm(),
        "templates": selectors.answer_templates_for(report.agency) if "follow_up" in actions else [],
        "answer_suggestions": report_selectors.answer_suggestions(report=report) if "follow_up" in actions else [],
        "forms": {
            "route": AgencyPickForm(prefix="route"),
            "forward": AgencyPickForm(prefix="forward"),
            "dispose": UnitPickForm(prefix="dispose", agency=report.agency),
            "follow_up": FollowUpForm(prefix="follow_up"),
            "note": MessageForm(prefix="note"),
            "not_authority": ReasonForm(prefix="not_authority"),
            "postpone": ReasonForm(prefix="postpone"),
            "resume": ReasonForm(prefix="resume"),
            "archive": ArchiveForm(prefix="archive"),
            "complete": ReasonForm(prefix="complete"),
        },
    }
    ctx["forms"].update(forms or {})
    ctx["open_action"] = next(iter(forms), "") if forms else ""  # the form just posted stays open
    ctx["landing"] = landing or ({"anchor": f"aksi-{ctx['open_action']}"} if forms else None)
    for att in ctx["attachments"]:
        att["is_image"] = att["content_type"] in PREVIEW_TYPES
    ctx.update(selectors.report_place(report, address=lens.address, location=lens.location))
    ctx["flags"] = selectors.report_flags(report)
    ctx.update(_machine_help(request, report, actions, roles))
    if ctx["suggestion_status"] == "ok" and not ctx["sure_suggestions"]:  # "Sistem tidak yakin": the picker next
        ctx["forms"]["route"].fields["agency_q"].widget.attrs["autofocus"] = True
    return ctx


GUESSES_SHOWN = 2  # suggestions under the floor, shown collapsed as "tidak yakin"


def _machine_help(request, report: Report, actions: list[str], roles: set[str]) -> dict:
    """Routing suggestions for whoever routes, likely duplicates for whoever handles the report."""
    from lapor.routing.suggest import routing_suggest  # heavy: scikit-learn only when a report is triaged

    help_ = {"sure_suggestions": [], "guess_suggestions": [], "suggestion_status": "", "duplicates": []}
    if "route" in actions:
        result = routing_suggest(report)
        # (place in the list shown, suggestion): a tap sends its place, routing_decision reads it back
        shown = list(enumerate(result["suggestions"], start=1))
        help_["sure_suggestions"] = [(n, sug) for n, sug in shown if sug["sure"]]
        help_["guess_suggestions"] = [(n, sug) for n, sug in shown if not sug["sure"]][:GUESSES_SHOWN]
        help_["suggestion_status"] = result["status"]
    if report.state in lc.OPEN_STATES and roles & STAFF_ROLES:
        mine = lens_for(report, request.user)
        found = duplicates_find(
            qs=report_selectors.report_qs_for(request.user),
            title=mine.title,
            body=mine.body,
            region_code=report.region_id,
            exclude_id=report.pk,
        )
        help_["duplicates"] = [
            {"tracking_id": r.tracking_id, "title": lens_for(r, request.user).title, "similarity": round(score * 100)}
            for r, score in found
        ]
    return help_


@login_required(login_url="web:signin")
def report_detail(request, tracking_id: str):
    report = _load(request, tracking_id)
    return render(request, "web/staff/report.html", _detail_context(request, report))


def _agency(form) -> Agency:
    agency = Agency.objects.filter(pk=_int(form.cleaned_data.get("agency"))).first()
    if agency is None:
        raise ValidationFailed(_("Pilih instansi tujuan."), code="agency_required", detail={"field": "agency"})
    return agency


def _archive(report, actor, form):
    d = form.cleaned_data
    original = None
    if d["duplicate_of"]:
        original = Report.objects.filter(tracking_id=tracking_id_normalize(d["duplicate_of"])).first()
        if original is None:
            raise ValidationFailed(
                _("Laporan asli tidak ditemukan."), code="unknown_report", detail={"field": "duplicate_of"}
            )
    services.report_archive(
        report=report, actor=actor, reason=d["archive_reason"], note=d["note"], duplicate_of=original
    )


def _dispose(report, actor, form):
    unit = Agency.objects.filter(pk=_int(form.cleaned_data.get("unit"))).first()
    if unit is None:
        raise ValidationFailed(_("Pilih unit kerja."), code="unit_required", detail={"field": "unit"})
    services.report_dispose(
        report=report, actor=actor, unit=unit, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]
    )


def _follow_up(report, actor, form):
    with transaction.atomic():  # the answer and its files, or nothing
        message = services.report_follow_up(report=report, actor=actor, body=form.cleaned_data["body"])
        for upload in form.cleaned_data["attachments"]:
            try:
                attachment_add(report=report, actor=actor, name=upload.name, data=upload.read(), message=message)
            except ValidationFailed as exc:
                raise ValidationFailed(
                    f"{upload.name}: {exc.message}", code=exc.code, detail={"field": "attachments"}
                ) from exc


# action -> (form class, handler). Every handler is one services call.
ACTIONS = {
    "route": (
        AgencyPickForm,
        lambda r, a, f: services.report_route(
            report=r,
            actor=a,
            agency=_agency(f),
            reason=f.cleaned_data["reason"],
            note=f.cleaned_data["note"],
            tapped_rank=f.cleaned_data.get("tapped_rank"),
        ),
    ),
    "forward": (
        AgencyPickForm,
        lambda r, a, f: services.report_forward(
            report=r, actor=a, agency=_agency(f), reason=f.cleaned_data["reason"], note=f.cleaned_data["note"]
        ),
    ),
    "dispose": (UnitPickForm, _dispose),
    "follow_up": (FollowUpForm, _follow_up),
    "note": (MessageForm, lambda r, a, f: services.report_note(report=r, actor=a, body=f.cleaned_data["body"])),
    "not_authority": (
        ReasonForm,
        lambda r, a, f: services.report_not_authority(
            report=r, actor=a, reason=f.cleaned_data["reason"], note=f.cleaned_data["note"]
        ),
    ),
    "postpone": (
        ReasonForm,
        lambda r, a, f: services.report_postpone(report=r, actor=a, reason=f.cleaned_data["reason"]),
    ),
    "resume": (ReasonForm, lambda r, a, f: services.report_resume(report=r, actor=a, reason=f.cleaned_data["reason"])),
    "archive": (ArchiveForm, _archive),
    "complete": (ReasonForm, lambda r, a, f: services.report_complete(report=r, actor=a)),
}


def _bind(name: str, request, report: Report):
    form_class = ACTIONS[name][0]
    kwargs = {"agency": report.agency} if form_class is UnitPickForm else {}
    return form_class(request.POST, request.FILES, prefix=name, **kwargs)


@require_POST
@login_required(login_url="web:signin")
def report_action(request, tracking_id: str, action: str):
    if action not in ACTIONS:
        raise Http404
    report = _load(request, tracking_id)
    if request.FILES:
        retry_after = upload_limited(request, user=request.user, files=request_file_count(request))
        if retry_after:
            return limited_response(request, retry_after)
    form = _bind(action, request, report)
    if "search" in request.POST:  # no-JS agency search: show the matches, do nothing yet
        return render(request, "web/staff/report.html", _detail_context(request, report, {action: form}))
    if action == "follow_up" and "use_template" in request.POST:  # no-JS: start the answer from a template
        chosen = {str(t.pk): t for t in selectors.answer_templates_for(report.agency)}.get(request.POST.get("template"))
        form = FollowUpForm(prefix="follow_up", initial={"body": chosen.body if chosen else ""})
        return render(request, "web/staff/report.html", _detail_context(request, report, {action: form}))
    if action == "follow_up" and "use_suggestion" in request.POST:  # start from a well-rated earlier answer
        chosen = dict(enumerate(report_selectors.answer_suggestions(report=report))).get(
            _int(request.POST["use_suggestion"])
        )
        form = FollowUpForm(prefix="follow_up", initial={"body": chosen["body"] if chosen else ""})
        return render(request, "web/staff/report.html", _detail_context(request, report, {action: form}))
    if not form.is_valid():
        back = landing(f"aksi-{action}", message=_not_done(action), form=form)
        return render(
            request, "web/staff/report.html", _detail_context(request, report, {action: form}, landing=back), status=400
        )
    try:
        if action == "follow_up" and "send_anyway" not in request.POST:
            review = _answer_review(request, report, form)
            if review is not None:
                return review
        ACTIONS[action][1](report, services.Actor(user=request.user), form)
    except DomainError as exc:
        error_to_form(form, exc)
        report.refresh_from_db()
        return render(
            request,
            "web/staff/report.html",
            _detail_context(
                request,
                report,
                {action: form},
                error=exc.message,
                landing=landing(f"aksi-{action}", message=_not_done(action), form=form),
            ),
            status=exc.status,
        )
    report.refresh_from_db()
    messages.success(request, _action_done(action, report))
    if not report_selectors.report_qs_for(request.user).filter(pk=report.pk).exists():
        return redirect("web:inbox")
    return redirect("web:staff_report", report.tracking_id)


def _answer_review(request, report: Report, form):
    """Answers that answer: a flagged draft comes back with the reasons, and the liaison chooses to
    edit it or to send it as it is (``send_anyway``)."""
    review = services.report_answer_review(
        report=report, actor=services.Actor(user=request.user), body=form.cleaned_data["body"]
    )
    if review.ok:
        return None
    back = landing("answer-review", message=_not_done("follow_up"))
    ctx = _detail_context(request, report, {"follow_up": form}, landing=back)
    ctx.update(answer_review=review.reasons, answer_files_dropped=bool(request.FILES))
    return render(request, "web/staff/report.html", ctx)


def _not_done(action: str) -> str:
    """What did not happen, said at the top of a page that came back with the form."""
    if action == "follow_up":
        return _("Jawaban belum dikirim.")
    if action == "note":
        return _("Catatan belum tersimpan.")
    return _("Tindakan belum dijalankan.")


def _action_done(action: str, report: Report) -> str:
    """What the action did, in words, shown on the next page (the report's, or the inbox when the
    report left the viewer's hands)."""
    holder = report.agency.name if report.agency_id else _("Admin Nasional (verifikasi)")
    words = {
        "route": _("Laporan %(tid)s diverifikasi dan didisposisikan ke %(agency)s."),
        "forward": _("Laporan %(tid)s diteruskan ke %(agency)s."),
        "dispose": _("Laporan %(tid)s didisposisikan ke %(agency)s."),
        "follow_up": _("Tindak lanjut terkirim kepada pelapor."),
        "note": _("Catatan internal tersimpan."),
        "not_authority": _("Laporan %(tid)s dikembalikan ke %(agency)s: bukan wewenang."),
        "postpone": _("Laporan %(tid)s ditunda; batas waktu berhenti sampai dilanjutkan."),
        "resume": _("Laporan %(tid)s dilanjutkan."),
        "archive": _("Laporan %(tid)s diarsipkan."),
        "complete": _("Laporan %(tid)s ditandai selesai."),
    }
    return words[action] % {"tid": report.tracking_id, "agency": holder}


@require_POST
@login_required(login_url="web:signin")
def inbox_bulk(request):
    """Archive or route several reports at once; each one still goes through its service call."""
    _require_staff(request)
    ids = [tracking_id_normalize(t) for t in request.POST.getlist("report")][:INBOX_LIMIT]
    action = request.POST.get("bulk_action")
    reports = list(report_selectors.report_qs_for(request.user).filter(tracking_id__in=ids))
    done, failed = [], []
    for report in reports:
        form = (
            ArchiveForm(request.POST, prefix="archive")
            if action == "archive"
            else AgencyPickForm(request.POST, prefix="route")
        )
        try:
            if not form.is_valid():
                raise ValidationFailed(_("Isian tidak lengkap."))
            (_archive if action == "archive" else ACTIONS["route"][1])(report, services.Actor(user=request.user), form)
            done.append(report.tracking_id)
        except DomainError as exc:
            failed.append((report.tracking_id, str(exc.message)))
    return render(
        request,
        "web/staff/bulk_result.html",
        {"done": done, "failed": failed},
        status=200 if done or not failed else 409,
    )


@require_POST
@login_required(login_url="web:signin")
def report_reveal(request, tracking_id: str):
    """A platform admin looks up an anonymous reporter's identity; the service audits every look."""
    report = _load(request, tracking_id)
    form = RevealForm(request.POST)
    if not form.is_valid():
        ctx = _detail_context(request, report)
        ctx["reveal_form"] = form
        return render(request, "web/staff/report.html", ctx, status=400)
    try:
        identity = services.report_reporter_reveal(
            report=report, actor=services.Actor(user=request.user), reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        return render(
            request, "web/staff/report.html", _detail_context(request, report, error=exc.message), status=exc.status
        )
    ctx = _detail_context(request, report)
    ctx["identity"] = identity
    response = render(request, "web/staff/report.html", ctx)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required(login_url="web:signin")
def counter_entry(request):
    """Counter, call centre 112, letter, rumah aspirasi: staff file a report for a citizen, with
    the citizen's consent (lapor.intake.assisted.assisted_submit records who entered it)."""
    _require_staff(request)
    if user_is_read_only(request.user):  # the overseer could fill the form in but never send it
        return read_only_response(request)
    form = AssistedForm(request.POST or None)
    if request.method != "POST":
        return render(request, "web/staff/counter.html", {"form": form})
    if not form.is_valid():
        return render(request, "web/staff/counter.html", {"form": form}, status=400)
    d = form.cleaned_data
    submission = services.Submission(
        title=d["title"],
        body=d["body"],
        type=d["type"],
        topic_id=_int(d["topic"]),
        region_code=d["province"] or None,
        address=d["address"],
        channel=d["channel"],
        is_anonymous=d["is_anonymous"],
        is_confidential=d["is_confidential"],
        guest_name=d["guest_name"],
        guest_email=d["guest_email"],
        guest_phone=d["guest_phone"],
    )
    try:
        report, secret = assisted_submit(staff=request.user, submission=submission, consent=d["consent"])
    except DomainError as exc:
        error_to_form(form, exc)
        return render(request, "web/staff/counter.html", {"form": form, "error": exc.message}, status=exc.status)
    in_scope = report_selectors.report_qs_for(request.user).filter(pk=report.pk).exists()
    response = render(
        request,
        "web/staff/counter_done.html",
        {
            "tracking_id": report.tracking_id,
            "in_scope": in_scope,
            "private_link": request.build_absolute_uri(reverse("web:track_private", args=[report.tracking_id, secret]))
            if secret
            else "",
            "contact": bool(d["guest_email"] or d["guest_phone"]),
        },
    )
    response["Cache-Control"] = "private, no-store"  # the citizen's private link is on this page
    return response
