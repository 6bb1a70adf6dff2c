"""Periodic jobs: roll-up refresh (every 15 minutes, full at night), open data and monthly PDFs."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from lapor.agencies.models import Agency

from .alerts import emerging_alerts_send
from .jobs import job_run as run
from .jobs import jobs_sweep as sweep
from .models import StatCell
from .opendata import opendata_build
from .pdf import agency_month_pdf
from .rollup import rollup_refresh


@shared_task(name="lapor.analytics.tasks.refresh")
def refresh(full: bool = False) -> dict:
    run = rollup_refresh(full=full)
    return {"months": run.months, "reports": run.reports, "full": run.full}


@shared_task(name="lapor.analytics.tasks.opendata")
def opendata() -> dict:
    return opendata_build()


@shared_task(name="lapor.analytics.tasks.monthly_pdfs")
def monthly_pdfs(month: str | None = None) -> int:
    """Last month's PDF for every agency that received reports in it."""
    if month:
        first = dt.date.fromisoformat(month[:7] + "-01")
    else:
        first = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    scopes = [f"a:{pk}" for pk in Agency.objects.values_list("pk", flat=True)]
    ids = StatCell.objects.filter(scope__in=scopes, dim="received", month=first).values_list("scope", flat=True)
    count = 0
    for agency in Agency.objects.filter(pk__in=[int(s[2:]) for s in ids]):
        agency_month_pdf(agency, first)
        count += 1
    return count


@shared_task(name="lapor.analytics.tasks.job_run", acks_late=True)
def job_run(job_id: str) -> str | None:
    """One background job (an export...) on a Celery worker; a repeated delivery finds it taken."""
    return run(job_id)


@shared_task(name="lapor.analytics.tasks.jobs_sweep")
def jobs_sweep() -> dict:
    """Jobs whose worker died go back to the queue; files past LAPOR_EXPORT_KEEP_DAYS are deleted."""
    return sweep()


@shared_task(name="lapor.analytics.tasks.alerts")
def alerts() -> int:
    """Emerging-issue alerts to agency admins and overseers; at most once per topic/place a day."""
    return emerging_alerts_send()
