"""/open311/v2/… (GeoReport v2) and /federation/… (peers). Mounted at the site root."""

from django.urls import path, re_path

from . import open311, views

FMT = r"\.(?P<fmt>[a-z]+)$"

urlpatterns = [
    re_path(r"^open311/v2/discovery" + FMT, open311.discovery, name="open311-discovery"),
    re_path(r"^open311/v2/services" + FMT, open311.services_list, name="open311-services"),
    re_path(r"^open311/v2/services/(?P<code>[-\w]+)" + FMT, open311.service_definition, name="open311-service"),
    re_path(r"^open311/v2/requests" + FMT, open311.requests_view, name="open311-requests"),
    re_path(r"^open311/v2/requests/(?P<request_id>[-\w]+)" + FMT, open311.request_detail, name="open311-request"),
    re_path(r"^open311/v2/tokens/(?P<token>[-\w]+)" + FMT, open311.token_detail, name="open311-token"),
    path("federation/inbound", views.federation_inbound, name="federation-inbound"),
    path("federation/status", views.federation_status, name="federation-status"),
    path("federation/reporter", views.federation_reporter, name="federation-reporter"),
]
