from django.contrib import admin

from .models import ApiToken, AuditLog, RoleAssignment, TwoFactorDevice, User


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    autocomplete_fields = ("agency",)
    extra = 0


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("full_name", "email", "phone", "is_active", "is_staff")
    search_fields = ("full_name", "email", "phone")
    exclude = ("password", "user_permissions", "groups")
    inlines = [RoleInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "is_active", "last_used_at")
    readonly_fields = ("prefix", "digest", "last_used_at")


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only, even for superusers."""

    list_display = ("at", "action", "actor_label", "target_type", "target_id", "ip")
    list_filter = ("action",)
    search_fields = ("actor_label", "target_id", "ip")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TwoFactorDevice)
class TwoFactorDeviceAdmin(admin.ModelAdmin):
    """Shows who has enrolled; deleting a device (lost phone) makes its owner enrol again."""

    list_display = ("user", "confirmed_at", "created_at")
    search_fields = ("user__full_name", "user__email")
    fields = ("user", "confirmed_at", "created_at")
    readonly_fields = ("user", "confirmed_at", "created_at")
    actions = ["reset"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Atur ulang verifikasi dua langkah (ponsel hilang)")
    def reset(self, request, queryset):
        from .twofactor import twofactor_reset

        for device in queryset.select_related("user"):
            twofactor_reset(user=device.user)
