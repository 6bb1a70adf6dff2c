"""``lapor serve [addr:port]``: the whole system in one command (what ``make run`` starts).

- The web app under gunicorn (a production WSGI server; Django's development server is not one),
  a few worker processes with a few threads each (``--workers``/``LAPOR_WEB_WORKERS``, default 2;
  ``--threads``/``LAPOR_WEB_THREADS``, default 3: on SQLite writes take turns anyway, so more
  buys little). Static files are served by WhiteNoise inside the app.
- gunicorn's head caps are generous (a request line of 8190 bytes, a header line of 32 KB): under
  them the app refuses an over-long URI (414) or header (431) in the door's shape
  (``core/bodylimit.py``); over them, or for a head it cannot read (400), lapor's worker class
  (``core/serve_worker.py``, gthread) answers in the same shapes instead of gunicorn's HTML page.
- The app is loaded in the master before the workers fork (``preload_app``), so they start warm.
- When no broker is configured, exactly one more process, ``lapor scheduler``, runs the periodic
  jobs (deadline sweep, outbox flush, roll-ups, open data…). The gunicorn master starts it, starts
  it again if it dies, and stops it on the way out; the web workers never run jobs.
- Links in e-mails, SMS and Open311 discovery point at the address served, unless
  ``LAPOR_PUBLIC_URL`` says otherwise (``lapor serve 127.0.0.1:8042`` → http://127.0.0.1:8042).
"""

from __future__ import annotations

import importlib
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.urls import get_resolver

import lapor
from lapor.core.bodylimit import SERVER_MAX_HEADER_BYTES, SERVER_MAX_REQUEST_LINE

log = logging.getLogger("lapor.serve")
SCHEDULER_RESPAWN_SECONDS = 10


def addrport_parse(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep:  # a bare port, as runserver accepts
        host, port = "127.0.0.1", value
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(f"Not an address:port: {value!r}")
    return host or "127.0.0.1", int(port)


def public_url_for(host: str, port: int) -> str:
    if host in ("0.0.0.0", "::", "[::]", "*"):  # every interface: the local one works for a single machine
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def scheduler_command() -> list[str]:
    return [sys.executable, "-m", "lapor.cli", "scheduler", "--parent-pid", str(os.getpid())]


def scheduler_env() -> dict[str, str]:
    env = dict(os.environ)
    source = str(Path(lapor.__file__).resolve().parent.parent)  # the package's own copy, installed or not
    env["PYTHONPATH"] = os.pathsep.join([source, *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]])
    env.setdefault("DJANGO_SETTINGS_MODULE", "lapor.settings")
    return env


def _arbiter_class():
    from gunicorn.arbiter import Arbiter  # heavy: gunicorn only when serving

    class ServeArbiter(Arbiter):
        """gunicorn's master, also keeping the one scheduler process alive."""

        with_scheduler = False
        scheduler: subprocess.Popen | None = None
        scheduler_started = 0.0

        def start(self):
            super().start()
            if self.with_scheduler:
                self.scheduler_spawn()

        def scheduler_spawn(self):
            self.scheduler = subprocess.Popen(scheduler_command(), env=scheduler_env())
            self.scheduler_started = time.monotonic()
            self.log.info("Scheduler started (pid %s): periodic jobs run in that one process", self.scheduler.pid)

        def manage_workers(self):
            super().manage_workers()
            # the master reaps every child, the scheduler included: poll() then reports it gone
            if (
                self.with_scheduler
                and self.scheduler is not None
                and self.scheduler.poll() is not None
                and time.monotonic() - self.scheduler_started > SCHEDULER_RESPAWN_SECONDS
            ):
                self.log.error(
                    "Scheduler (pid %s) exited (%s); starting it again", self.scheduler.pid, self.scheduler.returncode
                )
                self.scheduler_spawn()

        def stop(self, graceful=True):
            process, self.scheduler = self.scheduler, None
            if process is not None and process.poll() is None:
                process.terminate()  # it stops at once: every job is safe to interrupt (short transactions)
            super().stop(graceful)
            if process is not None:
                try:
                    process.wait(timeout=self.cfg.graceful_timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
                except ChildProcessError:  # already reaped by the master
                    pass

    return ServeArbiter


def _application(options: dict):
    from gunicorn.app.base import BaseApplication  # heavy: gunicorn only when serving

    class ServeApplication(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            """In the master, before the workers fork (preload): the app, every view and the
            routing model's libraries are imported once, so no citizen's first request in a
            fresh worker waits for imports (scikit-learn alone takes seconds on a busy machine)."""

            from lapor.wsgi import application  # preload: built in gunicorn's master before the fork

            get_resolver().url_patterns  # noqa: B018 -- imports every view module
            for module in settings.LAPOR_SERVE_PRELOAD:
                try:
                    importlib.import_module(module)
                except ImportError:  # pragma: no cover - scikit-learn is a dependency
                    pass
            connections.close_all()  # no connection of the master's is carried into a worker
            return application

    return ServeApplication()


class Command(BaseCommand):
    help = "Serve the web app under gunicorn (and run the periodic jobs in one process when no broker is configured)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=settings.LAPOR_WEB_WORKERS)
        parser.add_argument("--threads", type=int, default=settings.LAPOR_WEB_THREADS)
        parser.add_argument("--no-access-log", action="store_true", help="do not print a line per request")

    def handle(self, *args, addrport: str, workers: int, threads: int, no_access_log: bool, **opts):
        from lapor.core.static import static_collect  # heavy: WhiteNoise and collectstatic only when serving

        static_collect()  # precompressed static files (.gz), redone only when a source changed
        host, port = addrport_parse(addrport)
        if not settings.LAPOR_PUBLIC_URL_GIVEN:  # the scheduler process inherits it through its environment
            os.environ["LAPOR_PUBLIC_URL"] = settings.LAPOR_PUBLIC_URL = public_url_for(host, port)
        bind = f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"
        options = {
            "bind": [bind],
            "workers": max(workers, 1),
            "threads": max(threads, 1),
            "worker_class": "lapor.core.serve_worker.LaporWorker",  # gthread; head refusals in the door's shape
            # generous hard caps: under them the app answers 414/431 in the door's shape (core/bodylimit.py)
            "limit_request_line": SERVER_MAX_REQUEST_LINE,
            "limit_request_field_size": SERVER_MAX_HEADER_BYTES,
            "timeout": 60,
            "graceful_timeout": 15,
            "proc_name": "lapor",
            "control_socket_disable": True,
            "preload_app": True,
            "errorlog": "-",
            "loglevel": "info",
            "accesslog": None if no_access_log else "-",
        }

        connections.close_all()  # nothing of the master's is carried into the forked workers
        arbiter = _arbiter_class()(_application(options))
        arbiter.with_scheduler = not settings.CELERY_BROKER_URL
        jobs = "periodic jobs in one scheduler process" if arbiter.with_scheduler else "periodic jobs: Celery beat"
        self.stdout.write(
            f"LAPOR! at {settings.LAPOR_PUBLIC_URL} (gunicorn on {bind}, {options['workers']} workers × "
            f"{options['threads']} threads; {jobs})."
        )
        self.stdout.flush()
        arbiter.run()
