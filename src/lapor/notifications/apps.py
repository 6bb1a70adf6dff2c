from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "lapor.notifications"
    label = "notifications"
