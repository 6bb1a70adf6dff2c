from django.contrib import admin

from .models import Agency, Region, RoutingRule, Topic


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "parent", "region", "is_active", "joined_on")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "short_name")
    autocomplete_fields = ("parent", "region")


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
