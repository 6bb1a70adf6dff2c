"""Writes of the analytics app: action plans (rencana aksi) and background jobs (exports...)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lapor.accounts.audit import audit_record
from lapor.accounts.models import Role, User
from lapor.accounts.selectors import user_grants, user_is_platform_admin, user_roles_for
from lapor.agencies.models import Agency, Topic
from lapor.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from . import selectors as sel
from .exports import format_check
from .jobs import job_dispatch, job_file, language_supported, monthly_pdf_agencies
from .models import ActionPlan, Job
from .pdf import month_check

EDITOR_ROLES = {Role.PLATFORM_ADMIN, Role.AGENCY_ADMIN}


def _may_edit(user: User | None, agency: Agency) -> None:
    if not user_roles_for(user, agency.path) & EDITOR_ROLES:
        raise PermissionDenied(_("Hanya admin instansi yang dapat mengelola rencana aksi instansi ini."))


def _validate(*, title: str, owner: str, progress: int, status: str) -> None:
    if not title.strip() or len(title) > 200:
        raise ValidationFailed(_("Judul wajib diisi (paling panjang 200 karakter)."), code="invalid_title")
    if not owner.strip() or len(owner) > 150:
        raise ValidationFailed(_("Penanggung jawab wajib diisi."), code="invalid_owner")
    if not 0 <= progress <= 100:
        raise ValidationFailed(_("Kemajuan harus 0–100%."), code="invalid_progress")
    if status not in ActionPlan.Status.values:
        raise ValidationFailed(_("Status rencana aksi tidak dikenal."), code="invalid_status")


@transaction.atomic
def action_plan_create(
    *,
    user: User | None,
    agency_id: int,
    topic_id: int | None,
    title: str,
    owner: str,
    due_date: dt.date,
    progress: int = 0,
    status: str = ActionPlan.Status.PLANNED,
) -> ActionPlan:
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise NotFound(_("Instansi tidak ditemukan."))
    _may_edit(user, agency)
    if topic_id is not None and not Topic.objects.filter(pk=topic_id).exists():
        raise ValidationFailed(_("Topik tidak dikenal."), code="invalid_topic")
    _validate(title=title, owner=owner, progress=progress, status=status)
    return ActionPlan.objects.create(
        agency=agency,
        topic_id=topic_id,
        title=title.strip(),
        owner=owner.strip(),
        due_date=due_date,
        progress=progress,
        status=status,
        created_by=user,
    )


@transaction.atomic
def action_plan_update(*, user: User | None, plan_id: int, **changes) -> ActionPlan:
    plan = ActionPlan.objects.select_for_update().select_related("agency").filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("Rencana aksi tidak ditemukan."))
    _may_edit(user, plan.agency)
    for field in ("title", "owner", "due_date", "progress", "status"):
        if changes.get(field) is not None:
            setattr(plan, field, changes[field])
    _validate(title=plan.title, owner=plan.owner, progress=plan.progress, status=plan.status)
    plan.save()
    return plan


# --- Background jobs (exports and other long work; see lapor.analytics.jobs) -----------------------


def jobs_per_user() -> int:
    return int(settings.LAPOR_JOBS_PER_USER)


def _job_params(user: User, kind: str, params: dict) -> dict:
    """Validate a job's parameters now, in the request (a bad one is a 400 here, not a failed job later)."""
    if not user_grants(user):
        raise PermissionDenied(_("Halaman ini hanya untuk petugas."))
    if kind == Job.Kind.REPORTS:
        scope = sel.scope_check(user, params.get("scope") or None)
        period = sel.period_parse(params.get("from") or None, params.get("to") or None)
        dim, key = str(params.get("dim") or "received")[:30], str(params.get("key") or "")[:60]
        fmt = format_check(str(params.get("format") or "csv"))
        sel.drill_qs(user, scope=scope, period=period, dim=dim, key=key)  # refuses an unknown dim or key
        return {
            "scope": scope,
            "from": period.start.strftime("%Y-%m"),
            "to": period.end.strftime("%Y-%m"),
            "dim": dim,
            "key": key,
            "format": fmt,
        }
    if kind == Job.Kind.MONTHLY_PDFS:
        if params.get("month"):
            month = month_check(sel.period_parse(str(params["month"]), str(params["month"])).start)
        else:  # last month
            month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        agency_id = params.get("agency_id")
        if agency_id not in (None, ""):
            try:
                agency_id = int(agency_id)
            except (TypeError, ValueError) as exc:
                raise ValidationFailed(_("Instansi tidak dikenal."), code="invalid_agency") from exc
            sel.scope_check(user, f"a:{agency_id}")
        else:
            agency_id = None
        if not monthly_pdf_agencies(user, month, agency_id).exists():
            # nothing to make: a month with no reports in scope has no monthly reports (404)
            raise NotFound(
                _("Tidak ada instansi dengan laporan pada bulan itu dalam cakupan Anda."), code="no_agencies"
            )
        return {"month": month.strftime("%Y-%m"), "agency_id": agency_id}
    if kind in (Job.Kind.OPENDATA, Job.Kind.ROUTING_TRAIN):
        if not user_is_platform_admin(user):
            raise PermissionDenied(_("Hanya admin platform yang dapat menjalankan pekerjaan ini."))
        if kind == Job.Kind.ROUTING_TRAIN:
            label = str(params.get("label") or "both")
            if label not in ("agency", "topic", "both"):
                raise ValidationFailed(_("Label tidak dikenal (agency, topic, both)."), code="invalid_label")
            return {"label": label}
        return {}
    raise ValidationFailed(_("Jenis pekerjaan tidak dikenal: %(v)s") % {"v": str(kind)[:30]}, code="invalid_kind")


