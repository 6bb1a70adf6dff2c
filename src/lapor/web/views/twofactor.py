"""The staff sign-in's second step: enrol an authenticator once, then a code at every sign-in.

The password step leaves only a short-lived marker in the (not yet signed-in) session; the person is
signed in here, after the code. Rules and storage live in lapor.accounts.twofactor.
"""
from __future__ import annotations

import time

from django import forms
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from lapor.accounts.audit import audit_record
from lapor.accounts.models import User
from lapor.accounts.signin import LoginLocked, signin_failed, signin_locked_for, signin_succeeded
from lapor.accounts.twofactor import (otpauth_qr_svg, otpauth_uri, twofactor_enrol_confirm, twofactor_enrol_start,
                                      twofactor_enrolled, twofactor_verify)

PENDING = "lapor_2fa_pending"
PENDING_SECONDS = 300


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Kode verifikasi"), max_length=32, widget=forms.TextInput(attrs={
        "autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}))


def twofactor_begin(request, user: User, *, login_as: str, next_url: str):
    request.session[PENDING] = {"user": user.pk, "login": login_as, "next": next_url, "at": time.time(),
                                "backend": getattr(user, "backend", "")}
    return redirect("web:signin_code" if twofactor_enrolled(user) else "web:signin_enrol")


def _pending(request) -> tuple[User | None, dict]:
    data = request.session.get(PENDING) or {}
    if not data or time.time() - data.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, {}
    user = User.objects.filter(pk=data.get("user"), is_active=True).first()
    if user is not None and data.get("backend"):
        user.backend = data["backend"]
    return user, data


def _finish(request, user: User, data: dict):
    from .account import _home_for, signin_complete

    request.session.pop(PENDING, None)
    signin_succeeded(request, data.get("login", ""))
    return signin_complete(request, user, data.get("next") or reverse(_home_for(user)))


def _expired(request):
    return redirect(reverse("web:signin") + "?expired=1")


def _code_failed(request, form: CodeForm, data: dict) -> int:
    signin_failed(request, data.get("login", ""))
    audit_record(action="login_failed", request=request, detail={"via": "web", "step": "otp"})
    form.add_error("code", _("Kode verifikasi salah atau sudah dipakai."))
    return 400


def _locked(request, form: CodeForm, data: dict) -> int:
    seconds = signin_locked_for(request, data.get("login", ""))
    if seconds:
        request.session.pop(PENDING, None)
        form.add_error(None, LoginLocked(seconds).message)
        return 429
    return 0


@require_http_methods(["GET", "POST"])
def signin_code(request):
    user, data = _pending(request)
    if user is None or not twofactor_enrolled(user):
        return _expired(request)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        status = _locked(request, form, data)
        if not status:
            if twofactor_verify(user=user, code=form.cleaned_data["code"]):
                return _finish(request, user, data)
            status = _code_failed(request, form, data)
    elif form.errors:
        status = 400
    return render(request, "web/account/signin_code.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def signin_enrol(request):
    user, data = _pending(request)
    if user is None:
        return _expired(request)
    if twofactor_enrolled(user):
        return redirect("web:signin_code")
    device = twofactor_enrol_start(user=user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        status = _locked(request, form, data)
        if not status:
            codes = twofactor_enrol_confirm(user=user, code=form.cleaned_data["code"])
            if codes:
                response = _finish(request, user, data)
                # The recovery codes are shown once, on the page the person lands on next.
                page = render(request, "web/account/signin_recovery.html", {"codes": codes, "next": response["Location"]})
                page["Cache-Control"] = "no-store"
                page.cookies = response.cookies  # the language cookie, if any
                return page
            status = _code_failed(request, form, data)
    elif form.errors:
        status = 400
    uri = otpauth_uri(device)
    page = render(request, "web/account/signin_enrol.html", {
        "form": form, "secret": device.secret, "uri": uri, "qr_svg": otpauth_qr_svg(uri),
    }, status=status)
    page["Cache-Control"] = "no-store"  # the secret must not stay in a shared computer's cache
    return page
