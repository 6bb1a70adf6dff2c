from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "lapor.notifications"
    label = "notifications"

    def ready(self) -> None:
        from django.conf import settings

        from lapor.reports.signals import events_recorded

        from .notify import on_events_recorded

        events_recorded.connect(on_events_recorded, dispatch_uid="lapor.notifications.on_events_recorded")
        # Periodic jobs for Celery beat (the dict is read when beat starts).
        schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", None)
        if isinstance(schedule, dict):
            schedule.setdefault("notifications-outbox-flush", {
                "task": "lapor.notifications.tasks.outbox_flush",
                "schedule": int(getattr(settings, "LAPOR_OUTBOX_FLUSH_SECONDS", 60))})
            schedule.setdefault("notifications-daily", {
                "task": "lapor.notifications.tasks.daily", "schedule": 3600.0})  # idempotent; hourly is fine
            schedule.setdefault("notifications-alerts", {
                "task": "lapor.notifications.tasks.alerts",
                "schedule": int(getattr(settings, "LAPOR_ALERTS_SECONDS", 3600))})  # once a day per alert anyway
