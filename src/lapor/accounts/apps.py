from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lapor.accounts"
    label = "accounts"
    verbose_name = "Akun"

    def ready(self):
        from . import audit, sessions  # app registry: audit and sessions import models, not ready when apps.py loads

        audit.connect()
        sessions.connect()
