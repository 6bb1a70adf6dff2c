"""Sign in, sign out, citizen registration, a forgotten password and the citizen's own reports."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lapor.accounts.password_reset import password_reset_confirm, password_reset_request
from lapor.accounts.selectors import user_grants, user_is_staff
from lapor.accounts.sessions import session_ended_elsewhere
from lapor.accounts.services import account_activate, account_register
from lapor.accounts.signin import LoginLocked, signin_authenticate, signin_succeeded
from lapor.accounts.twofactor import twofactor_required
from lapor.core.errors import DomainError
from lapor.notifications.services import daily_digest_get, daily_digest_set
from lapor.reports import lifecycle as lc
from lapor.reports.models import Report
from lapor.reports.projection import view_for

from ..forms import PasswordForgotForm, PasswordResetForm, RegisterForm, SettingsForm, SignInForm, error_to_form
from .twofactor import twofactor_begin


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _home_for(user) -> str:
    """Where a sign-in lands: an overseer (who only reads) on the dashboard, other staff in the inbox."""
    grants = user_grants(user)
    if grants and all(g.role == lc.OVERSEER for g in grants):
        return "analytics:dashboard"
    return "web:inbox" if grants else "web:my_reports"


@require_http_methods(["GET", "POST"])
def signin(request):
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        login_as = form.cleaned_data["login"]
        try:  # lockout after repeated failures (lapor.accounts.signin)
            user = signin_authenticate(request, login=login_as, password=form.cleaned_data["password"])
        except LoginLocked as exc:
            form.add_error(None, exc.message)
            return render(
                request, "web/account/signin.html", {"form": form, "next": _next_url(request, "")}, status=429
            )
        if user is None:
            form.add_error(None, _("E-mail/nomor telepon atau kata sandi salah."))
        elif twofactor_required(user):  # staff: a second step (views/twofactor.py)
            return twofactor_begin(request, user, login_as=login_as, next_url=_next_url(request, ""))
        else:
            signin_succeeded(request, login_as)
            return signin_complete(request, user, _next_url(request, reverse(_home_for(user))))
    ended = request.method == "GET" and session_ended_elsewhere(request.session)
    return render(
        request,
        "web/account/signin.html",
        {"form": form, "next": _next_url(request, ""), "ended_elsewhere": ended},
        status=400 if form.errors else 200,
    )


def signin_complete(request, user, target: str):
    login(request, user, backend=getattr(user, "backend", None) or settings.AUTHENTICATION_BACKENDS[0])
    response = redirect(target)
    # The account's language follows the person, unless this browser already chose one.
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and user.language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax", max_age=settings.LANGUAGE_COOKIE_AGE
        )
    return response


@require_POST
def signout(request):
    logout(request)
    return redirect("web:home")


@require_http_methods(["GET", "POST"])
def register(request):
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account_register(
                full_name=data["full_name"], email=data["email"], phone=data["phone"], password=data["password"]
            )
        except DomainError as exc:
            error_to_form(form, exc)
        else:  # the same page whether or not the contact was already registered
            return render(request, "web/account/register_sent.html", {})
    return render(request, "web/account/register.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET"])
def register_activate(request, uidb64: str, token: str):
    if account_activate(uidb64=uidb64, token=token) is None:
        return render(
            request,
            "web/error.html",
            {
                "error": _(
                    "Tautan aktivasi salah, sudah dipakai atau kedaluwarsa. Jika akun Anda sudah aktif, silakan masuk."
                )
            },
            status=400,
        )
    return redirect(reverse("web:signin") + "?activated=1")


SESSION_RESET_LOGIN = "web_reset_login"


@require_http_methods(["GET", "POST"])
def password_forgot(request):
    """Lupa kata sandi, step 1: a code to the account's own e-mail or phone. The answer is the same
    whether or not the contact has an account (accounts/password_reset.py)."""
    form = PasswordForgotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_reset_request(login=form.cleaned_data["login"])
        request.session[SESSION_RESET_LOGIN] = form.cleaned_data["login"].strip()
        return redirect("web:password_reset")
    return render(request, "web/account/password_forgot.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def password_reset(request):
    """Lupa kata sandi, step 2: the code and a new password; then sign in with it."""
    login_as = request.session.get(SESSION_RESET_LOGIN, "")
    form = PasswordResetForm(request.POST or None, initial={"login": login_as})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            password_reset_confirm(login=d["login"], code=d["code"], password=d["password"])
        except DomainError as exc:
            error_to_form(form, exc)
        else:
            request.session.pop(SESSION_RESET_LOGIN, None)
            messages.success(request, _("Kata sandi Anda sudah diganti. Silakan masuk dengan kata sandi baru."))
            return redirect("web:signin")
    return render(
        request,
        "web/account/password_reset.html",
        {"form": form, "sent_to": login_as},
        status=400 if form.errors else 200,
    )


@login_required(login_url="web:signin")
def my_reports(request):
    reports = (
        Report.objects.filter(reporter=request.user)
        .select_related("agency", "topic", "region")
        .order_by("-submitted_at")[:200]
    )
    return render(
        request,
        "web/account/my_reports.html",
        {"reports": [view_for(r, request.user, is_reporter=True) for r in reports]},
    )


@require_http_methods(["GET", "POST"])
@login_required(login_url="web:signin")
def preferences(request):
    """Language and notification channels (User.language / User.notify_by, read by
    lapor.notifications), and the staff's daily digest switch."""
    user = request.user
    staff = user_is_staff(user)
    initial = {
        "language": user.language,
        "notify_by": user.notify_by or [],
        "daily_digest": staff and daily_digest_get(user=user),
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if not staff:
        del form.fields["daily_digest"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user.language, user.notify_by = data["language"], list(data["notify_by"])
        user.save(update_fields=["language", "notify_by"])
        if staff:
            daily_digest_set(user=user, daily_digest=data["daily_digest"])
        response = redirect("web:preferences")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax", max_age=settings.LANGUAGE_COOKIE_AGE
        )
        return response
    return render(request, "web/account/preferences.html", {"form": form}, status=400 if form.errors else 200)
