"""The agency admin's overview of their own agency: work units, staff and roles, and the
working-day deadlines in force (the agency's overrides over the deployment's defaults).
Read-only: changes are made in the Django admin by the platform operator."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from lapor.accounts.models import Role, RoleAssignment
from lapor.accounts.selectors import user_grants
from lapor.agencies.models import Agency
from lapor.agencies.selectors import agency_subtree
from lapor.reports.deadlines import STAGES, stage_days

MAX_ROWS = 300


@login_required(login_url="web:signin")
def agency_overview(request):
    ids = [g.agency_id for g in user_grants(request.user) if g.role == Role.AGENCY_ADMIN and g.agency_id]
    if not ids:
        raise PermissionDenied
    sections = []
    for agency in Agency.objects.filter(pk__in=ids).order_by("path"):
        units = list(agency_subtree(agency, include_self=False).order_by("path")[:MAX_ROWS])
        staff = list(RoleAssignment.objects.filter(agency__path__startswith=agency.path)
                     .select_related("user", "agency").order_by("agency__path", "role")[:MAX_ROWS])
        sections.append({
            "agency": agency, "units": [(u, u.depth - agency.depth - 1) for u in units], "staff": staff,
            "deadlines": [(stage, stage_days(stage, agency), stage in (agency.deadline_overrides or {}))
                          for stage in STAGES],
        })
    return render(request, "web/staff/agency.html", {"sections": sections})
