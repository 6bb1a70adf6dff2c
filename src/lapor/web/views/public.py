"""The citizen portal: home, submit, confirmation, track (reply, rate), public list, support."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.db import InterfaceError, OperationalError, transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lapor.agencies.models import Agency
from lapor.core.errors import DomainError, ValidationFailed
from lapor.reports import lifecycle as lc
from lapor.reports import selectors as report_selectors
from lapor.reports import services
from lapor.core.ratelimit import limited_response, request_file_count, upload_limited
from lapor.reports.attachments import attachment_add, attachment_path, report_reply_with_files
from lapor.reports.models import Attachment, Report, tracking_id_normalize
from lapor.reports.projection import ANONYMOUS, label, lens_for
from lapor.reports.selectors import ReportFilters
from lapor.reports.projection import ReportView, view_for, view_public

from .. import selectors
from ..forms import TRACKING_ID_RE, RatingForm, ReplyForm, SubmitForm, TrackForm, error_to_form
from ..services import support_add
from .common import (
    error_page,
    landing,
    guest_secret_remember,
    page_lens,
    private_link,
    report_attachments,
    reporter_actor,
    signed_in,
    timeline_answer,
    timeline_rows,
)
from ..deadline_text import deadline_explained

from ..stash import stash_drop, stash_get, stash_put, stash_read

STEPS = ("verify", "follow_up", "reply")
log = logging.getLogger(__name__)


def home(request):
    return render(
        request,
        "web/home.html",
        {
            "counters": selectors.home_counters(),
            "deadlines": settings.LAPOR_DEADLINES,
            "track_form": TrackForm(),
        },
    )


@require_http_methods(["GET", "POST"])
def submit(request):
    user = signed_in(request)
    if request.method == "POST" and request.FILES:
        retry_after = upload_limited(request, user=user, files=request_file_count(request))
        if retry_after:
            return limited_response(request, retry_after)
    data = request.POST if request.method == "POST" else None
    form = SubmitForm(data, request.FILES or None, guest=user is None)
    refresh = request.method == "POST" and ("refresh" in request.POST)
    kept = _kept_files(request)
    failure = ""
    if request.method == "POST" and not refresh and form.is_valid() and _attachments_fit(form, kept):
        idempotency = _idempotency(request, form, user)
        previous = report_selectors.submission_replayed(idempotency)
        if previous is not None:  # the same form sent twice (slow network, double tap)
            return redirect("web:submitted", previous)
        nearby = [] if request.POST.get("nearby_seen") else _nearby(request, form)
        if nearby:  # FixMyStreet's check: open reports nearby on the same topic, shown once; the citizen
            # supports one of them, or sends their own (the files wait in the stash meanwhile)
            kept = kept + _stash_uploads(request)
            return _submit_page(
                request, {"form": form, "guest": user is None, "kept": kept, "nearby": nearby, "nearby_check": True}
            )
        try:
            report, secret = _submit(form, user, idempotency, kept=kept)
        except DomainError as exc:
            error_to_form(form, exc)
        except (OperationalError, InterfaceError):  # database busy or away: 503, everything given back
            log.warning("submission failed: database unavailable", exc_info=True)
            failure, status = (
                _(
                    "Laporan Anda BELUM terkirim: layanan sedang sibuk. Semua isian dan lampiran Anda "
                    "masih ada di bawah; tekan Kirim laporan sekali lagi sebentar lagi."
                ),
                503,
            )
        except Exception:  # noqa: BLE001  (logged; the citizen keeps what they typed)
            log.exception("submission failed")
            failure, status = (
                _(
                    "Laporan Anda BELUM terkirim karena gangguan di server kami. Semua isian dan "
                    "lampiran Anda masih ada di bawah; tekan Kirim laporan sekali lagi."
                ),
                500,
            )
        else:
            stash_drop(kept)
            if secret:
                guest_secret_remember(request, report.tracking_id, secret)
            return redirect("web:submitted", report.tracking_id)
    if failure:
        return submit_failed(request, status=status, reason=failure, form=form, kept=kept)
    if request.method == "POST" and not refresh and form.errors:
        return submit_failed(request, status=400, form=form, kept=kept)
    if request.method == "POST":
        kept = kept + _stash_uploads(request)  # a region or agency refresh keeps the chosen files too
    language = _language_switch(request) if refresh else ""
    if language:  # the switch inside the form: everything typed and chosen comes back, in the other language
        translation.activate(language)
        request.LANGUAGE_CODE = language
        form = SubmitForm(data, guest=user is None)
    response = _submit_page(request, {"form": form, "guest": user is None, "kept": kept})
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
        )
    return response


def _language_switch(request) -> str:
    value = request.POST.get("refresh", "")
    code = value.removeprefix("lang:") if value.startswith("lang:") else ""
    return code if code in dict(settings.LANGUAGES) else ""


def _submit_page(request, ctx: dict, status: int = 200):
    """The submit form with what a phone user needs first: the limits before choosing a file, and
    after a failed send a summary at the top that links to each field in error."""
    form = ctx["form"]
    summary = []
    for name, errors in (form._errors or {}).items():  # only what a validation already found
        if name == "__all__" or name not in form.fields:
            continue
        bound = form[name]
        anchor = f"{bound.auto_id}_0" if name == "type" else bound.auto_id
        summary += [{"anchor": anchor, "label": bound.label, "message": e} for e in errors]
    ctx.update(
        error_summary=summary,
        max_mb=settings.LAPOR_MAX_UPLOAD_BYTES // (1024 * 1024),
        max_files=settings.LAPOR_MAX_ATTACHMENTS,
        max_bytes=settings.LAPOR_MAX_UPLOAD_BYTES,
        nearby=ctx["nearby"] if "nearby" in ctx else _nearby(request, form),
    )
    return render(request, "web/submit.html", ctx, status=status)


def submit_failed(request, *, status: int, reason: str = "", form: SubmitForm | None = None, kept: list | None = None):
    """The submit form given back after a failed submission: says plainly that nothing was sent, with
    everything the citizen typed and every file they chose (kept in the stash, re-attached on send)."""
    user = signed_in(request)
    if form is None:
        form = SubmitForm(request.POST, guest=user is None)
        form.is_valid()  # the field values come back as typed
        form._errors = form._errors.__class__()  # no field is wrong: the form as such failed
    kept = (kept if kept is not None else _kept_files(request)) + _stash_uploads(request)
    reason = reason or _(
        "Laporan Anda BELUM terkirim. Perbaiki isian yang ditandai di bawah, lalu tekan "
        "Kirim laporan sekali lagi. Isian dan lampiran Anda yang lain masih ada."
    )
    return _submit_page(request, {"form": form, "guest": user is None, "kept": kept, "not_sent": reason}, status=status)


def _nearby(request, form) -> list:
    """Open reports nearby on the same topic, for a draft that names its place (a re-shown form)."""
    data = form.data if form.is_bound else {}
    region = None
    for level in SubmitForm.REGION_LEVELS:
        if not data.get(level):
            break
        region = data.get(level)
    if not region:
        return []
    return selectors.nearby_open_reports(
        title=str(data.get("title", ""))[:200],
        body=str(data.get("body", ""))[:2000],
        region_code=region,
        topic_id=_int(data.get("topic")),
    )


def _kept_files(request) -> list:
    if request.method != "POST":
        return []
    found = []
    for token in list(dict.fromkeys(request.POST.getlist("kept")))[: settings.LAPOR_MAX_ATTACHMENTS]:
        item = stash_get(token)
        if item is not None:
            found.append(item)
    return found


def _stash_uploads(request) -> list:
    uploads = [f for f in request.FILES.getlist("attachments") if f and f.size]
    return stash_put(uploads[: settings.LAPOR_MAX_ATTACHMENTS])


def _attachments_fit(form: SubmitForm | ReplyForm, kept: list) -> bool:
    if len(kept) + len(form.cleaned_data.get("attachments") or []) <= settings.LAPOR_MAX_ATTACHMENTS:
        return True
    form.add_error("attachments", _("Paling banyak %(n)d lampiran.") % {"n": settings.LAPOR_MAX_ATTACHMENTS})
    return False


def _idempotency(request, form: SubmitForm, user) -> tuple[str, str, str] | None:
    key = form.cleaned_data.get("submit_key") or ""
    if not key:
        return None
    if user is None and not request.session.session_key:
        request.session.save()
    owner = f"user:{user.pk}" if user else f"web:{request.session.session_key}"[:80]
    fields = {k: v for k, v in request.POST.lists() if k not in ("csrfmiddlewaretoken", "submit_key")}
    return owner, key, services.idempotency_hash(fields)


def _submit(form: SubmitForm, user, idempotency=None, *, kept=None) -> tuple[Report, str]:
    d = form.cleaned_data
    submission = services.Submission(
        title=d["title"],
        body=d["body"],
        type=d["type"],
        topic_id=int(d["topic"]) if d["topic"] else None,
        region_code=form.region_code(),
        latitude=d.get("latitude"),
        longitude=d.get("longitude"),
        address=d["address"],
        incident_date=d["incident_date"],
        target_agency_id=d["target_agency"],
        is_anonymous=d["is_anonymous"],
        is_confidential=d["is_confidential"],
        guest_name=d.get("guest_name", ""),
        guest_email=d.get("guest_email", ""),
        guest_phone=d.get("guest_phone", ""),
    )
    owner, key, body_hash = idempotency or (None, "", "")
    with transaction.atomic():  # the report and its files, or nothing
        result = services.report_submit_once(
            submission=submission, reporter=user, key=key, request_hash=body_hash, owner=owner
        )
        if result.replayed:  # the same form sent twice (slow network, double tap): the files came with the first
            return result.report, result.guest_secret
        report, secret = result.report, result.guest_secret
        actor = services.Actor(user=user, is_reporter=True)
        files = [(item.name, lambda item=item: stash_read(item)) for item in kept or ()]
        files += [(upload.name, upload.read) for upload in d["attachments"]]
        for name, read in files:
            try:
                attachment_add(report=report, actor=actor, name=name, data=read())
            except ValidationFailed as exc:
                raise ValidationFailed(
                    f"{name}: {exc.message}", code=exc.code, detail={"field": "attachments"}
                ) from exc
    return report, secret


def submitted(request, tracking_id: str):
    report = get_object_or_404(Report, tracking_id=tracking_id)
    if reporter_actor(request, report) is None:
        raise Http404
    return render(
        request,
        "web/submitted.html",
        {
            "report": view_for(report, signed_in(request), is_reporter=True),
            "deadline": deadline_explained(report),
            "private_link": private_link(request, report),
        },
    )


def track_lookup(request):
    form = TrackForm(request.GET or None)
    if form.is_valid():
        tid = form.cleaned_data["tracking_id"]
        if _track_visible(request, tid) is None:
            return _track_not_found(request, request.GET.get("tracking_id", ""))
        return redirect("web:track", tid)
    return render(request, "web/track_lookup.html", {"form": form}, status=400 if form.is_bound else 200)


def _track_not_found(request, typed: str):
    """A wrong (or not yet public) tracking number: the lookup again, with what was typed and why.
    The same words whether the report does not exist or is not public, so nothing is revealed."""
    form = TrackForm(initial={"tracking_id": typed[:20]})
    return render(request, "web/track_lookup.html", {"form": form, "not_found": typed[:20]}, status=404)


def _track_visible(request, tracking_id: str) -> Report | None:
    try:
        return _track_report(request, tracking_id)
    except Http404:
        return None


def track_private(request, tracking_id: str, secret: str):
    report = Report.objects.filter(tracking_id=tracking_id_normalize(tracking_id)).first()
    if report is None or not services.guest_secret_matches(report, secret):
        raise Http404
    guest_secret_remember(request, report.tracking_id, secret)
    return redirect("web:track", report.tracking_id)


def _track_context(request, report: Report, forms: dict | None = None) -> dict:
    actor = reporter_actor(request, report)
    is_reporter = actor is not None
    viewer = signed_in(request)
    lens = page_lens(report, viewer=viewer, staff=False, is_reporter=is_reporter)
    rows = timeline_rows(report, viewer=viewer, staff=False, is_reporter=is_reporter)
    ctx = {
        "report": ReportView(lens),
        "is_reporter": is_reporter,
        "title": lens.title,
        "body": lens.body,
        "rows": rows,
        "answer": timeline_answer(rows),
        "deadline": deadline_explained(report, is_reporter=is_reporter),
        "supports": report.support_count,
        "supported": report.pk in selectors.supported_by(request.user, [report.pk]),
        "attachments": report_attachments(report, lens=lens),
        "private_link": private_link(request, report),
        "handler": report.agency.name if report.agency_id else "",
        "can_reply": is_reporter and report.state in lc.OPEN_STATES,
        "can_complete": is_reporter and report.state == lc.State.FOLLOWED_UP,
        "can_rate": is_reporter and report.state == lc.State.DONE and report.rating is None,
        "can_reopen": report.reopen_count < 1,
        "reply_form": ReplyForm(),
        "reply_kept": [],
        "max_mb": settings.LAPOR_MAX_UPLOAD_BYTES // (1024 * 1024),
        "max_files": settings.LAPOR_MAX_ATTACHMENTS,
        "max_bytes": settings.LAPOR_MAX_UPLOAD_BYTES,
        "rating_form": RatingForm(),
        "reporter_label": label(ANONYMOUS) if report.is_anonymous and not is_reporter else "",
    }
    ctx.update(forms or {})
    return ctx


def _track_report(request, tracking_id: str) -> Report:
    tid = tracking_id_normalize(tracking_id)
    report = Report.objects.select_related("agency", "topic", "region").filter(tracking_id=tid).first()
    if report is None:
        raise Http404
    if (
        reporter_actor(request, report) is None
        and not report_selectors.report_public_qs().filter(pk=report.pk).exists()
    ):
        viewer = signed_in(request)
        if viewer is not None and report_selectors.viewer_is_staff_for(report, viewer):
            return report
        raise Http404
    return report


def track(request, tracking_id: str):
    report = _track_visible(request, tracking_id)
    if report is None:
        return _track_not_found(request, tracking_id)
    if report.tracking_id != tracking_id:  # "abcd1234" or "ABCD1234": the one address of the report
        return redirect("web:track", report.tracking_id)
    viewer = signed_in(request)
    if (
        reporter_actor(request, report) is None
        and viewer is not None
        and report_selectors.viewer_is_staff_for(report, viewer)
    ):
        return redirect("web:staff_report", report.tracking_id)
    return render(request, "web/track.html", _track_context(request, report))


def _reporter_post(request, tracking_id: str):
    report = _track_report(request, tracking_id)
    actor = reporter_actor(request, report)
    if actor is None:
        raise Http404
    return report, actor


@require_POST
def track_reply(request, tracking_id: str):
    """The reporter's reply, with files as on the submit form (the same rules, through the same
    service). What did not go through comes back: the text as typed, and every file that was not
    the one refused waiting in the stash (ticked, sent with the next try)."""
    report, actor = _reporter_post(request, tracking_id)
    if request.FILES:
        retry_after = upload_limited(request, user=signed_in(request), files=request_file_count(request))
        if retry_after:
            return limited_response(request, retry_after)
    form = ReplyForm(request.POST, request.FILES)
    kept = _kept_files(request)
    status = 400
    if form.is_valid() and _attachments_fit(form, kept):
        files = [(item.name, lambda item=item: stash_read(item)) for item in kept]
        files += [(upload.name, upload.read) for upload in form.cleaned_data["attachments"]]
        try:
            report_reply_with_files(report=report, actor=actor, body=form.cleaned_data["body"], files=files)
        except DomainError as exc:
            error_to_form(form, exc)
            status, report = exc.status, _refresh(report)
            kept = _reply_keep(request, kept, exc)
        else:
            stash_drop(kept)
            messages.success(request, _("Tanggapan Anda terkirim."))
            return redirect("web:track", report.tracking_id)
    else:
        kept = kept + _stash_uploads(request)
    ctx = _track_context(request, report, {"reply_form": form, "reply_kept": kept, "landing": _reply_back(form)})
    return render(request, "web/track.html", ctx, status=status)


def _reply_keep(request, kept: list, exc: DomainError) -> list:
    """The files to give back after a refused reply: all of them but the one refused (it would be
    refused again), which leaves the stash."""
    uploads = [f for f in request.FILES.getlist("attachments") if f and f.size]
    refused = (exc.detail or {}).get("index") if isinstance(exc.detail, dict) else None
    if refused is None:
        return kept + _stash_uploads(request)
    if refused < len(kept):
        stash_drop([kept[refused]])
        return kept[:refused] + kept[refused + 1 :] + _stash_uploads(request)
    del uploads[refused - len(kept)]
    return kept + stash_put(uploads[: settings.LAPOR_MAX_ATTACHMENTS])


def _reply_back(form) -> dict:
    return landing("reply", message=_("Tanggapan Anda belum terkirim."), form=form)


@require_POST
def track_complete(request, tracking_id: str):
    report, actor = _reporter_post(request, tracking_id)
    try:
        services.report_complete(report=report, actor=actor)
    except DomainError as exc:
        back = landing("complete", message=_("Laporan belum ditandai selesai."))
        ctx = _track_context(request, report, {"error": exc.message, "landing": back})
        return render(request, "web/track.html", ctx, status=exc.status)
    messages.success(request, _("Terima kasih. Laporan Anda ditandai selesai; silakan beri penilaian."))
    return redirect("web:track", report.tracking_id)


@require_POST
def track_rate(request, tracking_id: str):
    report, actor = _reporter_post(request, tracking_id)
    form = RatingForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.report_rate(
                report=report, actor=actor, rating=d["rating"], comment=d["comment"], reopen=d["satisfied"] == "no"
            )
            messages.success(
                request,
                _("Laporan dibuka kembali; instansi akan menindaklanjutinya lagi.")
                if d["satisfied"] == "no"
                else _("Terima kasih atas penilaian Anda."),
            )
            return redirect("web:track", report.tracking_id)
        except DomainError as exc:
            error_to_form(form, exc)
            return render(
                request,
                "web/track.html",
                _track_context(request, _refresh(report), {"rating_form": form, "landing": _rate_back(form)}),
                status=exc.status,
            )
    ctx = _track_context(request, report, {"rating_form": form, "landing": _rate_back(form)})
    return render(request, "web/track.html", ctx, status=400)


def _rate_back(form) -> dict:
    """Not reopened, not rated: said plainly, so "Status Selesai" above does not read as success."""
    reopen = form.data.get("satisfied") == "no"
    message = _("Laporan BELUM dibuka kembali.") if reopen else _("Penilaian Anda belum terkirim.")
    return landing("rate", message=message, form=form)


def _refresh(report: Report) -> Report:
    report.refresh_from_db()
    return report


def attachment(request, tracking_id: str, attachment_id: int):
    """Download after a permission check: the reporter, or staff in scope (internal files staff only)."""
    report = get_object_or_404(Report, tracking_id=tracking_id_normalize(tracking_id))
    viewer = signed_in(request)
    staff = viewer is not None and report_selectors.viewer_is_staff_for(report, viewer)
    is_reporter = reporter_actor(request, report) is not None
    if not staff and not is_reporter:
        raise Http404
    att = get_object_or_404(Attachment, pk=attachment_id, report=report)
    if att.is_internal and not staff:
        raise Http404
    path = attachment_path(att)
    if not path.exists():
        raise Http404
    name = lens_for(report, viewer, is_reporter=is_reporter).attachment_name(att)
    response = FileResponse(open(path, "rb"), content_type=att.content_type, as_attachment=True, filename=name)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Public list ---------------------------------------------------------------------------

PAGE_SIZE = 20


def public_list(request):
    g = request.GET
    found = _public_by_tracking_id(g.get("q", ""))
    if found is not None:  # a tracking number typed in the search box: straight to the report
        return redirect("web:track", found)
    f = ReportFilters(
        q=g.get("q", "")[:200],
        topic_id=_int(g.get("topic")),
        region_code=g.get("region") or None,
        agency_id=_int(g.get("agency")),
        state=[g["status"]] if g.get("status") in lc.State.values else None,
    )
    # the same plan as the public API: windowed full-text search, relevance first when searching
    rows, next_cursor = report_selectors.report_public_page(f, cursor=g.get("cursor") or None, limit=PAGE_SIZE)
    ids = [r.pk for r in rows]
    mine = selectors.supported_by(request.user, ids)
    items = []
    for r in rows:
        view = view_public(r)
        items.append(
            {
                "report": view,
                "title": view.title,
                "body": view.body,
                "reporter": view.lens.public_reporter_name,
                "supports": r.support_count,
                "supported": r.pk in mine,
            }
        )
    params = g.copy()
    params.pop("cursor", None)
    return render(
        request,
        "web/public_list.html",
        {
            "items": items,
            "next_cursor": next_cursor,
            "params": params.urlencode(),
            "filters": g,
            "topics": selectors.topic_choices(),
            "provinces": selectors.region_choices(None),
            "states": [(s, lbl) for s, lbl in lc.State.choices if s not in (lc.State.SUBMITTED, lc.State.ARCHIVED)],
            "agency": Agency.objects.filter(pk=f.agency_id).first() if f.agency_id else None,
        },
    )


def _public_by_tracking_id(q: str) -> str | None:
    """ "ABCD-1234", "abcd1234", " AbCd 1234 ": the public report with that number, if there is one."""
    if not q or len(q) > 20:
        return None
    tid = tracking_id_normalize(q)
    if not TRACKING_ID_RE.fullmatch(tid):
        return None
    return report_selectors.report_public_qs().filter(tracking_id=tid).values_list("tracking_id", flat=True).first()


def _int(value) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


@require_POST
def support(request, tracking_id: str):
    user = signed_in(request)
    back = request.POST.get("next", "")
    back = back if back.startswith("/") and not back.startswith("//") else reverse("web:public_list")
    if user is None:  # a guest is told why, and comes back to the same page after signing in
        messages.info(
            request,
            _(
                "Untuk mendukung laporan, masuk atau daftar dulu: satu akun hanya dapat memberi "
                "satu dukungan, agar jumlah dukungan jujur."
            ),
        )
        return redirect(f"{reverse('web:signin')}?{urlencode({'next': back})}")
    try:
        support_add(tracking_id=tracking_id_normalize(tracking_id), user=user)
    except DomainError as exc:
        if exc.status != 409:
            return error_page(request, exc)
    else:
        messages.success(request, _("Terima kasih, dukungan Anda tercatat."))
    return redirect(back)
