from django.contrib import admin
from django.db import connection
from django.http import JsonResponse
from django.urls import include, path

from lapor.api.api import api


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("healthz", healthz),
    path("intake/", include("lapor.intake.urls")),
    path("analytics/", include("lapor.analytics.urls")),
    path("", include("lapor.partners.urls")),  # /open311/v2/…, /federation/…
    path("", include("lapor.web.urls")),
]

# Error pages in the visitor's language with the site's navigation; JSON under /api/ (lapor.web.views.errors).
handler400 = "lapor.web.views.errors.bad_request"
handler403 = "lapor.web.views.errors.permission_denied"
handler404 = "lapor.web.views.errors.page_not_found"
handler500 = "lapor.web.views.errors.server_error"
