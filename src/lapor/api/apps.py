from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "lapor.api"
    label = "lapor_api"
