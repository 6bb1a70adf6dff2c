from django.contrib import admin

from .models import InboundMessage, SocialDraft


@admin.register(SocialDraft)
class SocialDraftAdmin(admin.ModelAdmin):
    list_display = ("network", "kind", "author_handle", "status", "created_at")
    list_filter = ("network", "status")
    raw_id_fields = ("report", "handled_by")


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ("channel", "external_id", "report", "created_at")
    list_filter = ("channel",)
    raw_id_fields = ("report",)
