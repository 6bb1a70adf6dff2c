"""A staff member's own two-step sign-in (issue 20: from the web, not only the shell): its state,
and new recovery codes after a fresh code (lapor.accounts.twofactor)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lapor.accounts.models import RecoveryCode, TwoFactorDevice
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
        },
        status=status,
    )
    response["Cache-Control"] = "private, no-store"
    return response
