"""The Django admin with one door for staff: its own login form would skip the lockout and the
two-factor step, so it sends people to the site's sign-in (which returns them to the admin)."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


class LaporAdminSite(AdminSite):
    def login(self, request, extra_context=None):
        target = request.GET.get("next") or reverse("admin:index")
        return redirect(reverse("web:signin") + "?" + urlencode({"next": target}))


class LaporAdminConfig(AdminConfig):
    """In INSTALLED_APPS instead of ``django.contrib.admin``: ``admin.site`` is a LaporAdminSite."""

    default_site = "lapor.accounts.adminsite.LaporAdminSite"
