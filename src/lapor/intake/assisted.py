"""Counter, call centre 112, letter, rumah aspirasi: staff file a report for a citizen, with consent."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from lapor.accounts.models import User
from lapor.accounts.selectors import user_grants
from lapor.core.errors import PermissionDenied, ValidationFailed
from lapor.reports.models import Channel, Report
from lapor.reports.services import Submission, report_submit

ASSISTED_CHANNELS = (Channel.COUNTER, Channel.CALL_CENTRE, Channel.LETTER, Channel.ASPIRATION_HOUSE)


@transaction.atomic
def assisted_submit(*, staff: User, submission: Submission, consent: bool) -> tuple[Report, str]:
    """The citizen's contact goes into the guest fields; who entered it goes into the audit event."""
    grants = user_grants(staff)
    if not grants:
        raise PermissionDenied(_("Hanya petugas yang dapat mencatat laporan atas nama warga."))
    if submission.channel not in ASSISTED_CHANNELS:
        raise ValidationFailed(
            _("Kanal harus salah satu dari: loket, call centre, surat, rumah aspirasi."),
            code="invalid_channel",
            detail={"allowed": [str(c) for c in ASSISTED_CHANNELS]},
        )
    if consent is not True:
        raise ValidationFailed(
            _("Persetujuan warga wajib dicatat sebelum laporan dikirim."),
            code="consent_required",
            detail={"field": "consent"},
        )
    try:
        return report_submit(
            submission=submission,
            reporter=None,
            event_data={
                "assisted": True,
                "entered_by": staff.pk,
                "entered_by_name": staff.full_name,
                "entered_by_role": grants[0].role,
                "entered_by_agency_id": grants[0].agency_id,
                "consent": True,
            },
        )
    except ValidationFailed as exc:
        raise _as_counter_error(exc) from None


# The officer's form names the citizen's fields; the citizen's own form says "you".
CITIZEN_FIELDS = {"guest_name": "citizen_name", "guest_email": "citizen_email", "guest_phone": "citizen_phone"}


def _as_counter_error(exc: ValidationFailed) -> ValidationFailed:
    """The submit check's error as the officer entering the report reads it: the fields they filled
    (citizen_email, not guest_email) and, for missing contact details, the citizen's, not "yours"."""

    def officer(field: str, code: str, message: str) -> tuple[str, str]:
        if code == "contact_required":
            return "citizen_phone", _(
                "Isi e-mail (citizen_email) atau nomor telepon (citizen_phone) warga agar warga "
                "dapat dikabari tentang laporannya."
            )
        return CITIZEN_FIELDS.get(field, field), message

    detail = dict(exc.detail or {})
    field, message = officer(detail.get("field", ""), exc.code, exc.message)
    if "field" in detail:
        detail["field"] = field
    detail["errors"] = [
        dict(
            zip(("field", "message"), officer(e.get("field", ""), e.get("code", ""), e.get("message", ""))),
            code=e.get("code", ""),
        )
        for e in detail.get("errors", [])
    ]
    return ValidationFailed(message, code=exc.code, detail=detail)
