"""Background jobs (``Job``): how they are handed over, run with progress, finished, notified and
expired. Creating and cancelling are in ``services``; reading in ``selectors``.

Where a job runs: on a Celery worker when a broker is configured (``lapor.analytics.tasks.job_run``);
otherwise on a daemon thread of the process that created it (the embedded default has no other
process). Never inside the request: the request writes the row and answers 202 at once.

Who runs it: exactly one run at a time, by a conditional UPDATE (queued → running) that also
increments ``attempts``; every later write of that run names its attempt number, so a run that
lost the job (its lease ran out, the sweep gave the job to another run, or the requester cancelled
it) notices at its next progress write and stops. A run's heartbeat is its progress writes (at
most one a second) or, during a step that reports no progress (training a model), a keep-alive
every 30 s. ``jobs_sweep`` (periodic) hands a job whose worker died back to the queue (three runs
at most), hands over again a job nobody picked up, and deletes the files of jobs older than
``LAPOR_EXPORT_KEEP_DAYS``.

Files go to ``DATA_DIR/exports/`` (shared by web and workers): written as ``<id>.<ext>.part``,
flushed to disk, then renamed, so a file that exists is whole.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import queue
import threading
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from lapor.accounts.selectors import user_scope_q
from lapor.agencies.models import Agency
from lapor.core.errors import DomainError, PermissionDenied, ValidationFailed
from lapor.notifications.models import NotificationPreference
from lapor.notifications.services import broker_in_use as in_use
from lapor.notifications.services import outbox_enqueue
from lapor.reports.selectors import report_public_qs

from . import selectors as sel
from .exports import CONTENT_TYPES, csv_write, file_name, format_check, max_rows, reports_iter, rows_for, xlsx_write
from .models import Job, StatCell
from .opendata import opendata_build
from .pdf import agency_month_pdf

log = logging.getLogger("lapor.jobs")
State = Job.State
STALE_SECONDS = 300  # a running job without a heartbeat this long: its worker died
REDISPATCH_SECONDS = 300  # a queued job nobody picked up this long: hand it over again
MAX_ATTEMPTS = 3
PROGRESS_SECONDS = 1.0
KEEPALIVE_SECONDS = 30


def keep_days() -> int:
    return int(settings.LAPOR_EXPORT_KEEP_DAYS)


def exports_dir() -> Path:
    return Path(settings.DATA_DIR) / "exports"


def language_supported(code: str | None) -> str | None:
    """``code`` as one of settings.LANGUAGES ("en-US" -> "en"), or None."""
    try:
        return translation.get_supported_language_variant(code) if code else None
    except LookupError:
        return None


def job_language(job: Job) -> str:
    """The language of the person who asked, taken when the job was created (``params["language"]``):
    its file's column names and labels and its notification are written in it. A job from before
    that was stored: the account's language; else Indonesian."""
    return language_supported(job.params.get("language")) or language_supported(job.requested_by.language) or "id"


def job_file(job: Job) -> Path | None:
    return Path(settings.DATA_DIR) / job.file_path if job.file_path else None


class JobCancelled(Exception):
    """The requester cancelled the job while it ran."""


class JobLost(Exception):
    """Another run holds the job now (this one's lease ran out)."""


class Progress:
    """A run's progress: counted in memory, written at most once a second (the heartbeat)."""

    def __init__(self, job: Job):
        self.job = job
        self.done = 0
        self.total: int | None = None
        self._written = 0.0

    def set_total(self, total: int | None) -> None:
        self.total = total
        self.write()

    def add(self, n: int = 1) -> None:
        self.done += n
        if time.monotonic() - self._written >= PROGRESS_SECONDS:
            self.write()

    def write(self) -> None:
        fields = {"done": self.done, "total": self.total, "heartbeat_at": timezone.now()}
        if not Job.objects.filter(pk=self.job.pk, attempts=self.job.attempts, state=State.RUNNING).update(**fields):
            state = Job.objects.filter(pk=self.job.pk).values_list("state", flat=True).first()
            raise JobCancelled() if state == State.CANCELLED else JobLost()
        self._written = time.monotonic()

    @contextmanager
    def keepalive(self):
        """For a step that reports no progress: the heartbeat from a side thread."""
        stop = threading.Event()

        def beat():
            try:
                while not stop.wait(KEEPALIVE_SECONDS):
                    Job.objects.filter(pk=self.job.pk, attempts=self.job.attempts, state=State.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
            finally:
                connections.close_all()

        thread = threading.Thread(target=beat, daemon=True, name=f"lapor-job-keepalive-{self.job.pk}")
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(5)
        self.write()


# --- Hand-over ----------------------------------------------------------------------------------


def broker_in_use() -> bool:
    return in_use()


def threads() -> int:
    return max(1, int(settings.LAPOR_JOBS_THREADS))


_queue: queue.Queue = queue.Queue()
_workers: list[threading.Thread] = []
_workers_lock = threading.Lock()


def _worker() -> None:
    try:  # Linux: a thread's own nice value. Requests of this process go first when the CPU is short.
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), int(settings.LAPOR_JOBS_NICE))
    except (AttributeError, OSError):
        pass
    while True:
        job_id = _queue.get()
        try:
            job_run(job_id)
        except Exception:  # job_run records failures itself; this is a bug in the runner
            log.exception("job %s: runner failed", job_id)
        finally:
            connections.close_all()
            _queue.task_done()


