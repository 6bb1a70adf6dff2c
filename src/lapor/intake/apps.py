from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "lapor.intake"
    label = "intake"

    def ready(self) -> None:
        from lapor.reports.signals import events_recorded

        from .social_answer import on_events_recorded

        # the answers of a report that came from social media go back through the network
        events_recorded.connect(on_events_recorded, dispatch_uid="lapor.intake.social_answer")
