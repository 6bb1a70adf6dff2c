from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "lapor.analytics"
    label = "analytics"

    def ready(self):
        # Our periodic jobs beside the core ones (settings.py stays untouched); intervals from the env.
        import os

        from django.conf import settings

        schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", None)
        if isinstance(schedule, dict):
            every = int(os.environ.get("LAPOR_ANALYTICS_REFRESH_SECONDS", "900"))
            schedule.setdefault("analytics-refresh", {"task": "lapor.analytics.tasks.refresh", "schedule": every})
            schedule.setdefault("analytics-refresh-full", {"task": "lapor.analytics.tasks.refresh", "schedule": 86400,
                                                           "kwargs": {"full": True}})
            schedule.setdefault("analytics-opendata", {"task": "lapor.analytics.tasks.opendata", "schedule": 86400})
            schedule.setdefault("analytics-jobs-sweep", {"task": "lapor.analytics.tasks.jobs_sweep",
                                                         "schedule": int(os.environ.get("LAPOR_JOBS_SWEEP_SECONDS", "300"))})
            schedule.setdefault("analytics-monthly-pdfs", {"task": "lapor.analytics.tasks.monthly_pdfs", "schedule": 86400})
