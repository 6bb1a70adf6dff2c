"""``lapor answers backfill``: rate the follow-ups recorded before the answer checker existed."""

from django.core.management.base import BaseCommand

from lapor.reports.answers import answer_flags_backfill


class Command(BaseCommand):
    help = "Answers that answer: rate past follow-ups (docs/answer-quality.md)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("backfill", help="rate every follow-up that has no rating yet, oldest first")

    def handle(self, *args, **opts):
        answer_flags_backfill(stdout=self.stdout)
