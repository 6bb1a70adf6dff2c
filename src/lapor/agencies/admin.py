from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Agency, Region, RoutingRule, Topic
from .services import agency_move


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = "__all__"

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if parent is not None and self.instance.pk and parent.path.startswith(self.instance.path):
            raise forms.ValidationError(_("Instansi tidak dapat dipindahkan ke bawah dirinya sendiri."))
        return parent


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    form = AgencyForm
    list_display = ("name", "kind", "parent", "region", "is_active", "joined_on")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "short_name")
    autocomplete_fields = ("parent", "region")

    def save_model(self, request, obj, form, change):
        """A new parent moves the whole subtree and the reports routed inside it (agency_move)."""
        if not (change and "parent" in form.changed_data):
            return super().save_model(request, obj, form, change)
        new_parent = obj.parent
        obj.parent_id = form.initial.get("parent")  # the other fields first, under the old parent
        super().save_model(request, obj, form, change)
        agency_move(agency=obj, new_parent=new_parent)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level")
    list_filter = ("level",)
    search_fields = ("code", "name")


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "slug", "is_active")
    search_fields = ("name", "keywords")


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("topic", "region", "agency", "is_active")
    autocomplete_fields = ("topic", "region", "agency")
