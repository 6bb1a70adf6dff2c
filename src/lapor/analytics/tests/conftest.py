"""A varied set of reports driven through the real services, with the clock moved by hand so
durations, deadlines and months differ."""

from __future__ import annotations

import datetime as dt
import random
from contextlib import contextmanager
from unittest import mock

import pytest
from django.utils import timezone

from lapor.reports import services as sv
from lapor.reports.models import Report

BASE = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone.utc)


@contextmanager
def clock(at: dt.datetime):
    with mock.patch.object(timezone, "now", return_value=at):
        yield


def reports_build(net, n: int = 40, seed: int = 7) -> list[Report]:
    rng = random.Random(seed)
    platform = sv.Actor(user=net.user("platform"))
    reporter = net.user("reporter")
    targets = [
        (net.dept, net.user("liaison")),
        (net.unit, net.user("unit_staff")),
        (net.other_dept, net.user("other_liaison")),
        (net.health, net.user("health_admin")),
    ]
    topics = [net.roads.pk, net.health_topic.pk, net.infra.pk, None]
    regions = ["13.74.02.1001", "13.74.02", "13.71", None]
    out = []
    for i in range(n):
        at = BASE + dt.timedelta(days=rng.randint(0, 120), hours=rng.randint(0, 8))
        sub = sv.Submission(
            title=f"Laporan uji {i}",
            body="Isi laporan uji untuk statistik.",
            topic_id=rng.choice(topics),
            region_code=rng.choice(regions),
            channel=rng.choice(["web", "sms", "mobile"]),
            type=rng.choice(["complaint", "suggestion"]),
            is_anonymous=rng.random() < 0.3,
            is_confidential=rng.random() < 0.2,
        )
        with clock(at):
            report, _secret = sv.report_submit(submission=sub, reporter=reporter, now=at)
        out.append(report)
        step = rng.random()
        if step < 0.15:
            continue  # left waiting for verification (or auto-routed)
        agency, staff = rng.choice(targets)
        at += dt.timedelta(days=rng.randint(0, 6))
        with clock(at):
            if report.state == "submitted":
                report = sv.report_route(report=report, actor=platform, agency=agency)
            else:
                staff = {net.dept.pk: net.user("liaison")}.get(report.agency_id, staff)
        if step < 0.25:
            with clock(at + dt.timedelta(days=1)):
                sv.report_archive(report=report, actor=platform, reason="too_general")
            continue
        if step < 0.32 and report.agency_id != net.unit.pk:
            with clock(at + dt.timedelta(days=1)):
                try:
                    sv.report_not_authority(report=report, actor=sv.Actor(user=staff), reason="Bukan kewenangan kami")
                except Exception:
                    pass
            continue
        if step < 0.45:
            continue  # open at the agency
        report.refresh_from_db()
        staff = _staff_for(net, report.agency_id)
        at += dt.timedelta(days=rng.randint(0, 12))
        with clock(at):
            sv.report_follow_up(report=report, actor=sv.Actor(user=staff), body="Sudah kami tangani.")
        if step < 0.55:
            continue
        at += dt.timedelta(days=rng.randint(0, 80))
        me = sv.Actor(user=reporter, is_reporter=True)
        with clock(at):
            sv.report_complete(report=Report.objects.get(pk=report.pk), actor=me)
        if step < 0.9:
            with clock(at):
                sv.report_rate(report=Report.objects.get(pk=report.pk), actor=me, rating=rng.randint(1, 5))
        else:
            with clock(at):
                sv.report_rate(
                    report=Report.objects.get(pk=report.pk), actor=me, rating=1, comment="Belum beres", reopen=True
                )
    return out


def _staff_for(net, agency_id):
    return {
        net.dept.pk: net.user("liaison"),
        net.unit.pk: net.user("unit_staff"),
        net.other_dept.pk: net.user("other_liaison"),
        net.health.pk: net.user("health_admin"),
        net.city.pk: net.user("city_admin"),
    }.get(agency_id, net.user("liaison"))


@pytest.fixture
def reports(net):
    return reports_build(net)
