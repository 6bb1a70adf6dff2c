from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from lapor.reports.admin import ANONYMOUS_REPORTER, admin_json, admin_text, identity_hidden

from .models import InboundMessage, SocialDraft

HIDDEN = _("(disembunyikan: laporan anonim)")


@admin.register(SocialDraft)
class SocialDraftAdmin(admin.ModelAdmin):
    """A post converted into an anonymous report: its author, link and post id would name the
    reporter on the network it came from, so they are hidden and its text masked."""

    list_display = ("network", "kind", "shown_author", "status", "created_at")
    list_filter = ("network", "status")
    list_select_related = ("report",)
    raw_id_fields = ("report", "handled_by")
    exclude = ("author_handle", "text", "url", "payload", "post_id")
    readonly_fields = ("shown_author", "shown_post_id", "shown_url", "shown_text", "shown_payload")

    @admin.display(description=_("Akun pengirim"))
    def shown_author(self, obj):
        return ANONYMOUS_REPORTER if identity_hidden(obj.report) else obj.author_handle

    @admin.display(description=_("ID unggahan"))
    def shown_post_id(self, obj):
        return HIDDEN if identity_hidden(obj.report) else obj.post_id

    @admin.display(description=_("Tautan"))
    def shown_url(self, obj):
        return HIDDEN if identity_hidden(obj.report) else obj.url

    @admin.display(description=_("Teks"))
    def shown_text(self, obj):
        return admin_text(obj.report, obj.text)

    @admin.display(description=_("Data"))
    def shown_payload(self, obj):
        return HIDDEN if identity_hidden(obj.report) else admin_json(obj.report, obj.payload)


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ("channel", "shown_external_id", "report", "created_at")
    list_filter = ("channel",)
    list_select_related = ("report",)
    raw_id_fields = ("report",)
    exclude = ("external_id", "response")
    readonly_fields = ("shown_external_id", "shown_response")

    @admin.display(description=_("ID eksternal"))
    def shown_external_id(self, obj):
        return HIDDEN if identity_hidden(obj.report) else obj.external_id

    @admin.display(description=_("Jawaban"))
    def shown_response(self, obj):
        return HIDDEN if identity_hidden(obj.report) else admin_json(obj.report, obj.response)
