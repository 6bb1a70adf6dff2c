from django.contrib import admin

from .models import CalendarDay, Report, ReportEvent


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Read-only: every change goes through the services so it is audited."""

    list_display = ("tracking_id", "title", "state", "agency", "submitted_at", "is_overdue")
    list_filter = ("state", "channel", "type", "is_overdue")
    search_fields = ("tracking_id", "title")
    exclude = ("guest_secret_hash", "guest_name", "guest_email", "guest_phone", "reporter")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportEvent)
class ReportEventAdmin(admin.ModelAdmin):
    list_display = ("report", "kind", "action", "actor_role", "created_at")
    list_filter = ("kind", "action")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name")
