"""The deadline sweep: mark overdue reports, escalate them, auto-complete silent ones.

Idempotent and safe from several workers at once: every change is a conditional UPDATE that
names the state it expects, and the audit event is written only by the worker whose UPDATE
matched, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import lifecycle as lc
from .deadlines import deadline_after
from .lifecycle import Action, State
from .models import IdempotencyRecord, Report, ReportEvent
from .services import Actor, event_record

log = logging.getLogger(__name__)
BATCH = 500


def _claimed(pk: int, expect: dict, changes: dict) -> bool:
    return Report.objects.filter(pk=pk, **expect).update(**changes, updated_at=timezone.now()) == 1


def reports_sweep(*, now: dt.datetime | None = None, platform_after_days: int | None = None) -> dict[str, int]:
    now = now or timezone.now()
    platform_after = (
        platform_after_days if platform_after_days is not None else settings.LAPOR_ESCALATE_PLATFORM_AFTER_DAYS
    )
    counts = {"auto_completed": 0, "overdue": 0, "escalated_platform": 0}
    system = Actor.system()

    # 1. Silent reporters: the reply window has passed, the report closes as done.
    for report in Report.objects.filter(state=State.FOLLOWED_UP, due_at__lt=now).select_related("agency")[: BATCH * 20]:
        with transaction.atomic():
            if _claimed(
                report.pk,
                {"state": State.FOLLOWED_UP, "due_at": report.due_at},
                {"state": State.DONE, "completed_at": now, "due_at": None, "is_overdue": False},
            ):
                report.state = State.DONE
                event_record(
                    report,
                    kind=ReportEvent.Kind.TRANSITION,
                    actor=system,
                    roles={lc.SYSTEM},
                    action=Action.AUTO_COMPLETE,
                    from_state=State.FOLLOWED_UP,
                    to_state=State.DONE,
                    agency=report.agency,
                    reason="Selesai otomatis: tidak ada tanggapan pelapor",
                    created_at=now,
                )
                counts["auto_completed"] += 1

    # 2. Newly overdue: escalate one level up (the parent agency's admins; the platform for new reports).
    for report in Report.objects.filter(state__in=lc.ACTIVE_STATES, due_at__lt=now, is_overdue=False).select_related(
        "agency__parent"
    )[: BATCH * 20]:
        due_at = report.due_at
        assert due_at is not None  # due_at__lt
        with transaction.atomic():
            # the parent agency's admins; the platform for a report no agency holds or a top agency's
            target = report.agency.parent if report.agency is not None else None
            level = 1 if target is not None else 2
            if _claimed(
                report.pk,
                {"state": report.state, "is_overdue": False, "due_at": report.due_at},
                {"is_overdue": True, "overdue_since": now, "escalation_level": level, "escalated_at": now},
            ):
                event_record(
                    report,
                    kind=ReportEvent.Kind.OVERDUE,
                    actor=system,
                    roles={lc.SYSTEM},
                    agency=report.agency,
                    is_public=False,
                    data={"due_at": due_at.isoformat()},
                    created_at=now,
                )
                event_record(
                    report,
                    kind=ReportEvent.Kind.ESCALATED,
                    actor=system,
                    roles={lc.SYSTEM},
                    agency=target,
                    is_public=False,
                    data={"level": level, "to": target.name if target else "platform"},
                    created_at=now,
                )
                counts["overdue"] += 1

    # 3. Still overdue after the grace period at level 1: escalate to the platform.
    for report in Report.objects.filter(state__in=lc.ACTIVE_STATES, is_overdue=True, escalation_level=1).select_related(
        "agency"
    )[: BATCH * 20]:
        assert report.escalated_at is not None  # set with escalation_level (2. above)
        if deadline_after(report.escalated_at, platform_after) >= now:
            continue
        with transaction.atomic():
            if _claimed(
                report.pk,
                {"state": report.state, "escalation_level": 1, "escalated_at": report.escalated_at},
                {"escalation_level": 2, "escalated_at": now},
            ):
                event_record(
                    report,
                    kind=ReportEvent.Kind.ESCALATED,
                    actor=system,
                    roles={lc.SYSTEM},
                    agency=None,
                    is_public=False,
                    data={"level": 2, "to": "platform"},
                    created_at=now,
                )
                counts["escalated_platform"] += 1
    # 4. Idempotency records only need to outlive client retries; they hold guest secrets.

    keep_hours = settings.LAPOR_IDEMPOTENCY_HOURS
    IdempotencyRecord.objects.filter(created_at__lt=now - dt.timedelta(hours=keep_hours)).delete()
    if any(counts.values()):
        log.info("reports sweep: %s", counts)
    return counts
