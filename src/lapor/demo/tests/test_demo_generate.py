"""``lapor demo generate``: realistic reports whose rows agree with what the services would write."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lapor.accounts.phones import phone_normalize
from lapor.demo.load import demo_load
from lapor.reports.deadlines import calendar_reset, deadline_for
from lapor.reports.lifecycle import TRANSITIONS, Action, State
from lapor.reports.models import Message, Report, ReportAssignment, ReportEvent

NOW = dt.datetime(2026, 3, 2, 5, 0, tzinfo=dt.timezone.utc)
COUNT = 1000


def test_an_agencys_pace_does_not_depend_on_its_database_id():
    """The same seed gives the same reports whatever ids the database hands out (a test database
    that held other rows, a second deployment): an agency's pace comes from its name and region."""
    from lapor.demo.sim import agency_slowness

    dept = {"id": 7, "path": "00000001.00000007", "name": "Dinas PUPR", "region_id": "13.74"}
    paces = {agency_slowness({**dept, "id": i, "path": f"{i:08d}.{i + 1:08d}"}) for i in (7, 5000, 123456)}
    assert len(paces) == 1 and 0.6 <= paces.pop() <= 2.2
    assert agency_slowness(dept) != agency_slowness({**dept, "name": "Dinas Kesehatan"})


@pytest.mark.django_db
def test_generate_without_demo_network_tells_to_load_it():
    with pytest.raises(CommandError, match="lapor demo load"):
        call_command("demo", "generate", "--reports", "5")


@pytest.mark.slow
@pytest.mark.django_db(transaction=False)
def test_generated_reports_have_consistent_histories():
    from lapor.demo.generate import reports_generate

    calendar_reset()
    demo_load(villages=False)
    totals = reports_generate(count=COUNT, seed=7, batch=150, now=NOW)
    reports = {r.pk: r for r in Report.objects.select_related("agency")}
    assert len(reports) == COUNT == totals["reports"]
    assert {r.state for r in reports.values()} == set(State.values)
    phones = [r.guest_phone for r in reports.values() if r.guest_phone]
    assert phones and [p for p in phones if phone_normalize(p) != p] == []  # real, allocated numbers

    events, assignments, messages = defaultdict(list), defaultdict(list), defaultdict(list)
    for e in ReportEvent.objects.order_by("created_at", "id"):
        events[e.report_id].append(e)
    for a in ReportAssignment.objects.order_by("assigned_at", "id"):
        assignments[a.report_id].append(a)
    for m in Message.objects.all():
        messages[m.report_id].append(m)

    for report in reports.values():
        history = events[report.pk]
        assert history[0].kind == ReportEvent.Kind.SUBMITTED and history[0].actor_role == "reporter"
        transitions = [e for e in history if e.kind == ReportEvent.Kind.TRANSITION]
        state = State.SUBMITTED
        for e in transitions:  # a chain: each transition starts where the previous one ended
            assert e.from_state == state, report.tracking_id
            assert e.action in Action.values
            target = TRANSITIONS[e.action].target
            assert target is None or target == e.to_state
            state = e.to_state
        assert state == report.state
        assert report.submitted_at <= min(e.created_at for e in history)
        assert report.submitted_at >= NOW - dt.timedelta(days=2 * 365 + 1) and max(e.created_at for e in history) <= NOW

        open_ = [a for a in assignments[report.pk] if a.ended_at is None]
        if report.agency_id:
            assert len(open_) == 1 and open_[0].agency_id == report.agency_id
            assert open_[0].agency_path == report.agency.path
        else:
            assert open_ == []
        for a in assignments[report.pk]:
            assert a.previous_id is None or a.previous.report_id == report.pk

        assert (report.due_at is None) == (report.state in (State.DONE, State.ARCHIVED, State.POSTPONED))
        if report.due_at is not None:
            assert report.is_overdue == (
                report.state in ("submitted", "routed", "in_progress")
                and report.due_at < NOW
                and report.overdue_since is not None
            )
            assert (
                report.is_overdue
                or report.due_at >= NOW
                or report.state == State.FOLLOWED_UP
                or report.due_at + dt.timedelta(minutes=15) > NOW
            )
        assert report.completion_due_at == deadline_for("complete", report.submitted_at)
        if report.state == State.DONE:
            assert report.completed_at is not None
        assert report.rating is None or 1 <= report.rating <= 5
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", report.tracking_id)
        follow_ups = [m for m in messages[report.pk] if m.kind == Message.Kind.FOLLOW_UP]
        assert len(follow_ups) == sum(1 for e in transitions if e.action == Action.FOLLOW_UP)

    # The deadline of the current stage agrees with the working-day calendar for one fresh follow-up.
    followed = [r for r in reports.values() if r.state == State.FOLLOWED_UP]
    last_follow_up = [e for e in events[followed[0].pk] if e.action == Action.FOLLOW_UP][-1]
    assert followed[0].due_at == deadline_for("reply", last_follow_up.created_at)

    everything = list(reports.values())
    assert any(r.is_anonymous for r in everything) and any(r.is_confidential for r in everything)
    assert Report.objects.filter(is_confidential=False).count() > COUNT * 0.9
    assert any(r.reporter_id for r in everything) and any(not r.reporter_id and r.guest_name for r in everything)
    assert any(r.bounce_count for r in everything) and any(r.reopen_count for r in everything)
    assert any(r.rating for r in everything) and any(r.is_overdue for r in everything)
    assert any(r.escalation_level == 2 for r in everything)
    city = sum(1 for r in everything if r.region_id and r.region_id.startswith("13.74"))
    assert COUNT * 0.45 < city < COUNT * 0.8
    assert len({r.region_id[:5] for r in everything if r.region_id}) > 50  # national dashboards have data
    assert len({r.tracking_id for r in everything}) == COUNT

    # Running it again adds more, with fresh ids and tracking ids.
    reports_generate(count=10, seed=8, batch=150, now=NOW)
    assert Report.objects.count() == COUNT + 10


