"""The Django admin (platform operators) never shows an anonymous reporter's identity: no name,
contact, user link, event actor, message author or notification recipient of an anonymous report,
and its texts masked as agency staff see them. The identity is seen only through the audited reveal
on the staff report page (``/petugas/laporan/<id>/``), which records every look."""

import json

from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .deadlines import calendar_changed
from .models import CalendarDay, Report, ReportEvent
from .projection import lens_agency

ANONYMOUS_REPORTER = _("Pelapor (anonim)")


def identity_hidden(report) -> bool:
    """True for an anonymous report: no admin viewer is its reporter, and operators see the
    identity only through the audited reveal."""
    return report is not None and report.is_anonymous


def admin_text(report, text) -> str:
    """A report-related text as agency staff see it: personal data and the reporter's name masked
    when the report is anonymous (the projection's agency lens, reports/projection.py)."""
    if report is None:
        return text
    return lens_agency(report).text(text)


def admin_json(report, data) -> str:
    return admin_text(report, json.dumps(data, ensure_ascii=False, indent=1, default=str))


def is_reporter_of(user_id, report) -> bool:
    return bool(user_id and report is not None and report.reporter_id == user_id)


def reveal_link(report):
    return format_html(
        '<a href="{}">{}</a>',
        reverse("web:staff_report", args=[report.tracking_id]),
        _("Buka identitas lewat pembukaan teraudit (halaman laporan petugas)"),
    )


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Read-only: every change goes through the services so it is audited."""

    list_display = ("tracking_id", "shown_title", "state", "agency", "submitted_at", "is_overdue")
    list_filter = ("state", "channel", "type", "is_overdue")
    search_fields = ("tracking_id", "title")
    exclude = (
        "guest_secret_hash",
        "guest_name",
        "guest_email",
        "guest_phone",
        "reporter",
        "title",
        "body",
        "address",
        "rating_comment",
    )
    readonly_fields = ("reporter_identity", "shown_title", "shown_body", "shown_address", "shown_rating_comment")

    def get_search_results(self, request, queryset, search_term):
        # A title search never finds an anonymous report (its title may hold the reporter's name).
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term:
            found = found.filter(Q(is_anonymous=False) | Q(tracking_id__icontains=search_term.strip()))
        return found, may_have_duplicates

    @admin.display(description=_("Pelapor"))
    def reporter_identity(self, obj):
        if identity_hidden(obj):
            return format_html("{} — {}", ANONYMOUS_REPORTER, reveal_link(obj))
        return obj.reporter_name or "-"

    @admin.display(description=_("Judul"))
    def shown_title(self, obj):
        return admin_text(obj, obj.title)

    @admin.display(description=_("Isi"))
    def shown_body(self, obj):
        return admin_text(obj, obj.body)

    @admin.display(description=_("Alamat"))
    def shown_address(self, obj):
        return admin_text(obj, obj.address)

    @admin.display(description=_("Komentar penilaian"))
    def shown_rating_comment(self, obj):
        return admin_text(obj, obj.rating_comment)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportEvent)
class ReportEventAdmin(admin.ModelAdmin):
    list_display = ("report", "kind", "action", "shown_actor", "actor_role", "created_at")
    list_filter = ("kind", "action")
    list_select_related = ("report", "actor")
    exclude = ("actor", "reason", "data")
    readonly_fields = ("shown_actor", "shown_reason", "shown_data")

    @admin.display(description=_("Pelaku"))
    def shown_actor(self, obj):
        if is_reporter_of(obj.actor_id, obj.report) and identity_hidden(obj.report):
            return ANONYMOUS_REPORTER
        return str(obj.actor) if obj.actor_id else "-"

    @admin.display(description=_("Alasan"))
    def shown_reason(self, obj):
        return admin_text(obj.report, obj.reason)

    @admin.display(description=_("Data"))
    def shown_data(self, obj):
        return admin_json(obj.report, obj.data)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        calendar_changed()  # every process's working calendar

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        calendar_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        calendar_changed()
