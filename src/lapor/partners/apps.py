from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "lapor.partners"
    label = "partners"
    verbose_name = "Mitra, Open311 dan federasi"

    def ready(self) -> None:
        from lapor.reports.signals import (
            event_recorded,
            events_recorded,
        )  # app registry: imports models, not ready when apps.py loads

        from .receivers import (
            report_event_relay,
            report_events_relay,
        )  # app registry: imports models, not ready when apps.py loads

        event_recorded.connect(report_event_relay, dispatch_uid="partners.report_event_relay")
        events_recorded.connect(report_events_relay, dispatch_uid="partners.report_events_relay")
