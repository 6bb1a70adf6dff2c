"""``lapor serve [addr:port]``: the web server plus, when no broker is configured, the periodic
jobs (deadline sweep) in a background thread — the whole system in one process."""
import logging
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

log = logging.getLogger("lapor.scheduler")


def _scheduler(stop: threading.Event, interval: int) -> None:
    from django.db import close_old_connections

    from lapor.reports.sweep import reports_sweep

    while not stop.wait(interval):
        try:
            close_old_connections()
            reports_sweep()
        except Exception:  # keep the scheduler alive; the next run retries
            log.exception("periodic sweep failed")


class Command(BaseCommand):
    help = "Serve the web app (and run periodic jobs in-process when no broker is configured)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, **opts):
        stop = threading.Event()
        if not settings.CELERY_BROKER_URL:
            interval = settings.CELERY_BEAT_SCHEDULE["reports-sweep"]["schedule"]
            threading.Thread(target=_scheduler, args=(stop, interval), daemon=True, name="lapor-scheduler").start()
            self.stdout.write(f"Periodic jobs run in-process every {interval}s (no broker configured).")
        try:
            call_command("runserver", opts["addrport"], use_reloader=False, use_threading=True)
        finally:
            stop.set()
