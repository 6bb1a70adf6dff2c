from celery import shared_task


@shared_task(name="lapor.reports.tasks.sweep")
def sweep() -> dict:
    from .sweep import reports_sweep

    return reports_sweep()
