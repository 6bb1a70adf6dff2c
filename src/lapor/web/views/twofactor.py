"""The staff sign-in's second step: enrol an authenticator once, then a code at every sign-in.

The password step leaves only a short-lived marker in the (not yet signed-in) session; the person is
signed in here, after the code. Rules and storage live in lapor.accounts.twofactor.
"""

from __future__ import annotations

import secrets
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
from lapor.accounts.models import EnrolmentTicket
from lapor.accounts.twofactor import (
    ENROL_LINK_SECONDS,
    ENROL_SECRET_SECONDS,
    email_mask,
    enrol_secret_new,
    enrolment_link_send,
    enrolment_ticket_redeem,
    otpauth_qr_svg,
    otpauth_uri,
    twofactor_enrol_confirm,
    twofactor_enrolled,
    twofactor_verify,
)

PENDING = "lapor_2fa_pending"
PENDING_SECONDS = 300
ENROL = "lapor_2fa_enrol"  # this session's enrolment attempt: nonce, proof given, its own secret
ENROL_SECONDS = ENROL_LINK_SECONDS  # a first enrolment may take a while (installing the app, the e-mail)
RESEND_SECONDS = 60


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Kode verifikasi"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def twofactor_begin(request, user: User, *, login_as: str, next_url: str, proven: bool = False):
    """The second step after the password. ``proven``: this browser already gave the enrolment's
    second proof another way (the operator's one-time set-up link, ``lapor setup``)."""
    request.session[PENDING] = {
        "user": user.pk,
        "login": login_as,
        "next": next_url,
        "at": time.time(),
        "backend": getattr(user, "backend", ""),
    }
    if proven and not twofactor_enrolled(user):
        state = _enrol_state(request, user)
        state["proof"] = True
        _enrol_save(request, state)
        audit_record(action="twofactor_enrol_proof", actor=user, target=user, detail={"via": "setup_link"})
    return redirect("web:signin_code" if twofactor_enrolled(user) else "web:signin_enrol")


def _pending(request, seconds: int = PENDING_SECONDS) -> tuple[User | None, dict]:
    data = request.session.get(PENDING) or {}
    if not data or time.time() - data.get("at", 0) > seconds:
        request.session.pop(PENDING, None)
        return None, {}
    user = User.objects.filter(pk=data.get("user"), is_active=True).first()
    if user is not None and data.get("backend"):
        user.backend = data["backend"]
    return user, data


def _finish(request, user: User, data: dict):
    from .account import _home_for, signin_complete  # cycle: views.account imports views.twofactor

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


def _enrol_state(request, user: User) -> dict:
    """This session's enrolment attempt for ``user`` (created on first use; one per session)."""
    state = request.session.get(ENROL) or {}
    if state.get("user") != user.pk or time.time() - state.get("created", 0) > ENROL_SECONDS:
        state = {"user": user.pk, "nonce": secrets.token_urlsafe(24), "created": time.time(), "proof": False, "sent": 0}
        request.session[ENROL] = state
    return state


def _enrol_save(request, state: dict) -> None:
    request.session[ENROL] = state
    request.session.modified = True


def _enrol_secret(request, state: dict) -> str:
    """This attempt's secret: new for each attempt and renewed after ENROL_SECRET_SECONDS."""
    if not state.get("secret") or time.time() - state.get("secret_at", 0) > ENROL_SECRET_SECONDS:
        state["secret"], state["secret_at"] = enrol_secret_new(), time.time()
        _enrol_save(request, state)
    return state["secret"]


def _enrol_link_send(request, user: User, state: dict) -> bool:
    if time.time() - state.get("sent", 0) < RESEND_SECONDS:
        return True
    if not enrolment_link_send(user=user, nonce=state["nonce"]):
        return False
    state["sent"] = time.time()
    _enrol_save(request, state)
    return True


