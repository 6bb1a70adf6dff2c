"""``lapor scheduler [--plan]``: run the periodic jobs of the Celery beat schedule in this one
process (the embedded default, no broker; ``lapor serve`` starts exactly one). ``--plan`` prints
each job's last run, as derived from what it left behind, and whether it is due now."""

import json
import os
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from lapor.core.scheduler import TICK_SECONDS, Scheduler


class Command(BaseCommand):
    help = "Run the periodic jobs in this process (no broker configured); --plan shows what is due."

    def add_arguments(self, parser):
        parser.add_argument(
            "--plan", action="store_true", help="print each job's last run and whether it is due, then exit"
        )
        parser.add_argument(
            "--first-delay",
            type=float,
            default=TICK_SECONDS,
            help="seconds before the first tick (default %(default)s)",
        )
        parser.add_argument("--parent-pid", type=int, help="stop when this process (lapor serve) is gone")

    def handle(self, *args, plan: bool, first_delay: float, parent_pid: int | None, **opts):
        scheduler = Scheduler()
        if plan:
            out = {
                name: {**row, "last_run": row["last_run"].isoformat() if row["last_run"] else None}
                for name, row in scheduler.plan().items()
            }
            self.stdout.write(json.dumps(out, indent=1))
            return
        stop = threading.Event()

        def interrupt(*_):  # stop now, also in the middle of a job: each writes in short transactions
            stop.set()
            raise SystemExit(0)

        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, interrupt)
        if parent_pid:
            # Started by lapor serve beside the web workers: the jobs' CPU (counting, training, PDFs)
            # yields to the requests. Their writes are short batches, so a waiting writer is not held up.
            os.nice(settings.LAPOR_SCHEDULER_NICE)
        if parent_pid:  # lapor serve killed hard: do not stay behind as an orphan

            def watch() -> None:
                while not stop.wait(2):
                    if os.getppid() != parent_pid:
                        stop.set()

            threading.Thread(target=watch, daemon=True, name="parent-watch").start()
        due = [name for name, row in scheduler.plan().items() if row["due"]]
        self.stdout.write(
            f"Scheduler: {len(scheduler.jobs)} periodic jobs; due at the first tick: {', '.join(due) or 'none'}"
        )
        scheduler.run(stop, first_delay=first_delay)
