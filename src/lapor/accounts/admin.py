from django.contrib import admin

from .models import ApiToken, RoleAssignment, User


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
