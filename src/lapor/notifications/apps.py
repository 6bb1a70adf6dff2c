from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "lapor.notifications"
    label = "notifications"

    def ready(self) -> None:
        from lapor.reports.signals import events_recorded

        from .notify import on_events_recorded

        events_recorded.connect(on_events_recorded, dispatch_uid="lapor.notifications.on_events_recorded")
