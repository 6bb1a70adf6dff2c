from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "lapor.routing"
    label = "routing"
    verbose_name = "Disposisi otomatis"

    def ready(self):
        import os

        from django.conf import settings

        schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", None)
        if isinstance(schedule, dict):
            every = int(os.environ.get("LAPOR_ROUTING_RETRAIN_SECONDS", str(7 * 86400)))
            schedule.setdefault("routing-retrain", {"task": "lapor.routing.tasks.retrain", "schedule": every})
