"""Emerging-issue alerts reach an agency's admins and the overseers, on the web and by e-mail, once
per topic or place a day."""

import datetime as dt
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from lapor.analytics.rollup import rollup_refresh
from lapor.analytics.alerts import emerging_alerts_send
from lapor.notifications.models import OutboxMessage
from lapor.reports import services as sv


@contextmanager
def clock(at: dt.datetime):
    with mock.patch.object(timezone, "now", return_value=at):
        yield


def _spike(net, days: list[dt.date], per_day: int) -> None:
    platform = sv.Actor(user=net.user("platform"))
    for day in days:
        for i in range(per_day):
            at = dt.datetime.combine(day, dt.time(3 + i), tzinfo=dt.UTC)
            sub = sv.Submission(
                title=f"Jembatan ambruk {day} {i}",
                body="Jembatan di jalan utama ambruk, tolong diperbaiki.",
                topic_id=net.roads.pk,
                region_code="13.74.02",
                channel="web",
                type="complaint",
            )
            with clock(at):
                report, _secret = sv.report_submit(submission=sub, reporter=net.user("reporter"), now=at)
                if report.state == "submitted":
                    sv.report_route(report=report, actor=platform, agency=net.dept)


def test_a_spike_alerts_the_agency_admins_and_overseers_once_a_day(net):
    _spike(net, [dt.date(2025, 7, 31), dt.date(2025, 8, 1), dt.date(2025, 8, 2)], 4)
    rollup_refresh(full=True)
    OutboxMessage.objects.all().delete()
    today = dt.date(2025, 8, 2)
    assert emerging_alerts_send(today=today) > 0
    rows = list(OutboxMessage.objects.filter(dedupe_key__startswith="alert:"))
    web_users = {int(m.recipient) for m in rows if m.channel == "web"}
    emails = {m.recipient for m in rows if m.channel == "email"}
    assert {net.user("dept_admin").pk, net.user("overseer").pk, net.user("city_overseer").pk} <= web_users
    assert net.user("dept_admin").email in emails and net.user("overseer").email in emails
    assert net.user("liaison").pk not in web_users and net.user("reporter").pk not in web_users
    assert net.user("health_admin").pk not in web_users  # another agency's spike-free scope
    alert = next(m for m in rows if m.channel == "email" and m.recipient == net.user("dept_admin").email)
    assert "/analytics/laporan?" in alert.payload["body"] and "Jembatan" not in alert.payload["body"]
    count = OutboxMessage.objects.count()
    emerging_alerts_send(today=today)  # the hourly job again the same day
    assert OutboxMessage.objects.count() == count
    emerging_alerts_send(today=today + dt.timedelta(days=1))  # next day: a still-unusual week alerts again
    assert OutboxMessage.objects.count() > count
