from django.urls import include, path

from .floor import floor, floor_one
from .views import ping

urlpatterns = [
    path("bench/ping", ping),
    path("bench/floor", floor),
    path("bench/floor1", floor_one),
    path("", include("lapor.urls")),
]
