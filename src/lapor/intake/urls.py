from django.urls import path

from . import views

urlpatterns = [
    path("sms", views.sms_webhook, name="intake-sms"),
    path("email", views.email_webhook, name="intake-email"),
    path("whatsapp", views.whatsapp_webhook, name="intake-whatsapp"),
    path("social/<str:network>", views.social_webhook, name="intake-social"),
]
