from django.contrib import admin, messages
from django.utils.html import strip_tags
from django.utils.translation import gettext, gettext_lazy

from lapor.core.hooks import hook

from .models import ApiToken, AuditLog, RoleAssignment, TwoFactorDevice, User
from .twofactor import enrolment_ticket_issue, twofactor_reset


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
    actions = ["enrolment_issue"]

    def get_deleted_objects(self, objs, request):
        """The delete page lists what protects or goes with the account. It must not tie a person
        to their anonymous reports: those (and their events and messages) are summarised."""
        deleted, counts, perms, protected = super().get_deleted_objects(objs, request)
        hidden = hook("anonymous_tracking_ids")(objs)  # reports, a higher room, asked by name
        if not hidden:
            return deleted, counts, perms, protected

        def clean(items):
            out = []
            for item in items:
                if isinstance(item, list):
                    out.append(clean(item))
                elif any(tid in strip_tags(str(item)) for tid in hidden):
                    continue
                else:
                    out.append(item)
            return out

        note = gettext("%(count)s laporan anonim (identitas pelapor dilindungi)") % {"count": len(hidden)}
        protected = [p for p in protected if not any(tid in strip_tags(str(p)) for tid in hidden)] + [note]
        return clean(deleted), counts, perms, protected

    @admin.action(description=gettext_lazy("Terbitkan kode aktivasi verifikasi dua langkah"))
    def enrolment_issue(self, request, queryset):
        """An administrator-issued second proof for a first two-factor enrolment (instead of the
        e-mailed link); shown once, here."""
        for user in queryset:
            code = enrolment_ticket_issue(user=user, issued_by=request.user)
            self.message_user(
                request,
                gettext("Kode aktivasi untuk %(user)s (berlaku 3 hari, sekali pakai): %(code)s")
                % {"user": user.email or user.pk, "code": code},
                messages.WARNING,
            )


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
        for device in queryset.select_related("user"):
            twofactor_reset(user=device.user)
