from celery import shared_task

from .sweep import reports_sweep


@shared_task(name="lapor.reports.tasks.sweep")
def sweep() -> dict:
    return reports_sweep()