@pytest.mark.slow
@pytest.mark.django_db(transaction=False)
def test_generated_output_does_not_depend_on_the_number_of_worker_processes():
    """Batches have their own seeds and their ids are chained: two worker processes (PostgreSQL) write
    the same reports and histories as one process, with ids shifted by the first run's rows."""
    from lapor.demo.generate import reports_generate

    calendar_reset()
    demo_load(villages=False)
    reports_generate(count=300, seed=3, batch=40, now=NOW, workers=1)
    firsts = [
        (
            Report.objects.order_by("id").values_list("id", flat=True).first(),
            ReportEvent.objects.order_by("id").values_list("id", flat=True).first(),
            ReportAssignment.objects.order_by("id").values_list("id", flat=True).first(),
            Message.objects.order_by("id").values_list("id", flat=True).first(),
        )
    ]
    firsts.append(
        (
            firsts[0][0] + 300,
            ReportEvent.objects.count() + firsts[0][1],
            ReportAssignment.objects.count() + firsts[0][2],
            Message.objects.count() + firsts[0][3],
        )
    )
    reports_generate(count=300, seed=3, batch=40, now=NOW, workers=2)

    def run(k: int):
        r0, e0, a0, m0 = firsts[k]
        rid = range(r0, r0 + 300)
        reports = [
            (
                r.id - r0,
                r.state,
                r.title,
                r.body,
                r.topic_id,
                r.region_id,
                r.agency_id,
                r.due_at,
                r.submitted_at,
                r.rating,
                r.is_overdue,
                r.escalation_level,
                r.duplicate_of_id and r.duplicate_of_id - r0,
                r.guest_name,
                r.reporter_id is None,
            )
            for r in Report.objects.filter(id__in=rid).order_by("id")
        ]
        events = [
            (
                e.id - e0,
                e.report_id - r0,
                e.kind,
                e.action,
                e.from_state,
                e.to_state,
                e.created_at,
                e.agency_id,
                {**e.data, "message_id": e.data["message_id"] - m0}
                if "message_id" in e.data
                else {k: v for k, v in e.data.items() if k != "duplicate_of"},
            )  # a tracking id: random
            for e in ReportEvent.objects.filter(report_id__in=rid).order_by("id")
        ]
        assignments = [
            (a.id - a0, a.report_id - r0, a.agency_id, a.previous_id and a.previous_id - a0, a.assigned_at, a.ended_at)
            for a in ReportAssignment.objects.filter(report_id__in=rid).order_by("id")
        ]
        messages = [
            (m.id - m0, m.report_id - r0, m.kind, m.body, m.created_at)
            for m in Message.objects.filter(report_id__in=rid).order_by("id")
        ]
        return reports, events, assignments, messages

    one, two = run(0), run(1)
    assert len(one[0]) == 300 and len(one[1]) > 600 and one[3]
    assert [e[0] for e in two[1]] == list(range(len(two[1])))  # no gaps between batches
    assert one == two


def test_the_demo_citizen_owns_reports(db):
    """warga@lapor.example (demo/load.py) signs in and finds her own reports, not an empty list."""
    from lapor.demo.generate import reports_generate
    from lapor.reports.models import Report

    demo_load(villages=False)
    reports_generate(count=60, seed=3, batch=60, stdout=io.StringIO())
    assert Report.objects.filter(reporter__email="warga@lapor.example").exists()
