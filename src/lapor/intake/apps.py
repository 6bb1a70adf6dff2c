from django.apps import AppConfig

from lapor.reports.signals import events_recorded


class IntakeConfig(AppConfig):
    name = "lapor.intake"
    label = "intake"

    def ready(self) -> None:
        from .social_answer import on_events_recorded  # app registry: imports models, not ready when apps.py loads

        # the answers of a report that came from social media go back through the network
        events_recorded.connect(on_events_recorded, dispatch_uid="lapor.intake.social_answer")
