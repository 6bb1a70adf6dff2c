"""Kalender kerja: the official working-day calendar in use, for the current and the next year.

Every staff member can read it (deadlines are counted on it); platform operators add or remove a
day off by decree here, through lapor.reports.calendar.calendar_day_set."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _, pgettext_lazy
from django.utils.translation import gettext_lazy

from lapor.accounts.selectors import user_is_platform_admin, user_is_staff
from lapor.core.errors import DomainError
from lapor.reports.calendar import SOURCE_LABELS, calendar_day_set, calendar_years

from ..forms import error_to_form


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Tanggal"), widget=forms.DateInput(attrs={"type": "date"}))
    working = forms.TypedChoiceField(
        label=gettext_lazy("Jadikan"),
        coerce=lambda v: v == "1",
        choices=[("0", gettext_lazy("Hari libur (cuti bersama)")), ("1", pgettext_lazy("satu hari", "Hari kerja"))],
    )
    name = forms.CharField(
        label=gettext_lazy("Dasar perubahan"),
        max_length=120,
        help_text=gettext_lazy("Misalnya: SKB 3 Menteri tentang cuti bersama."),
    )


@login_required(login_url="web:signin")
def calendar_page(request):
    if not user_is_staff(request.user):
        raise PermissionDenied
    can_edit = user_is_platform_admin(request.user)
    form = CalendarDayForm(request.POST or None, initial={"date": request.GET.get("tanggal")})
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                result = calendar_day_set(
                    day=form.cleaned_data["date"],
                    working=form.cleaned_data["working"],
                    name=form.cleaned_data["name"],
                    actor=request.user,
                )
            except DomainError as exc:
                error_to_form(form, exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("Kalender diubah; %(n)d batas waktu laporan terbuka disesuaikan.")
                    % {"n": result["deadlines_moved"]["due_at"]},
                )
                return redirect("web:calendar")
        else:
            status = 400
    years = [
        {
            "year": year,
            "days": [
                {"entry": e, "source": SOURCE_LABELS[e.source], "weekend": e.date.weekday() >= 5} for e in entries
            ],
        }
        for year, entries in calendar_years()
    ]
    return render(
        request, "web/staff/calendar.html", {"years": years, "form": form, "can_edit": can_edit}, status=status
    )
