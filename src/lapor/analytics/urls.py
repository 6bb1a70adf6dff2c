from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("laporan", views.reports, name="reports"),
    path("peringkat", views.league, name="league"),
    path("jawaban", views.answers, name="answers"),
    path("konektivitas", views.connectivity, name="connectivity"),
    path("rencana-aksi", views.plans, name="plans"),
    path("rencana-aksi/<int:plan_id>", views.plan_update, name="plan_update"),
    path("publik", views.public_stats, name="public"),
    path("publik/laporan", views.public_reports, name="public_reports"),
    path("ekspor", views.jobs, name="jobs"),
    path("ekspor/<uuid:job_id>", views.job, name="job"),
    path("ekspor/<uuid:job_id>/unduh", views.job_download, name="job_download"),
    path("ekspor/<uuid:job_id>/batal", views.job_stop, name="job_stop"),
]
