"""Edges found in review: the current week across a month start, far-off dates and odd digits as
input (a clear 400, never a 500), and the public drill-down list masking personal data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lapor.analytics.rollup import rollup_refresh
from lapor.analytics.selectors import Period, dashboard_get, drill_qs, period_parse
from lapor.reports import services as sv

from .conftest import clock


def _spike(net, days: list[dt.date], per_day: int) -> None:
    platform = sv.Actor(user=net.user("platform"))
    for day in days:
        for i in range(per_day):
            at = dt.datetime.combine(day, dt.time(3 + i), tzinfo=dt.timezone.utc)
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


def test_the_current_week_counts_its_days_in_the_new_month_too(net):
    # Week of Monday 28 July 2025: 2 reports on Thursday 31 July, 10 on Friday 1 and Saturday 2 August.
    _spike(net, [dt.date(2025, 7, 31)], 2)
    _spike(net, [dt.date(2025, 8, 1), dt.date(2025, 8, 2)], 5)
    rollup_refresh(full=True)
    august = Period(dt.date(2025, 8, 1), dt.date(2025, 8, 1))
    d = dashboard_get("n", august, today=dt.date(2025, 8, 2))
    week = d["trend_weeks"][-1]
    assert week["week"] == dt.date(2025, 7, 28)
    assert week["received"] == 12
    alert = {(a["kind"], a["key"]): a for a in d["alerts"]}[("topic", str(net.roads.pk))]
    assert alert["count"] == 12 and alert["week"] == "2025-07-28"
    for q in (week["drill"], alert["drill"]):
        assert (
            drill_qs(
                net.user("platform"),
                scope=q["scope"],
                period=period_parse(q["from"], q["to"]),
                dim=q["dim"],
                key=q["key"],
            ).count()
            == 12
        )
    # A period that ends with July keeps to July's days of that week.
    july = dashboard_get("n", Period(dt.date(2025, 7, 1), dt.date(2025, 7, 1)), today=dt.date(2025, 8, 2))
    assert july["trend_weeks"][-1]["received"] == 2


@pytest.mark.parametrize(
    "query",
    [
        {"from": "0001-01", "to": "0001-01"},
        {"to": "0001-03"},
        {"from": "9999-12", "to": "9999-12"},
        {"from": "1899-12", "to": "1899-12"},
    ],
)
def test_far_off_months_are_a_400_not_a_500(net, api, client, query):
    # the API's schema says which years (422, issue 16); the pages answer 400
    assert api.get("/api/analytics/public/stats", query).status_code == 422
    assert client.get("/analytics/publik", query).status_code == 400
    assert client.get("/analytics/publik/laporan", query).status_code == 400
    assert api.get("/api/analytics/reports", {**query, "scope": "n"}, user=net.user("platform")).status_code == 422


@pytest.mark.parametrize(
    "dim,key",
    [
        ("week", "9999-12-31"),
        ("week", "0001-01-01"),
        ("rating", "²"),
        ("topic", "²"),
        ("topic_week", "²|2025-07-28"),
        ("week", "2025-07-28x"),
        ("rating", "99999999999999999999"),
        ("topic", "99999999999999999999"),
    ],
)
def test_odd_drill_keys_are_a_400_or_an_empty_list_not_a_500(net, api, client, dim, key):
    with clock(dt.datetime(2025, 8, 2, tzinfo=dt.timezone.utc)):
        res = client.get("/analytics/publik/laporan", {"dim": dim, "key": key})
        assert res.status_code in (200, 400), res.status_code
        res = api.get("/api/analytics/reports", {"scope": "n", "dim": dim, "key": key}, user=net.user("platform"))
        assert res.status_code in (200, 400), res.status_code
        if res.status_code == 200:
            assert res.json()["items"] == []


def test_odd_digits_in_an_agency_scope_are_a_400(net, api):
    assert api.get("/api/analytics/dashboard", {"scope": "a:²"}, user=net.user("platform")).status_code == 422


def test_public_drill_down_list_masks_personal_data(net, client):
    report, _ = sv.report_submit(
        submission=sv.Submission(
            title="Rahmat Hidayat dimintai uang, telp 0812-3456-7890",
            body="Saya Rahmat Hidayat dimintai uang. NIK 3578 0123 4567 0001.",
            is_anonymous=True,
            guest_name="Rahmat Hidayat",
            guest_email="r@warga.example",
        )
    )
    sv.report_route(report=report, actor=sv.Actor(user=net.user("platform")), agency=net.city)
    month = timezone.now().strftime("%Y-%m")
    html = client.get("/analytics/publik/laporan", {"from": month, "to": month}).content.decode()
    assert report.tracking_id in html
    assert "3456" not in html and "Rahmat" not in html


def test_agency_staff_drill_down_page_and_export_mask_an_anonymous_reporter(net, client):
    report, _ = sv.report_submit(
        submission=sv.Submission(
            title="Rahmat Hidayat dimintai uang, telp 0812-3456-7890",
            body="Saya Rahmat Hidayat dimintai uang.",
            is_anonymous=True,
            guest_name="Rahmat Hidayat",
            guest_email="r@warga.example",
        )
    )
    sv.report_route(report=report, actor=sv.Actor(user=net.user("platform")), agency=net.city)
    month = timezone.now().strftime("%Y-%m")
    client.force_login(net.user("city_admin"))
    q = {"scope": f"a:{net.city.pk}", "from": month, "to": month}
    html = client.get("/analytics/laporan", q).content.decode()
    assert report.tracking_id in html and "Rahmat" not in html and "3456" not in html
    res = client.get("/analytics/laporan", {**q, "format": "csv"})
    text = res.content.decode()
    assert report.tracking_id in text and "Rahmat" not in text and "3456" not in text
