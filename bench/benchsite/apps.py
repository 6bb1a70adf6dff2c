from django.apps import AppConfig


class BenchsiteConfig(AppConfig):
    name = "benchsite"
    default_auto_field = "django.db.models.BigAutoField"
