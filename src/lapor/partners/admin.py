from django.contrib import admin

from .models import FederationLink, Partner, Peer


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "webhook_url", "default_channel", "is_active")
    search_fields = ("name",)
    raw_id_fields = ("user",)


@admin.register(Peer)
class PeerAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "base_url", "direction", "agency", "is_active")
    search_fields = ("name", "slug")
    raw_id_fields = ("agency", "user")


@admin.register(FederationLink)
class FederationLinkAdmin(admin.ModelAdmin):
    list_display = ("report", "peer", "direction", "remote_tracking_id", "remote_state", "remote_updated_at")
    list_filter = ("direction", "peer")
    raw_id_fields = ("report",)
