from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "lapor.notifications"
    label = "notifications"

    def ready(self) -> None:
        from lapor.reports.signals import events_recorded  # app registry: imports models, not ready when apps.py loads

        from .notify import on_events_recorded  # app registry: imports models, not ready when apps.py loads

        events_recorded.connect(on_events_recorded, dispatch_uid="lapor.notifications.on_events_recorded")
