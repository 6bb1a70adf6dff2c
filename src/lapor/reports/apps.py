from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.db.models.signals import post_save

from lapor.agencies.signals import agency_moved


class ReportsConfig(AppConfig):
    name = "lapor.reports"
    label = "reports"
    verbose_name = "Laporan"

    def ready(self) -> None:
        from . import public_cache  # noqa: F401  (connects its receiver)

        post_save.connect(_user_saved, sender=get_user_model(), dispatch_uid="reports-search-text-user-name")
        agency_moved.connect(_agency_moved, dispatch_uid="reports-assignments-follow-agency-move")


def _agency_moved(sender, old_path: str, new_path: str, **kwargs) -> None:
    from .services import assignments_follow_agency_move  # app registry: imports models, not ready when apps.py loads

    assignments_follow_agency_move(old_path=old_path, new_path=new_path)


def _user_saved(sender, instance, created: bool, update_fields=None, raw: bool = False, **kwargs) -> None:
    """A registered reporter's name may have changed: their anonymous reports' search_text masks the
    new one (reports/searchtext.py). Nothing to do for a new account or a save that leaves the name."""
    if created or raw or (update_fields is not None and "full_name" not in update_fields):
        return
    from .searchtext import user_name_changed  # app registry: imports models, not ready when apps.py loads

    user_name_changed(instance)
