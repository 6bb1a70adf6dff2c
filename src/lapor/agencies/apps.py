from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "lapor.agencies"
    label = "agencies"
    verbose_name = "Instansi"

    def ready(self) -> None:
        from .refcache import connect_signals

        connect_signals()
