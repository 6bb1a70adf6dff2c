"""The operator's one-time enrolment link (lapor.accounts.enrolment): choose a password, then, for
staff, enrol an authenticator app (views/twofactor.py) and land signed in."""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from lapor.accounts.enrolment import EnrolmentLinkInvalid, enrolment_complete, enrolment_user
from lapor.accounts.twofactor import twofactor_required
from lapor.core.errors import DomainError

from ..forms import error_to_form
from .account import _home_for, signin_complete
from .twofactor import twofactor_begin


class EnrolForm(forms.Form):
    password = forms.CharField(
        label=_("Kata sandi baru"),
        help_text=_("Minimal 8 karakter."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": True}),
    )
    password_again = forms.CharField(
        label=_("Ulangi kata sandi"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


def _page(request, context: dict, status: int):
    page = render(request, "web/account/enrol.html", context, status=status)
    page["Cache-Control"] = "no-store"  # a link that grants an account must not stay in a cache
    return page


@require_http_methods(["GET", "POST"])
def enrol(request, token: str):
    user = enrolment_user(token)
    if user is None:
        return _page(request, {"invalid": EnrolmentLinkInvalid().message}, 400)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = enrolment_complete(
                token=token, password=form.cleaned_data["password"], password_again=form.cleaned_data["password_again"]
            )
        except EnrolmentLinkInvalid as exc:  # used a moment ago (another tab, a double click)
            return _page(request, {"invalid": exc.message}, 400)
        except DomainError as exc:
            error_to_form(form, exc)
        else:
            login_as = user.email or user.phone or ""
            if twofactor_required(user):  # staff: enrol the authenticator now (required in production)
                user.backend = "lapor.accounts.backends.EmailOrPhoneBackend"
                # the one-time link came out of band (lapor setup): it is the enrolment's second proof
                return twofactor_begin(request, user, login_as=login_as, next_url="", proven=True)

            user.backend = "lapor.accounts.backends.EmailOrPhoneBackend"
            return signin_complete(request, user, reverse(_home_for(user)))
    return _page(request, {"form": form, "account": user}, 400 if form.errors else 200)