class TicketForm(forms.Form):
    ticket = forms.CharField(
        label=gettext_lazy("Kode aktivasi dari admin"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def _enrol_proof(request, user: User, data: dict, state: dict):
    """The second proof before any secret is shown: the e-mailed link, or an admin's code."""
    form = TicketForm(request.POST or None)
    status = 200
    if request.method == "POST" and request.POST.get("action") == "send":
        _enrol_link_send(request, user, state)
        return redirect("web:signin_enrol")
    if request.method == "POST" and form.is_valid():
        status = _locked(request, form, data)
        if not status:
            if enrolment_ticket_redeem(
                user=user, raw=form.cleaned_data["ticket"], nonce=state["nonce"], kind=EnrolmentTicket.Kind.ADMIN
            ):
                state["proof"] = True
                _enrol_save(request, state)
                return redirect("web:signin_enrol")
            signin_failed(request, data.get("login", ""))
            audit_record(action="login_failed", request=request, detail={"via": "web", "step": "enrol"})
            form.add_error("ticket", _("Kode aktivasi salah, sudah dipakai atau kedaluwarsa."))
            status = 400
    elif request.method == "GET" and not state.get("sent"):
        _enrol_link_send(request, user, state)
    page = render(
        request,
        "web/account/signin_enrol_proof.html",
        {
            "form": form,
            "email": email_mask(user.email or ""),
            "minutes": ENROL_LINK_SECONDS // 60,
        },
        status=status,
    )
    page["Cache-Control"] = "no-store"
    return page


@require_http_methods(["GET"])
def signin_enrol_link(request, token: str):
    """The e-mailed link: counts only in the session that passed the password step and asked for it."""
    user, data = _pending(request, ENROL_SECONDS)
    state = request.session.get(ENROL) or {}
    if user is None or state.get("user") != user.pk or twofactor_enrolled(user):
        page = render(
            request,
            "web/error.html",
            {
                "error": _(
                    "Tautan aktivasi ini hanya berlaku di peramban tempat Anda memasukkan kata sandi, sekali saja dan "
                    "belum kedaluwarsa. Masuk lagi dengan kata sandi di peramban ini, lalu buka tautan dari e-mail terbaru."
                )
            },
            status=400,
        )
        page["Cache-Control"] = "no-store"
        return page
    if not enrolment_ticket_redeem(user=user, raw=token, nonce=state.get("nonce", ""), kind=EnrolmentTicket.Kind.EMAIL):
        page = render(
            request,
            "web/error.html",
            {
                "error": _(
                    "Tautan aktivasi salah, sudah dipakai atau kedaluwarsa. Minta tautan baru dari halaman aktivasi."
                )
            },
            status=400,
        )
        page["Cache-Control"] = "no-store"
        return page
    state["proof"] = True
    _enrol_save(request, state)
    return redirect("web:signin_enrol")


@require_http_methods(["GET", "POST"])
def signin_enrol(request):
    user, data = _pending(request, ENROL_SECONDS)
    if user is None:
        return _expired(request)
    if twofactor_enrolled(user):
        return redirect("web:signin_code")
    state = _enrol_state(request, user)
    if not state.get("proof"):
        return _enrol_proof(request, user, data, state)
    secret = _enrol_secret(request, state)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        status = _locked(request, form, data)
        if not status:
            codes = twofactor_enrol_confirm(user=user, secret=secret, code=form.cleaned_data["code"])
            if codes:
                request.session.pop(ENROL, None)
                response = _finish(request, user, data)
                # The recovery codes are shown once, on the page the person lands on next.
                page = render(
                    request, "web/account/signin_recovery.html", {"codes": codes, "next": response["Location"]}
                )
                page["Cache-Control"] = "no-store"
                page.cookies = response.cookies  # the language cookie, if any
                return page
            status = _code_failed(request, form, data)
    elif form.errors:
        status = 400
    uri = otpauth_uri(user=user, secret=secret)
    page = render(
        request,
        "web/account/signin_enrol.html",
        {
            "form": form,
            "secret": secret,
            "uri": uri,
            "qr_svg": otpauth_qr_svg(uri),
            "minutes": ENROL_SECRET_SECONDS // 60,
        },
        status=status,
    )
    page["Cache-Control"] = "no-store"  # the secret must not stay in a shared computer's cache
    return page
