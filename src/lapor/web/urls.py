from django.urls import include, path

from .views import account, agency, calendar, enrolment, public, resend, routing, security, staff, triage, twofactor

app_name = "web"

TID = "<str:tracking_id>"

urlpatterns = [
    path("", public.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("lapor/", public.submit, name="submit"),
    path(f"lapor/terkirim/{TID}/", public.submitted, name="submitted"),
    path("lacak/", public.track_lookup, name="track_lookup"),
    path("lacak/kirim-ulang/", resend.link_resend, name="link_resend"),
    path(f"lacak/{TID}/", public.track, name="track"),
    path(f"lacak/{TID}/k/<str:secret>/", public.track_private, name="track_private"),
    path(f"k/{TID}/<str:secret>", public.track_private, name="track_short"),  # the private link in SMS
    path(f"lacak/{TID}/balas/", public.track_reply, name="track_reply"),
    path(f"lacak/{TID}/selesai/", public.track_complete, name="track_complete"),
    path(f"lacak/{TID}/nilai/", public.track_rate, name="track_rate"),
    path(f"lacak/{TID}/lampiran/<int:attachment_id>/", public.attachment, name="attachment"),
    path("laporan/", public.public_list, name="public_list"),
    path(f"laporan/{TID}/dukung/", public.support, name="support"),
    path("masuk/", account.signin, name="signin"),
    path("masuk/kode/", twofactor.signin_code, name="signin_code"),
    path("masuk/aktifkan/", twofactor.signin_enrol, name="signin_enrol"),
    path("masuk/aktifkan/tautan/<str:token>/", twofactor.signin_enrol_link, name="signin_enrol_link"),
    path("akun/aktivasi/<str:token>/", enrolment.enrol, name="enrol"),  # lapor setup's one-time link
    path("masuk/lupa/", account.password_forgot, name="password_forgot"),
    path("masuk/lupa/kode/", account.password_reset, name="password_reset"),
    path("keluar/", account.signout, name="signout"),
    path("daftar/", account.register, name="register"),
    path("daftar/aktifkan/<str:uidb64>/<str:token>/", account.register_activate, name="register_activate"),
    path("saya/", account.my_reports, name="my_reports"),
    path("petugas/", staff.inbox, name="inbox"),
    path("petugas/massal/", staff.inbox_bulk, name="inbox_bulk"),
    path("petugas/kalender/", calendar.calendar_page, name="calendar"),
    path("petugas/disposisi-otomatis/", routing.routing_stats, name="routing_stats"),
    path("petugas/loket/", staff.counter_entry, name="counter_entry"),
    path("petugas/media-sosial/", triage.social_queue, name="social_queue"),
    path("petugas/media-sosial/<int:draft_id>/<str:action>/", triage.social_action, name="social_action"),
    path("petugas/instansi/", agency.agency_overview, name="agency_overview"),
    path("petugas/instansi/<int:agency_id>/unit/", agency.agency_unit_add, name="agency_unit_add"),
    path("petugas/instansi/<int:agency_id>/batas-waktu/", agency.agency_deadlines, name="agency_deadlines"),
    path("petugas/instansi/<int:agency_id>/petugas/", agency.agency_staff_add, name="agency_staff_add"),
    path("petugas/instansi/peran/<int:assignment_id>/cabut/", agency.agency_staff_remove, name="agency_staff_remove"),
    path("petugas/instansi/templat/", agency.answer_templates, name="answer_templates"),
    path(
        "petugas/instansi/templat/<int:template_id>/hapus/",
        agency.answer_template_remove,
        name="answer_template_remove",
    ),
    path(f"petugas/laporan/{TID}/", staff.report_detail, name="staff_report"),
    path(f"petugas/laporan/{TID}/identitas/", staff.report_reveal, name="staff_reveal"),
    path(f"petugas/laporan/{TID}/<str:action>/", staff.report_action, name="staff_action"),
    path("saya/pengaturan/", account.preferences, name="preferences"),
    path("saya/keamanan/", security.security, name="security"),
]
