"""``lapor analytics refresh [--full] | opendata | pdf --agency ID --month YYYY-MM``."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from lapor.agencies.models import Agency
from lapor.analytics.opendata import opendata_build
from lapor.analytics.pdf import agency_month_pdf
from lapor.analytics.rollup import rollup_refresh


class Command(BaseCommand):
    help = "Analytics jobs: refresh the roll-ups, rebuild the open data file, write a monthly agency PDF."

    def add_arguments(self, parser):
        parser.add_argument("job", choices=["refresh", "opendata", "pdf"])
        parser.add_argument("--full", action="store_true")
        parser.add_argument("--agency", type=int)
        parser.add_argument("--month", help="YYYY-MM")

    def handle(self, *args, job, full, agency, month, **opts):
        if job == "refresh":
            run = rollup_refresh(full=full)
            self.stdout.write(
                f"refreshed {run.months} months, {run.reports} reports in "
                f"{(run.finished_at - run.started_at).total_seconds():.1f}s"
            )
        elif job == "opendata":
            self.stdout.write(str(opendata_build()))
        else:
            if not agency or not month:
                raise CommandError("pdf needs --agency and --month")
            try:
                first = dt.date.fromisoformat(month[:7] + "-01")
            except ValueError as exc:
                raise CommandError("--month must be YYYY-MM") from exc
            self.stdout.write(str(agency_month_pdf(Agency.objects.get(pk=agency), first)))
