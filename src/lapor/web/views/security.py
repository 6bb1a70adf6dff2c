"""A staff member's own two-step sign-in (issue 20: from the web, not only the shell): its state,
and new recovery codes after a fresh code (lapor.accounts.twofactor); and where they are signed in,
with a button to sign any other browser out (lapor.accounts.sessions)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from lapor.accounts.models import RecoveryCode, TwoFactorDevice
from lapor.accounts.sessions import user_session_end, user_session_list, user_sessions_end_others
from lapor.accounts.twofactor import recovery_codes_renew, twofactor_required


class RenewForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Kode dari aplikasi autentikator"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


@login_required(login_url="web:signin")
def security(request):
    user = request.user
    device = TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    form = RenewForm(request.POST or None)
    codes, status = None, 200
    if request.method == "POST" and device is not None:
        if form.is_valid():
            codes = recovery_codes_renew(user=user, code=form.cleaned_data["code"].strip())
            if codes is None:
                form.add_error("code", _("Kode salah atau sudah dipakai. Tunggu kode berikutnya."))
                status = 400
        else:
            status = 400
    response = render(
        request,
        "web/account/security.html",
        {
            "required": twofactor_required(user),
            "device": {"since": device.confirmed_at} if device else None,
            "left": RecoveryCode.objects.filter(user=user, used_at__isnull=True).count(),
            "form": form,
            "codes": codes,
            "sessions": user_session_list(user=user, current_key=request.session.session_key),
        },
        status=status,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@login_required(login_url="web:signin")
def session_end(request, session_id: int):
    """Keluarkan satu perangkat lain (its Django session is deleted: that browser is signed out)."""
    user_session_end(user=request.user, session_id=session_id, current_key=request.session.session_key)
    messages.success(request, _("Perangkat itu sudah dikeluarkan."))
    return redirect("web:security")


@require_POST
@login_required(login_url="web:signin")
def sessions_end_others(request):
    n = user_sessions_end_others(user=request.user, current_key=request.session.session_key)
    messages.success(
        request, ngettext("%(n)d perangkat lain dikeluarkan.", "%(n)d perangkat lain dikeluarkan.", n) % {"n": n}
    )
    return redirect("web:security")
