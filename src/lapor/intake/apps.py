import os

from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "lapor.intake"
    label = "intake"

    def ready(self) -> None:
        from django.conf import settings

        from lapor.reports.signals import events_recorded

        from .social_answer import on_events_recorded

        # the answers of a report that came from social media go back through the network
        events_recorded.connect(on_events_recorded, dispatch_uid="lapor.intake.social_answer")

        schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", None)
        imap_host = getattr(settings, "LAPOR_IMAP_HOST", "") or os.environ.get("LAPOR_IMAP_HOST", "")
        if isinstance(schedule, dict) and imap_host:
            schedule.setdefault("intake-imap-poll", {"task": "lapor.intake.tasks.imap_poll",
                                                     "schedule": int(getattr(settings, "LAPOR_IMAP_POLL_SECONDS", 120))})