@transaction.atomic
def job_create(
    *, user: User, kind: str = Job.Kind.REPORTS, params: dict | None = None, language: str | None = None
) -> Job:
    """Queue a job for ``user`` and hand it over after commit; the request does none of the work.
    ``language`` is the one the request was answered in (the active one if not given): the job's
    file and notification are written in it, whenever and wherever the job runs."""
    clean = _job_params(user, kind, params or {})
    clean["language"] = language_supported(language or translation.get_language()) or "id"
    User.objects.select_for_update().filter(pk=user.pk).first()  # one user's concurrent requests count in turn
    if (
        Job.objects.filter(requested_by=user, state__in=[Job.State.QUEUED, Job.State.RUNNING]).count()
        >= jobs_per_user()
    ):
        raise Conflict(
            _("Anda sudah menjalankan %(n)s pekerjaan; tunggu sampai salah satunya selesai atau batalkan.")
            % {"n": jobs_per_user()},
            code="too_many_jobs",
        )
    job = Job.objects.create(requested_by=user, kind=kind, params=clean)
    audit_record(action="job_create", actor=user, target=job, detail={"kind": kind, **clean})
    transaction.on_commit(lambda: job_dispatch(job.pk))
    return job


@transaction.atomic
def job_cancel(*, user: User, job: Job) -> Job:
    """Stop a queued or running job, or delete the file of a finished one."""
    now = timezone.now()
    active = Job.objects.filter(pk=job.pk, state__in=[Job.State.QUEUED, Job.State.RUNNING])
    if active.update(state=Job.State.CANCELLED, finished_at=now):
        audit_record(action="job_cancel", actor=user, target=job)
    elif job.state == Job.State.DONE and job.file_path:
        path = job_file(job)
        if Job.objects.filter(pk=job.pk, state=Job.State.DONE).update(
            state=Job.State.EXPIRED, file_path="", expires_at=now
        ):
            transaction.on_commit(lambda: path.unlink(missing_ok=True))
            audit_record(action="job_file_delete", actor=user, target=job)
    job.refresh_from_db()
    return job
