from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "lapor.partners"
    label = "partners"
    verbose_name = "Mitra, Open311 dan federasi"

    def ready(self) -> None:
        from lapor.reports.signals import events_recorded

        from .receivers import report_events_relay

        events_recorded.connect(report_events_relay, dispatch_uid="partners.report_events_relay")