def _submit_here(job_id) -> None:
    """Run the job on one of this process's job threads (daemon threads: stopping the server does
    not wait for an export; the sweep gives an interrupted job to another run)."""
    with _workers_lock:
        _workers[:] = [t for t in _workers if t.is_alive()]
        if len(_workers) < threads():
            thread = threading.Thread(target=_worker, daemon=True, name=f"lapor-job-{len(_workers) + 1}")
            thread.start()
            _workers.append(thread)
    _queue.put(job_id)


def jobs_wait(timeout: float = 60.0) -> bool:
    """Until this process's job threads are idle (tests, the benchmark); False on timeout."""
    end = time.monotonic() + timeout
    while _queue.unfinished_tasks:
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


def job_dispatch(job_id) -> None:
    """Hand the job to a worker (broker) or a thread here (none). Never raises: a failed hand-over
    is retried by the sweep."""
    Job.objects.filter(pk=job_id, state=State.QUEUED).update(heartbeat_at=timezone.now())
    try:
        if broker_in_use():
            from .tasks import job_run as task  # cycle: tasks imports jobs (the worker's side of the hand-over)

            task.apply_async(args=[str(job_id)], retry=False)
        else:
            _submit_here(job_id)
    except Exception:
        log.warning("job %s: hand-over failed; the sweep hands it over again", job_id, exc_info=True)


# --- Running --------------------------------------------------------------------------------------


def job_run(job_id) -> str | None:
    """Run a queued job to its end; returns its final state, None when another run holds it."""
    now = timezone.now()
    if not Job.objects.filter(pk=job_id, state=State.QUEUED).update(
        state=State.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1, done=0, error=""
    ):
        return None
    job = Job.objects.select_related("requested_by").get(pk=job_id)
    progress = Progress(job)
    try:
        with translation.override(job_language(job)):
            outcome = RUNNERS[job.kind](job, progress)
    except JobCancelled:
        _parts_remove(job)
        return State.CANCELLED
    except JobLost:
        return None
    except DomainError as exc:
        _parts_remove(job)
        return _finish(job, State.FAILED, progress, error=str(exc.message))
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        _parts_remove(job)
        return _finish(
            job,
            State.FAILED,
            progress,
            error=_("Terjadi kesalahan di server. Coba lagi nanti; bila berulang, hubungi admin platform."),
        )
    return _finish(job, State.DONE, progress, **outcome)


def _finish(
    job: Job,
    state: str,
    progress: Progress,
    *,
    error: str = "",
    file: Path | None = None,
    file_name: str = "",
    content_type: str = "",
    result: dict | None = None,
) -> str | None:
    now = timezone.now()
    fields = {
        "state": state,
        "finished_at": now,
        "heartbeat_at": now,
        "error": error[:2000],
        "result": result or {},
        "done": progress.done,
        "total": progress.total,
    }
    if state == State.DONE:
        fields["total"] = progress.done  # rows that changed while the job ran: the file says what it holds
    if file is not None:
        fields.update(
            file_path=str(file.relative_to(Path(settings.DATA_DIR))),
            file_name=file_name,
            content_type=content_type,
            size=file.stat().st_size,
            expires_at=now + dt.timedelta(days=keep_days()),
        )
    with transaction.atomic():
        if not Job.objects.filter(pk=job.pk, attempts=job.attempts, state=State.RUNNING).update(**fields):
            if file is not None:
                file.unlink(missing_ok=True)  # cancelled at the last moment
            return None
        job.refresh_from_db()
        job_notify(job)
    return state


