"""``lapor totp code <email>``: the current two-factor code of an enrolled staff account, for demos
and a local machine without an authenticator app (the demo's staff start enrolled). Refused with
LAPOR_ENV=production.
``lapor totp issue <email>``: a one-time enrolment code from an administrator (valid 3 days): with
it and the password the person enrols an authenticator, without the e-mailed link.
``lapor totp reset <email>``: a lost phone — the person enrols again at the next sign-in."""

import pyotp
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lapor.accounts.models import TwoFactorDevice, User
from lapor.accounts.twofactor import enrolment_ticket_issue, twofactor_reset


class Command(BaseCommand):
    help = "Two-factor helpers: print a staff member's current code (not in production), issue an enrolment code, or reset a device."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["code", "issue", "reset"])
        parser.add_argument("email")

    def handle(self, *args, **opts):
        user = User.objects.filter(email__iexact=opts["email"]).first()
        if user is None:
            raise CommandError(f"no account {opts['email']}")
        if opts["action"] == "reset":
            twofactor_reset(user=user)
            self.stdout.write(f"two-factor reset for {user.email}: enrols again at the next sign-in")
            return
        if opts["action"] == "issue":
            code = enrolment_ticket_issue(user=user)
            self.stdout.write(f"one-time enrolment code for {user.email} (valid 3 days): {code}")
            return
        if settings.PRODUCTION:
            raise CommandError("refused in production (LAPOR_ENV=production): use the authenticator app")
        device = TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
        if device is None:
            raise CommandError(
                f"{user.email} has not enrolled two-factor yet: sign in and open the enrolment link "
                "e-mailed to the account (outside production: var/outbox/email/*.eml), or use "
                f"`lapor totp issue {user.email}` and type that code on the enrolment page"
            )
        self.stdout.write(pyotp.TOTP(device.secret).now())
