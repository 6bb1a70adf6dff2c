"""``lapor demo load`` seeds the demo network (idempotent);
``lapor demo generate --reports N`` adds N realistic reports with full histories.
Both refuse to run with LAPOR_ENV=production unless ``--force``: the demo's accounts share a published
password (production starts with ``lapor setup``)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lapor.demo.load import DEMO_PASSWORD, demo_load
from lapor.reports.answers import answer_flags_backfill
from lapor.reports.models import Report


class Command(BaseCommand):
    help = "Demo data: load the network and accounts, or generate reports."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="regions, agencies, topics, routing rules, demo accounts (idempotent)")
        load.add_argument("--no-villages", action="store_true", help="skip the ~83,000 villages outside the demo city")
        load.add_argument(
            "--reports",
            type=int,
            default=0,
            help="also generate this many reports, but only while there are none (stays idempotent)",
        )
        load.add_argument("--force", action="store_true", help="run even with LAPOR_ENV=production")
        gen = sub.add_parser("generate", help="generate realistic reports over two years")
        gen.add_argument("--reports", type=int, required=True)
        gen.add_argument("--seed", type=int, default=1)
        gen.add_argument("--batch", type=int, default=20000)
        gen.add_argument("--force", action="store_true", help="run even with LAPOR_ENV=production")

    def handle(self, *args, **opts):
        if settings.PRODUCTION and not opts["force"]:
            raise CommandError(
                f"refused with LAPOR_ENV=production: the demo's accounts share the published password "
                f"{DEMO_PASSWORD!r} and its reports are invented. Set up production with "
                "`lapor setup --admin-email <e-mail>` (docs/operations.md); --force runs the demo anyway."
            )
        if opts["action"] == "load":
            result = demo_load(villages=not opts["no_villages"])
            self.stdout.write(
                f"Regions added: {result['regions_added']}; agencies: {result['agencies']}; topics: {result['topics']}"
            )
            self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
            for email, role in result["accounts"]:
                self.stdout.write(f"  {email:36s} {role}")
            if settings.LAPOR_STAFF_2FA:
                if settings.PRODUCTION:
                    self.stdout.write(
                        "Staff confirm each sign-in with an authenticator app, enrolled on the first "
                        "sign-in with the link e-mailed to them (or `lapor totp issue <email>`)."
                    )
                else:
                    self.stdout.write(
                        "Staff confirm each sign-in with a 6-digit code. The demo staff are already "
                        "enrolled: `lapor totp code <email>` prints the current code (not in production)."
                    )
            self.stdout.write(f"Demo API key (Authorization: Bearer …): {result['api_key']}")

            if opts["reports"] > 0 and not Report.objects.exists():
                from lapor.demo.generate import reports_generate  # heavy: tqdm and the generator only when generating

                reports_generate(count=opts["reports"], seed=1, batch=opts["reports"], stdout=self.stdout)
                answer_flags_backfill(stdout=self.stdout)
            return
        if opts["reports"] < 0:
            raise CommandError("--reports must be >= 0")
        from lapor.demo.generate import reports_generate  # heavy: tqdm and the generator only when generating

        reports_generate(count=opts["reports"], seed=opts["seed"], batch=opts["batch"], stdout=self.stdout)
        answer_flags_backfill(stdout=self.stdout)  # the generated answers rated as the checker would have
