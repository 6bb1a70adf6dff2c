from django.contrib import admin, messages

from django.utils.translation import gettext_lazy as _

from lapor.reports.admin import ANONYMOUS_REPORTER, admin_text, identity_hidden, is_reporter_of

from .models import NotificationPreference, OutboxMessage, WebNotification
from .services import outbox_retry


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("delivery_id", "channel", "status", "attempts", "next_attempt_at", "created_at", "sent_at")
    list_filter = ("status", "channel")
    search_fields = ("delivery_id",)
    # Personal data and keys stay out of the admin: the recipient, the body, and the dedupe key
    # (it holds a hash of the recipient, which would confirm a guessed contact).
    exclude = ("secret", "recipient", "payload", "dedupe_key")
    readonly_fields = (
        "delivery_id",
        "channel",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_until",
        "last_error",
        "created_at",
        "sent_at",
        "report",
    )
    actions = ["retry_now"]

    @admin.action(description="Kirim ulang pesan gagal")
    def retry_now(self, request, queryset):
        done = 0
        for message in queryset.filter(status__in=[OutboxMessage.Status.DEAD, OutboxMessage.Status.RETRY]):
            outbox_retry(delivery_id=str(message.delivery_id))
            done += 1
        self.message_user(request, f"{done} pesan dijadwalkan ulang.", messages.SUCCESS)

    def has_add_permission(self, request):
        return False


@admin.register(WebNotification)
class WebNotificationAdmin(admin.ModelAdmin):
    """Read-only. A notification to the reporter of an anonymous report names neither them nor,
    unmasked, the report's text (see lapor.reports.admin)."""

    list_display = ("shown_user", "kind", "shown_title", "created_at", "read_at")
    list_select_related = ("user", "report")
    fields = ("shown_user", "report", "kind", "shown_title", "shown_body", "url", "created_at", "read_at")
    readonly_fields = fields

    @admin.display(description=_("Penerima"))
    def shown_user(self, obj):
        if is_reporter_of(obj.user_id, obj.report) and identity_hidden(obj.report):
            return ANONYMOUS_REPORTER
        return str(obj.user)

    @admin.display(description=_("Judul"))
    def shown_title(self, obj):
        return admin_text(obj.report, obj.title)

    @admin.display(description=_("Isi"))
    def shown_body(self, obj):
        return admin_text(obj.report, obj.body)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "daily_digest", "last_digest_at")
    raw_id_fields = ("user",)
