from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "lapor.reports"
    label = "reports"
    verbose_name = "Laporan"

    def ready(self) -> None:
        from . import public_cache  # noqa: F401  (connects its receiver)
