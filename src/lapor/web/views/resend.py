"""A lost private link, sent again to the contact on file (lapor.notifications.links)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from lapor.notifications.links import report_link_resend

from ..forms import LinkResendForm


@require_http_methods(["GET", "POST"])
def link_resend(request):
    """The same answer whether or not the number and the contact matched: the page tells nobody
    which reports exist or whose they are."""
    form = LinkResendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report_link_resend(tracking_id=form.cleaned_data["tracking_id"], contact=form.cleaned_data["contact"])
        return render(request, "web/link_resend.html", {"form": LinkResendForm(), "done": True})
    return render(request, "web/link_resend.html", {"form": form, "done": False}, status=400 if form.is_bound else 200)
