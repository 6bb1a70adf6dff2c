from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "lapor.agencies"
    label = "agencies"
    verbose_name = "Instansi"

    def ready(self) -> None:
        from .refcache import connect_signals  # app registry: refcache imports models, not ready when apps.py loads

        connect_signals()
