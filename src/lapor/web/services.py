"""Writes owned by the web app: supporting ("dukung") a public report."""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lapor.accounts.models import User
from lapor.core.errors import Conflict, NotFound
from lapor.reports.selectors import report_public_qs

from .models import Support


@transaction.atomic
def support_add(*, tracking_id: str, user: User) -> Support:
    """A signed-in citizen supports a public report, once."""
    report = report_public_qs().filter(tracking_id=tracking_id).first()
    if report is None:
        raise NotFound(_("Laporan tidak ditemukan."))
    try:
        with transaction.atomic():
            return Support.objects.create(report=report, user=user)
    except IntegrityError:
        raise Conflict(_("Anda sudah mendukung laporan ini."), code="already_supported")
