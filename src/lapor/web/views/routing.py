"""The routing stats page (platform admins): automatic routing overall, and each model version's
live precision (Bukan Wewenang returns of its automatic routes) and live top-1 / top-3 (where
people's own routing choices stood among its suggestions)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from lapor.accounts.selectors import user_is_platform_admin


@login_required(login_url="web:signin")
def routing_stats(request):
    if not user_is_platform_admin(request.user):
        raise PermissionDenied
    from lapor.routing.suggest import routing_stats as stats  # heavy: scikit-learn only when the stats page is asked

    return render(request, "web/staff/routing_stats.html", {"stats": stats()})
