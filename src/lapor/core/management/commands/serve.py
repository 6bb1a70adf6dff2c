"""``lapor serve [addr:port]``: the web server plus, when no broker is configured, every periodic
job of the Celery beat schedule (deadline sweep, outbox flush, roll-ups, open data…) run by a
background thread — the whole system in one process."""
import datetime as dt
import logging
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

log = logging.getLogger("lapor.scheduler")
TICK_SECONDS = 15


def _scheduler(stop: threading.Event) -> None:
    from celery.schedules import maybe_schedule
    from django.db import close_old_connections

    import importlib

    def task_of(name: str):  # task names are their module paths in this project
        module, _, attr = name.rpartition(".")
        return getattr(importlib.import_module(module), attr)

    entries = {name: (task_of(entry["task"]), maybe_schedule(entry["schedule"]), entry.get("args", ()), entry.get("kwargs", {}))
               for name, entry in settings.CELERY_BEAT_SCHEDULE.items()}
    # Everything runs once shortly after start (fresh roll-ups, flushed outbox), then on schedule.
    last_run = {name: timezone.now() - dt.timedelta(days=2) for name in entries}
    while not stop.wait(TICK_SECONDS):
        for name, (task, schedule, args, kwargs) in entries.items():
            due, _next = schedule.is_due(last_run[name])
            if not due:
                continue
            last_run[name] = timezone.now()
            try:
                close_old_connections()
                task.apply(args=args, kwargs=kwargs)
            except Exception:  # keep the scheduler alive; the next tick retries
                log.exception("periodic job %s failed", name)


class Command(BaseCommand):
    help = "Serve the web app (and run the periodic jobs in-process when no broker is configured)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, **opts):
        from lapor.core.static import static_collect

        static_collect()  # precompressed static files (.gz), redone only when a source changed
        stop = threading.Event()
        if not settings.CELERY_BROKER_URL:
            threading.Thread(target=_scheduler, args=(stop,), daemon=True, name="lapor-scheduler").start()
            jobs = ", ".join(sorted(settings.CELERY_BEAT_SCHEDULE))
            self.stdout.write(f"No broker configured: periodic jobs run in-process ({jobs}).")
        try:
            call_command("runserver", opts["addrport"], use_reloader=False, use_threading=True)
        finally:
            stop.set()
