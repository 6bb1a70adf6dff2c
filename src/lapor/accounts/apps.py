from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lapor.accounts"
    label = "accounts"
    verbose_name = "Akun"

    def ready(self):
        from . import audit, sessions

        audit.connect()
        sessions.connect()
