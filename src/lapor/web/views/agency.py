"""The agency admin's pages: their agencies' work units, staff and roles, and working-day
deadline overrides (each change one service call, inside the admin's own subtree), and the
agency's answer templates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lapor.accounts.models import Role, RoleAssignment
from lapor.accounts.selectors import user_grants
from lapor.accounts.services import role_grant, role_revoke
from lapor.agencies.models import Agency
from lapor.agencies.selectors import agency_subtree
from lapor.agencies.services import agency_deadlines_set, agency_unit_create
from lapor.core.errors import DomainError
from lapor.reports.deadlines import STAGES, stage_days

from ..forms import AnswerTemplateForm, error_to_form
from ..models import AnswerTemplate
from ..services import answer_template_create, answer_template_delete

MAX_ROWS = 300


@login_required(login_url="web:signin")
def agency_overview(request):
    ids = [g.agency_id for g in user_grants(request.user) if g.role == Role.AGENCY_ADMIN and g.agency_id]
    if not ids:
        raise PermissionDenied
    sections = []
    for agency in Agency.objects.filter(pk__in=ids).order_by("path"):
        units = list(agency_subtree(agency, include_self=False).order_by("path")[:MAX_ROWS])
        staff = list(
            RoleAssignment.objects.filter(agency__path__startswith=agency.path)
            .select_related("user", "agency")
            .order_by("agency__path", "role")[:MAX_ROWS]
        )
        sections.append(
            {
                "agency": agency,
                "units": [(u, u.depth - agency.depth - 1) for u in units],
                "staff": staff,
                "deadlines": [
                    (stage, stage_days(stage, agency), stage in (agency.deadline_overrides or {})) for stage in STAGES
                ],
            }
        )
    return render(request, "web/staff/agency.html", {"sections": sections})


def _admin_agencies(user):
    ids = [g.agency_id for g in user_grants(user) if g.role == Role.AGENCY_ADMIN and g.agency_id]
    return list(Agency.objects.filter(pk__in=ids).order_by("path"))


@login_required(login_url="web:signin")
def answer_templates(request):
    """Templat jawaban: the agency admin keeps reusable follow-up texts."""
    agencies = _admin_agencies(request.user)
    if not agencies:
        raise PermissionDenied
    form = AnswerTemplateForm(request.POST or None, agencies=agencies)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            agency = next(a for a in agencies if str(a.pk) == form.cleaned_data["agency"])
            try:
                answer_template_create(
                    agency=agency, user=request.user, title=form.cleaned_data["title"], body=form.cleaned_data["body"]
                )
                return redirect("web:answer_templates")
            except DomainError as exc:
                error_to_form(form, exc)
                status = exc.status
        else:
            status = 400
    templates = AnswerTemplate.objects.filter(agency__in=agencies).select_related("agency")
    return render(request, "web/staff/answer_templates.html", {"form": form, "templates": templates}, status=status)


@require_POST
@login_required(login_url="web:signin")
def answer_template_remove(request, template_id: int):
    template = get_object_or_404(AnswerTemplate.objects.select_related("agency"), pk=template_id)
    answer_template_delete(template=template, user=request.user)  # PermissionDenied -> 403 page
    return redirect("web:answer_templates")


def _agency_in_scope(request, agency_id: int) -> Agency:
    agency = get_object_or_404(Agency, pk=agency_id)
    if not any(g.role == Role.AGENCY_ADMIN and g.covers(agency.path) for g in user_grants(request.user)):
        raise PermissionDenied
    return agency


def _done(request, result_message: str | None = None):
    if result_message:
        messages.success(request, result_message)
    return redirect("web:agency_overview")


def _refused(request, exc: DomainError):
    messages.error(request, str(exc.message))
    return redirect("web:agency_overview")


@require_POST
@login_required(login_url="web:signin")
def agency_unit_add(request, agency_id: int):
    """Tambah unit kerja under an agency the admin administers."""
    agency = _agency_in_scope(request, agency_id)
    try:
        unit = agency_unit_create(parent=agency, name=request.POST.get("name", ""), actor=request.user)
    except DomainError as exc:
        return _refused(request, exc)
    return _done(request, _("Unit kerja %(name)s ditambahkan.") % {"name": unit.name})


@require_POST
@login_required(login_url="web:signin")
def agency_deadlines(request, agency_id: int):
    """Batas waktu khusus instansi: an empty field falls back to the deployment's default."""
    agency = _agency_in_scope(request, agency_id)
    overrides = {}
    for stage in STAGES:
        raw = (request.POST.get(stage) or "").strip()
        if raw and not raw.isdigit():
            return _refused(request, DomainError(_("Isi batas waktu dengan angka hari kerja.")))
        overrides[stage] = int(raw) if raw else None
    try:
        agency_deadlines_set(agency=agency, overrides=overrides, actor=request.user)
    except DomainError as exc:
        return _refused(request, exc)
    return _done(request, _("Batas waktu disimpan."))


@require_POST
@login_required(login_url="web:signin")
def agency_staff_add(request, agency_id: int):
    agency = _agency_in_scope(request, agency_id)
    target = agency
    if request.POST.get("unit"):
        target = _agency_in_scope(request, int(request.POST["unit"])) if request.POST["unit"].isdigit() else agency
    try:
        role_grant(
            actor=request.user, email=request.POST.get("email", ""), role=request.POST.get("role", ""), agency=target
        )
    except DomainError as exc:
        return _refused(request, exc)
    return _done(request, _("Peran diberikan."))


@require_POST
@login_required(login_url="web:signin")
def agency_staff_remove(request, assignment_id: int):
    assignment = get_object_or_404(RoleAssignment.objects.select_related("agency", "user"), pk=assignment_id)
    if assignment.agency_id is None:
        raise PermissionDenied
    _agency_in_scope(request, assignment.agency_id)
    try:
        role_revoke(actor=request.user, assignment=assignment)
    except DomainError as exc:
        return _refused(request, exc)
    return _done(request, _("Peran dicabut."))
