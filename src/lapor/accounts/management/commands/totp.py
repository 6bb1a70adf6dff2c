"""``lapor totp code <email>``: the current two-factor code of a staff account, for demos and
for a local machine without an authenticator app. Refused with LAPOR_ENV=production.
``lapor totp reset <email>``: a lost phone — the person enrols again at the next sign-in."""
import pyotp
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lapor.accounts.models import TwoFactorDevice, User
from lapor.accounts.twofactor import twofactor_enrol_start, twofactor_reset


class Command(BaseCommand):
    help = "Two-factor helpers: print a staff member's current code (not in production), or reset a device."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["code", "reset"])
        parser.add_argument("email")

    def handle(self, *args, **opts):
        user = User.objects.filter(email__iexact=opts["email"]).first()
        if user is None:
            raise CommandError(f"no account {opts['email']}")
        if opts["action"] == "reset":
            twofactor_reset(user=user)
            self.stdout.write(f"two-factor reset for {user.email}: enrols again at the next sign-in")
            return
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("refused in production (LAPOR_ENV=production): use the authenticator app")
        device = TwoFactorDevice.objects.filter(user=user).first() or twofactor_enrol_start(user=user)
        self.stdout.write(pyotp.TOTP(device.secret).now())
