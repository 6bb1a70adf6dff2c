"""Writes for machine triage: link reports, group them in clusters, answer a cluster once,
resolve flags."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lapor.accounts.audit import audit_record
from lapor.core.errors import DomainError, PermissionDenied, ValidationFailed
from lapor.reports import lifecycle as lc
from lapor.reports import services as report_services
from lapor.reports.models import Report
from lapor.reports.selectors import report_qs_for
from lapor.reports.services import Actor, actor_roles

from .models import Cluster, ReportFlag, ReportLink

HANDLING = {lc.PLATFORM_ADMIN, lc.AGENCY_ADMIN, lc.LIAISON, lc.UNIT_STAFF}


def _require_handler(report: Report, actor: Actor) -> None:
    if not actor_roles(report, actor) & HANDLING:
        raise PermissionDenied(_("Anda tidak menangani laporan ini."))


@transaction.atomic
def report_link(*, report: Report, other: Report, actor: Actor, similarity: float | None = None) -> ReportLink:
    """Mark two reports as related (both stay open); duplicates are archived with report_archive."""
    if report.pk == other.pk:
        raise ValidationFailed(_("Laporan tidak dapat ditautkan ke dirinya sendiri."), code="self_link")
    _require_handler(report, actor)
    link, _created = ReportLink.objects.get_or_create(
        report=report,
        other=other,
        defaults={"kind": ReportLink.Kind.RELATED, "similarity": similarity, "created_by": actor.user},
    )
    return link


@transaction.atomic
def cluster_create(*, title: str, reports: list[Report], actor: Actor) -> Cluster:
    title = (title or "").strip()[:200]
    if not title or len(reports) < 2:
        raise ValidationFailed(_("Klaster perlu judul dan paling sedikit dua laporan."), code="cluster_invalid")
    for report in reports:
        _require_handler(report, actor)
    agencies = {r.agency_id for r in reports}
    cluster = Cluster.objects.create(
        title=title, created_by=actor.user, agency_id=agencies.pop() if len(agencies) == 1 else None
    )
    cluster.reports.set(reports)
    return cluster


def cluster_follow_up(*, cluster: Cluster, actor: Actor, body: str) -> dict[str, list[str]]:
    """One answer for every report in the cluster that is waiting for it; each report gets its own
    follow-up (and its own audit event and notification). Only the reports in the caller's scope are
    answered or named: a cluster may hold other agencies' reports, which the caller may not see.
    Reports in scope that cannot take the answer are listed as skipped."""
    mine = cluster.reports.filter(pk__in=report_qs_for(actor.user).values("pk"))
    if not mine.exists():
        raise PermissionDenied(_("Anda tidak menangani laporan dalam klaster ini."))
    done, skipped = [], []
    for report in mine.select_related("agency").order_by("pk"):
        try:
            report_services.report_follow_up(report=report, actor=actor, body=body)
            done.append(report.tracking_id)
        except DomainError:
            skipped.append(report.tracking_id)
    return {"followed_up": done, "skipped": skipped}


@transaction.atomic
def flag_resolve(*, flag: ReportFlag, actor: Actor) -> ReportFlag:
    if lc.PLATFORM_ADMIN not in actor_roles(flag.report, actor):
        raise PermissionDenied(_("Hanya Admin Nasional yang memproses antrean triase."))
    resolved = ReportFlag.objects.filter(pk=flag.pk, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=actor.user
    )
    flag.refresh_from_db()
    if resolved:
        audit_record(action="flag_resolve", actor=actor.user, target=flag, detail={"report": flag.report.tracking_id})
    return flag
