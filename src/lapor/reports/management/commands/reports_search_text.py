"""``lapor reports_search_text [--all]``: fill the search text (reports/searchtext.py) of reports that
have none — written by older code during an upgrade, or by a bulk load — or, with ``--all``, recompute
it for every report (after a change of the masking rules). Batched, rerunnable, online."""

from django.core.management.base import BaseCommand

from lapor.reports.searchtext import search_text_fill


class Command(BaseCommand):
    help = "Fill or recompute the masked search text of reports (what search matches)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="recompute every report, not only the empty ones")

    def handle(self, *args, **opts):
        written = search_text_fill(every=opts["all"])
        self.stdout.write(f"search_text: {written} laporan diperbarui\n")
