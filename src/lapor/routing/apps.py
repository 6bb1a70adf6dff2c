from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "lapor.routing"
    label = "routing"
    verbose_name = "Disposisi otomatis"