def _parts_remove(job: Job) -> None:
    for part in exports_dir().glob(f"{job.pk}.*.part"):
        part.unlink(missing_ok=True)


def _output(job: Job, ext: str) -> tuple[Path, Path]:
    folder = exports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{job.pk}.{ext}"
    return path, path.with_name(path.name + ".part")


def _sealed(part: Path, path: Path) -> Path:
    """The written file, on disk, under its final name."""
    fd = os.open(part, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(part, path)
    return path


def _run_reports(job: Job, progress: Progress) -> dict:
    user, p = job.requested_by, job.params
    if not user.is_active:
        raise PermissionDenied(_("Akun ini tidak aktif."))
    scope = sel.scope_check(user, p.get("scope"))  # again: grants may have changed since the request
    period = sel.period_parse(p.get("from"), p.get("to"))
    fmt = format_check(p.get("format") or "csv")
    qs = sel.drill_qs(user, scope=scope, period=period, dim=p.get("dim") or "received", key=p.get("key") or "")
    qs = qs.filter(submitted_at__lte=job.started_at)  # reports filed during the export are not half in it
    total = qs.count()
    if total > max_rows(fmt):
        raise ValidationFailed(
            _(
                "Ekspor ini berisi %(n)s laporan, lebih dari batas %(max)s untuk %(fmt)s. Persempit "
                "periode atau cakupannya."
            )
            % {"n": total, "max": max_rows(fmt), "fmt": fmt.upper()},
            code="export_too_large",
        )
    progress.set_total(total)
    header, rows = rows_for(scope, reports_iter(qs, scope=scope, on_batch=progress.add), user)
    path, part = _output(job, fmt)
    if fmt == "csv":
        with open(part, "w", encoding="utf-8", newline="") as out:
            n = csv_write(out, header, rows)
    else:
        n = xlsx_write(str(part), header, rows)
    name = file_name(scope, fmt, start=period.start, end=period.end)  # in the job's language (job_run)
    return {
        "file": _sealed(part, path),
        "file_name": name,
        "content_type": CONTENT_TYPES[fmt],
        "result": {"rows": n, "scope": scope},
    }


def monthly_pdf_agencies(user, month: dt.date, agency_id: int | None = None):
    """The agencies in the user's scope that received reports in the month (and under ``agency_id``)."""
    scopes = StatCell.objects.filter(dim="received", month=month, scope__startswith="a:").values_list(
        "scope", flat=True
    )
    qs = Agency.objects.filter(pk__in=[int(s[2:]) for s in scopes]).order_by("path")
    scope = user_scope_q(user, "path")
    if scope is not None:
        qs = qs.filter(scope)
    if agency_id:
        root = Agency.objects.filter(pk=agency_id).values_list("path", flat=True).first() or "-"
        qs = qs.filter(path__startswith=root)
    return qs


def _run_monthly_pdfs(job: Job, progress: Progress) -> dict:
    month = dt.date.fromisoformat(job.params["month"] + "-01")
    agencies = list(monthly_pdf_agencies(job.requested_by, month, job.params.get("agency_id")))
    if not agencies:
        raise ValidationFailed(
            _("Tidak ada instansi dengan laporan pada bulan itu dalam cakupan Anda."), code="no_agencies"
        )
    progress.set_total(len(agencies))
    path, part = _output(job, "zip")
    with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for agency in agencies:
            pdf = agency_month_pdf(agency, month)
            z.write(pdf, arcname=pdf.name)
            progress.add(1)
    return {
        "file": _sealed(part, path),
        "file_name": f"{pgettext('file name', 'laporan-bulanan')}-{month:%Y-%m}.zip",
        "content_type": "application/zip",
        "result": {"agencies": len(agencies)},
    }


def _run_opendata(job: Job, progress: Progress) -> dict:
    progress.set_total(report_public_qs().count())
    out = opendata_build(on_row=progress.add)
    return {"result": {"rows": out["rows"], "url": "/api/analytics/public/dataset.csv.gz"}}


def _run_routing_train(job: Job, progress: Progress) -> dict:
    from lapor.routing.suggest import routing_train  # heavy: scikit-learn only when retraining

    labels = ["agency", "topic"] if job.params.get("label", "both") == "both" else [job.params["label"]]
    progress.set_total(len(labels))
    out = {}
    for label in labels:
        with progress.keepalive():
            trained = routing_train(label=label)
        out[label] = {k: v for k, v in trained.items() if k in ("status", "version", "reports", "classes", "needed")}
        progress.add(1)
    return {"result": out}


RUNNERS = {
    Job.Kind.REPORTS: _run_reports,
    Job.Kind.MONTHLY_PDFS: _run_monthly_pdfs,
    Job.Kind.OPENDATA: _run_opendata,
    Job.Kind.ROUTING_TRAIN: _run_routing_train,
}


# --- Notification ---------------------------------------------------------------------------------


def job_page_url(job: Job) -> str:
    return f"/analytics/ekspor/{job.pk}"


def job_notify(job: Job) -> None:
    """Tell the requester the job ended, through the outbox (in the finishing transaction): a web
    notification, and an e-mail unless they chose the daily digest."""
    user = job.requested_by
    with translation.override(job_language(job)):
        kind = str(Job.Kind(job.kind).label)
        if job.state == State.DONE:
            title = _("Selesai: %(kind)s") % {"kind": kind}
            body = (
                _("%(kind)s yang Anda minta sudah selesai. Berkas dapat diunduh sampai %(date)s.")
                % {"kind": kind, "date": date_format(timezone.localtime(job.expires_at), "j M Y, H:i")}
                if job.file_path
                else _("%(kind)s yang Anda minta sudah selesai.") % {"kind": kind}
            )
        else:
            title = _("Gagal: %(kind)s") % {"kind": kind}
            body = _("%(kind)s yang Anda minta gagal: %(error)s") % {"kind": kind, "error": job.error}
    url = job_page_url(job)
    outbox_enqueue(
        channel="web",
        recipient=str(user.pk),
        dedupe_key=f"job:{job.pk}:{job.state}:web",
        payload={"kind": f"job_{job.state}", "title": title[:200], "body": body, "url": url},
    )
    digest = NotificationPreference.objects.filter(user=user, daily_digest=True).exists()
    if user.email and not digest:
        link = settings.LAPOR_PUBLIC_URL.rstrip("/") + url
        outbox_enqueue(
            channel="email",
            recipient=user.email,
            dedupe_key=f"job:{job.pk}:{job.state}:email",
            payload={"subject": f"LAPOR! {title}"[:200], "body": f"{body}\n\n{link}\n"},
        )


# --- Sweep: dead workers, lost hand-overs, expired files ------------------------------------------


def jobs_sweep(*, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    out = {"requeued": 0, "failed": 0, "dispatched": 0, "expired": 0, "orphans": 0}
    for job in Job.objects.filter(state=State.RUNNING, heartbeat_at__lt=now - dt.timedelta(seconds=STALE_SECONDS)):
        stale = Job.objects.filter(pk=job.pk, attempts=job.attempts, state=State.RUNNING)
        if job.attempts >= MAX_ATTEMPTS:
            with transaction.atomic():
                if stale.update(
                    state=State.FAILED,
                    finished_at=now,
                    error=_("Pekerjaan terhenti %(n)s kali; tidak dicoba lagi.") % {"n": job.attempts},
                ):
                    job.refresh_from_db()
                    job_notify(job)
                    out["failed"] += 1
            _parts_remove(job)
        elif stale.update(state=State.QUEUED, heartbeat_at=None):
            _parts_remove(job)
            out["requeued"] += 1
    waiting = Job.objects.filter(state=State.QUEUED).exclude(
        heartbeat_at__gte=now - dt.timedelta(seconds=REDISPATCH_SECONDS)
    )
    for pk in waiting.values_list("pk", flat=True):
        job_dispatch(pk)
        out["dispatched"] += 1
    for job in Job.objects.filter(state=State.DONE, expires_at__lt=now):
        path = job_file(job)
        if Job.objects.filter(pk=job.pk, state=State.DONE).update(state=State.EXPIRED, file_path=""):
            if path is not None:
                path.unlink(missing_ok=True)
            out["expired"] += 1
    out["orphans"] = _orphans_remove(now)
    return out


def _orphans_remove(now: dt.datetime) -> int:
    """Files under DATA_DIR/exports that no live job owns (a crashed run's part file, a job row
    deleted), once they are older than the keep period."""
    folder = exports_dir()
    if not folder.is_dir():
        return 0
    live = set(Job.objects.filter(state__in=[State.QUEUED, State.RUNNING, State.DONE]).values_list("pk", flat=True))
    live = {str(pk) for pk in live}
    cutoff = (now - dt.timedelta(days=keep_days())).timestamp()
    removed = 0
    for path in folder.iterdir():
        if path.name.split(".", 1)[0] in live or not path.is_file():
            continue
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
