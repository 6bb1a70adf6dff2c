from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("laporan", views.reports, name="reports"),
    path("peringkat", views.league, name="league"),
    path("konektivitas", views.connectivity, name="connectivity"),
    path("rencana-aksi", views.plans, name="plans"),
    path("publik", views.public_stats, name="public"),
    path("publik/laporan", views.public_reports, name="public_reports"),
]
