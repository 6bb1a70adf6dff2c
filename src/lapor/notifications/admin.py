from django.contrib import admin, messages

from .models import NotificationPreference, OutboxMessage, WebNotification
from .services import outbox_retry


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("delivery_id", "channel", "status", "attempts", "next_attempt_at", "created_at", "sent_at")
    list_filter = ("status", "channel")
    search_fields = ("delivery_id", "dedupe_key")
    exclude = ("secret", "recipient", "payload")  # personal data and keys stay out of the admin
    readonly_fields = ("delivery_id", "channel", "status", "attempts", "next_attempt_at", "claimed_until",
                       "last_error", "created_at", "sent_at", "dedupe_key", "report")
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
    list_display = ("user", "kind", "title", "created_at", "read_at")
    raw_id_fields = ("user", "report")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "daily_digest", "last_digest_at")
    raw_id_fields = ("user",)
