"""The periodic jobs of the embedded default (no broker): the Celery beat schedule run by one
process, ``lapor scheduler`` (started once by ``lapor serve``, never in each web worker).

When a job last ran is derived from what it left behind, not assumed, so a restart does not
redo the daily work (issue 15: every start ran the full analytics roll-up again):

- ``analytics-refresh-full``: the newest finished full ``RollupRun``; ``analytics-refresh``:
  the newest finished run of either kind (with none, that refresh is itself a full one);
- ``analytics-opendata``: the open data file's modification time;
- ``analytics-monthly-pdfs``: the newest PDF of last month;
- ``routing-retrain``: the older of the two models' ``CURRENT`` pointers;
- every job, also the ones above: the time this scheduler last started it, kept in
  ``DATA_DIR/scheduler-state.json`` (a job that found nothing to write, e.g. a retrain without
  enough history, is not started again at every restart).

The newest of these counts. A job whose interval has passed since then runs; the cheap ones
(outbox flush, sweep, incremental refresh) therefore run at the first tick after start. Jobs run
one after the other, the shortest interval first, and the evidence is read again just before a
job runs (a refresh started by hand, or the incremental refresh that was a full one on a fresh
data directory, counts). No job holds SQLite's write lock for long: each writes in short
transactions (see ``lapor.analytics.rollup`` for the one that needed batching).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from celery.schedules import maybe_schedule
from django.conf import settings
from django.db import close_old_connections as close_old
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger("lapor.scheduler")
TICK_SECONDS = 15


def _evidence(path: str) -> Callable[[], dt.datetime | None]:
    def read() -> dt.datetime | None:
        return import_string(path)()

    return read


# job name -> when it last ran, read from what it left behind (the functions live in their apps)
EVIDENCE: dict[str, Callable[[], dt.datetime | None]] = {
    name: _evidence(path) for name, path in settings.LAPOR_JOB_EVIDENCE.items()
}


def state_path() -> Path:
    return Path(settings.DATA_DIR) / "scheduler-state.json"


def _state_read() -> dict[str, dt.datetime]:
    try:
        raw = json.loads(state_path().read_text())
        return {name: dt.datetime.fromisoformat(value) for name, value in raw.items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def _state_write(state: dict[str, dt.datetime]) -> None:
    path = state_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({name: when.isoformat() for name, when in state.items()}, indent=1))
        tmp.replace(path)
    except OSError:  # a read-only data dir: the evidence above still works
        log.warning("scheduler: could not write %s", path, exc_info=True)


def _task(name: str):  # task names are their module paths in this project
    module, _, attr = name.rpartition(".")
    return getattr(importlib.import_module(module), attr)


@dataclass
class Job:
    name: str
    task: object
    schedule: object
    args: tuple
    kwargs: dict

    def interval(self) -> float:
        run_every = getattr(self.schedule, "run_every", None)
        return run_every.total_seconds() if run_every is not None else 86400.0


def jobs_get() -> list[Job]:
    jobs = [
        Job(
            name,
            _task(entry["task"]),
            maybe_schedule(entry["schedule"]),
            tuple(entry.get("args", ())),
            dict(entry.get("kwargs", {})),
        )
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
    ]
    return sorted(jobs, key=Job.interval)  # cheap, frequent jobs first


def last_run_get(name: str, state: dict[str, dt.datetime]) -> dt.datetime | None:
    """The newest evidence that ``name`` ran: what it wrote, or this scheduler's own record."""
    times = [state.get(name)]
    if name in EVIDENCE:
        try:
            times.append(EVIDENCE[name]())
        except Exception:  # a missing table on a half-migrated database: no evidence
            log.warning("scheduler: no evidence for %s", name, exc_info=True)
    return max((t for t in times if t is not None), default=None)


def is_due(job: Job, last: dt.datetime | None) -> bool:
    if last is None:
        return True
    return bool(job.schedule.is_due(last)[0])


class Scheduler:
    def __init__(self) -> None:
        self.jobs = jobs_get()
        self.state = _state_read()
        self.last = {job.name: last_run_get(job.name, self.state) for job in self.jobs}

    def plan(self) -> dict[str, dict]:
        """Each job's last run and whether it is due now (``lapor scheduler --plan``)."""
        return {
            job.name: {
                "last_run": self.last[job.name],
                "due": is_due(job, self.last[job.name]),
                "every_seconds": job.interval(),
            }
            for job in self.jobs
        }

    def tick(self) -> list[str]:
        """Run every due job once; returns the names of the jobs run."""

        def close_old_connections() -> None:  # not inside a caller's transaction (tests)
            if not connection.in_atomic_block:
                close_old()

        ran = []
        for job in self.jobs:
            if not is_due(job, self.last[job.name]):
                continue
            close_old_connections()
            self.last[job.name] = last_run_get(job.name, self.state)  # a run elsewhere since counts
            if not is_due(job, self.last[job.name]):
                continue
            now = timezone.now()
            self.last[job.name] = self.state[job.name] = now
            _state_write(self.state)
            log.info("periodic job %s starts", job.name)
            try:
                job.task.apply(args=job.args, kwargs=job.kwargs, throw=True)
            except Exception:  # keep the scheduler alive; the next interval retries
                log.exception("periodic job %s failed", job.name)
            else:
                log.info("periodic job %s done in %.1fs", job.name, (timezone.now() - now).total_seconds())
            ran.append(job.name)
            close_old_connections()
        return ran

    def run(self, stop: threading.Event, *, first_delay: float = TICK_SECONDS) -> None:
        if stop.wait(first_delay):
            return
        while True:
            try:
                self.tick()
            except Exception:  # the database away for a moment: next tick
                log.exception("scheduler tick failed")
            if stop.wait(TICK_SECONDS):
                return
