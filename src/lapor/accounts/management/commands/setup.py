"""``lapor setup --admin-email ops@example.go.id``: make a production deployment ready to use.

Loads the real network (Kemendagri regions, the platform, ministries, agencies, state enterprises,
every provincial and regency/city government, the topic tree, the national routing rules: see
``lapor.agencies.network``) with no demo account, no demo report and no demo password, then creates the
first platform operator (Admin Nasional) and prints a one-time enrolment link under LAPOR_PUBLIC_URL
(``lapor.accounts.enrolment``): the operator chooses a password there and enrols an authenticator app.

Idempotent: a second run adds nothing, creates no second operator and prints no link (``--new-link``
prints a fresh one for an operator who has not used theirs). Another e-mail while an operator exists is
refused unless ``--add-operator``.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.module_loading import import_string

from lapor.accounts.audit import audit_record
from lapor.accounts.enrolment import enrolment_token, enrolment_url, operator_create, operators
from lapor.agencies import network
from lapor.agencies.models import Agency, Region, RoutingRule, Topic
from lapor.core.errors import DomainError


class Command(BaseCommand):
    help = "Production set-up: the real network (no demo data) and the first platform operator's enrolment link."

    def add_arguments(self, parser):
        parser.add_argument("--admin-email", required=True, help="the first platform operator (Admin Nasional)")
        parser.add_argument("--admin-name", default="Admin Nasional", help="the operator's display name")
        parser.add_argument(
            "--add-operator", action="store_true", help="add this e-mail as another operator when one exists already"
        )
        parser.add_argument(
            "--new-link",
            action="store_true",
            help="print a fresh enrolment link for an operator who has not used theirs",
        )
        parser.add_argument("--link-hours", type=float, default=24, help="how long the link works (default 24)")
        parser.add_argument(
            "--no-villages",
            action="store_true",
            help="skip the ~83,000 villages (provinces, regencies/cities and districts still load)",
        )

    def handle(self, *args, **opts):
        if not 0 < opts["link_hours"] <= 24 * 14:
            raise CommandError("--link-hours must be between 0 and 336 (14 days)")
        connection = connections[DEFAULT_DB_ALIAS]
        if MigrationExecutor(connection).migration_plan(MigrationExecutor(connection).loader.graph.leaf_nodes()):
            raise CommandError("the database is not migrated: run `lapor migrate` first")
        demo = import_string(settings.LAPOR_DEMO_ACCOUNTS_PRESENT)()
        if demo:
            raise CommandError(
                "this database holds the demo's accounts (" + ", ".join(demo) + "): `lapor demo load` "
                "was run here. Production starts from an empty database."
            )

        before = (Region.objects.count(), Agency.objects.count(), Topic.objects.count(), RoutingRule.objects.count())
        network.reference_load(villages=not opts["no_villages"])
        after = (Region.objects.count(), Agency.objects.count(), Topic.objects.count(), RoutingRule.objects.count())
        added = [b - a for a, b in zip(before, after)]
        self.stdout.write(
            f"Network: {after[0]} regions, {after[1]} agencies, {after[2]} topics, "
            f"{after[3]} routing rules ({'added ' + ', '.join(map(str, added)) if any(added) else 'nothing added'})."
        )

        email = opts["admin_email"].strip().lower()
        existing = [u.email for u in operators()]
        if existing and email not in existing and not opts["add_operator"]:
            raise CommandError(
                f"this platform has an operator already ({', '.join(existing)}); --add-operator adds {email} as another"
            )
        try:
            user, created = operator_create(
                email=opts["admin_email"], full_name=opts["admin_name"], add=opts["add_operator"]
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        if not created and not opts["new_link"]:
            state = (
                "has signed in"
                if user.last_login
                else ("has set a password" if user.has_usable_password() else "has not used the enrolment link yet")
            )
            self.stdout.write(
                f"Platform operator {user.email} exists ({state}); nothing to do. "
                "`--new-link` prints a fresh link for an operator who has not set a password yet."
            )
            return
        if not created and user.has_usable_password():
            raise CommandError(
                f"{user.email} has set a password already: a forgotten one is reset with "
                f"`lapor changepassword {user.email}`, a lost phone with `lapor totp reset {user.email}`"
            )
        url = enrolment_url(enrolment_token(user, hours=opts["link_hours"]))
        audit_record(
            action="enrolment_link_issue", target=user, detail={"via": "lapor setup", "hours": opts["link_hours"]}
        )
        if created:
            self.stdout.write(f"Platform operator created: {user.email} (Admin Nasional, the whole network).")
        self.stdout.write(
            f"One-time enrolment link (valid {opts['link_hours']:g} hours; choose a password, then "
            "enrol an authenticator app):"
        )
        self.stdout.write(f"  {url}")
        public = str(settings.LAPOR_PUBLIC_URL)
        if settings.PRODUCTION and public.startswith(("http://127.", "http://localhost")):
            self.stderr.write(f"warning: LAPOR_PUBLIC_URL is {public}; set it to the site's public address")
