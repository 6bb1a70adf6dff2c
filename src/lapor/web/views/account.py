"""Sign in, sign out, citizen registration and the citizen's own reports."""
from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lapor.accounts.models import User
from lapor.accounts.selectors import user_is_staff
from lapor.reports.models import Report

from ..forms import RegisterForm, SignInForm


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _home_for(user) -> str:
    return "web:inbox" if user_is_staff(user) else "web:my_reports"


@require_http_methods(["GET", "POST"])
def signin(request):
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["login"], password=form.cleaned_data["password"])
        if user is None:
            form.add_error(None, _("E-mail/nomor telepon atau kata sandi salah."))
        else:
            login(request, user)
            from django.urls import reverse

            return redirect(_next_url(request, reverse(_home_for(user))))
    return render(request, "web/account/signin.html", {"form": form, "next": _next_url(request, "")},
                  status=400 if form.errors else 200)


@require_POST
def signout(request):
    logout(request)
    return redirect("web:home")


@require_http_methods(["GET", "POST"])
def register(request):
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = User.objects.create_user(email=data["email"] or None, phone=data["phone"] or None,
                                        password=data["password"], full_name=data["full_name"])
        login(request, user, backend="lapor.accounts.backends.EmailOrPhoneBackend")
        return redirect("web:my_reports")
    return render(request, "web/account/register.html", {"form": form}, status=400 if form.errors else 200)


@login_required(login_url="web:signin")
def my_reports(request):
    reports = (Report.objects.filter(reporter=request.user).select_related("agency", "topic", "region")
               .order_by("-submitted_at")[:200])
    return render(request, "web/account/my_reports.html", {"reports": reports})
