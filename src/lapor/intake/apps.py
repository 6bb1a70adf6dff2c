from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "lapor.intake"
    label = "intake"
