"""Writes owned by the web app: supporting ("dukung") a public report."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from lapor.accounts.models import User
from lapor.accounts.selectors import user_require_agency_admin
from lapor.core.errors import Conflict, NotFound, ValidationFailed
from lapor.reports.models import Report
from lapor.reports.selectors import report_public_qs

from .models import AnswerTemplate, Support


@transaction.atomic
def support_add(*, tracking_id: str, user: User) -> Support:
    """A signed-in citizen supports a public report, once."""
    report = report_public_qs().filter(tracking_id=tracking_id).first()
    if report is None:
        raise NotFound(_("Laporan tidak ditemukan."))
    try:
        with transaction.atomic():
            support = Support.objects.create(report=report, user=user)
    except IntegrityError:
        raise Conflict(_("Anda sudah mendukung laporan ini."), code="already_supported") from None
    Report.objects.filter(pk=report.pk).update(support_count=F("support_count") + 1)
    return support


def _templates_admin_only() -> str:
    return _("Hanya admin instansi yang dapat mengelola templat jawaban.")


@transaction.atomic
def answer_template_create(*, agency, user: User, title: str, body: str):
    user_require_agency_admin(user, agency, message=_templates_admin_only())
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise ValidationFailed(_("Judul dan isi templat wajib diisi."), code="required", detail={"field": "title"})
    return AnswerTemplate.objects.create(agency=agency, title=title[:120], body=body[:10_000], created_by=user)


@transaction.atomic
def answer_template_delete(*, template, user: User) -> None:
    user_require_agency_admin(user, template.agency, message=_templates_admin_only())
    template.delete()
