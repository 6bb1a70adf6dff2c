from django.urls import include, path

from .views import ping

urlpatterns = [
    path("bench/ping", ping),
    path("", include("lapor.urls")),
]
