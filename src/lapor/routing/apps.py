from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "lapor.routing"
    label = "routing"
    verbose_name = "Disposisi otomatis"
    # the weekly retraining job is registered in settings.CELERY_BEAT_SCHEDULE ("routing-retrain")
