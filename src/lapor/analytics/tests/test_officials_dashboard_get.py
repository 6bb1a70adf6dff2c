"""The dashboards as a non-technical official reads them (issue 20): in words, with units and
shares named, nothing cut on a phone, no query codes, every report number a link, and the report
card sorted by grade with the worst first on request."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import timezone

from lapor.analytics.rollup import rollup_refresh
from lapor.reports.models import Report

WHOLE = {"from": "2025-01", "to": "2025-12"}


@pytest.fixture
def staff(net, client, reports):
    rollup_refresh(full=True)
    client.force_login(net.user("platform"))
    return client


def test_the_dashboard_names_what_each_share_is_of(staff):
    html = staff.get("/analytics/", WHOLE).content.decode()
    assert "% dari laporan diterima" in html and "% dari laporan selesai" in html
    assert re.search(r"\d,\d dari 5|\d dari 5", html)  # the average rating, out of 5
    assert "Laporan diterima, periode ini" in html and "Periode sebelumnya" in html  # the chart's legend


def test_charts_have_axes_units_and_readable_text(staff):
    html = staff.get("/analytics/", WHOLE).content.decode()
    svgs = re.findall(r"<svg.*?</svg>", html, re.DOTALL)
    assert len(svgs) >= 3
    sizes = {int(s) for svg in svgs for s in re.findall(r'font-size="(\d+)"', svg)}
    assert sizes and min(sizes) >= 12, sizes  # the viewBox is ~340 wide: about 1 unit a CSS pixel at 360 px
    assert all(">laporan<" in svg or " laporan</text>" in svg for svg in svgs)  # the unit, on the axis
    topics = re.findall(r"<text[^>]*><title>([^<]+)</title>([^<]+)</text>", html)
    assert topics and all(full == shown for full, shown in topics if len(full) <= 46)  # names not cut


def test_the_partial_current_month_is_marked(staff):
    this_month = timezone.localdate().strftime("%Y-%m")
    html = staff.get("/analytics/", {"from": "2025-01", "to": this_month}).content.decode()
    assert "Bulan berjalan: belum lengkap" in html and "(belum lengkap)" in html
    assert 'stroke-dasharray="2 3"' in html  # the last segment of the line is dotted
    html = staff.get("/analytics/", WHOLE).content.decode()
    assert "Bulan berjalan: belum lengkap" not in html


@pytest.mark.parametrize(
    "dim, key, words",
    [
        ("received", "", "Laporan diterima"),
        ("state", "done", "Status: Selesai"),
        ("in_time", "1", "Selesai tepat waktu"),
        ("rating", "5", "Penilaian 5 dari 5"),
    ],
)
def test_a_drill_down_says_what_it_lists_and_links_each_report(staff, dim, key, words):
    html = staff.get("/analytics/laporan", {"scope": "n", **WHOLE, "dim": dim, "key": key}).content.decode()
    assert f"<strong>{words}</strong>" in html
    assert f"({dim}" not in html and f"{dim} {key}:" not in html and f"{dim}:" not in html
    tids = re.findall(r"<td><a href=\"/petugas/laporan/([0-9A-Z]{4}-[0-9A-Z]{4})/\">\1</a></td>", html)
    expected = Report.objects.count() if dim == "received" else None
    assert tids or dim == "rating"
    if expected is not None:
        assert len(tids) == min(expected, 50)


def test_the_public_drill_down_links_to_public_pages(net, client, reports):
    rollup_refresh(full=True)
    html = client.get("/analytics/publik/laporan", {**WHOLE, "dim": "received"}).content.decode()
    assert re.search(r'<a href="/lacak/[0-9A-Z]{4}-[0-9A-Z]{4}/">', html) and "/petugas/" not in html


def test_the_report_card_filters_by_grade_and_puts_the_worst_first(staff, settings):
    settings.LAPOR_ANALYTICS_GRADES = {"min_reports": 1}
    html = staff.get("/analytics/peringkat", {**WHOLE, "sort": "-grade"}).content.decode()
    grades = re.findall(r'<td class="grade-(\w+)">', html)
    order = {"poor": 0, "fair": 1, "good": 2, "unrated": 3}
    assert grades and grades == sorted(grades, key=order.get)
    first = grades[0]
    html = staff.get("/analytics/peringkat", {**WHOLE, "grade": first}).content.decode()
    assert set(re.findall(r'<td class="grade-(\w+)">', html)) == {first}
    assert staff.get("/analytics/peringkat", {**WHOLE, "grade": "excellent"}).status_code == 400


def test_the_report_card_speaks_english(staff, settings):
    settings.LAPOR_ANALYTICS_GRADES = {"min_reports": 1}
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = staff.get("/analytics/peringkat", WHOLE).content.decode()
    labels = set(re.findall(r'<td class="grade-\w+">([^<]+)</td>', html))
    assert labels and labels <= {"Good", "Fair", "Poor", "Not rated"}
    assert "Worst grade first" in html


def test_analytics_pages_keep_the_site_navigation(staff):
    html = staff.get("/analytics/", WHOLE).content.decode()
    assert 'id="lang-select"' in html and 'action="/keluar/"' in html and 'href="/petugas/"' in html


def test_an_overseer_lands_on_the_dashboard(net):
    from lapor.web.views.account import _home_for

    assert _home_for(net.user("overseer")) == "analytics:dashboard"
    assert _home_for(net.user("city_overseer")) == "analytics:dashboard"
    assert _home_for(net.user("liaison")) == "web:inbox" and _home_for(net.user("reporter")) == "web:my_reports"


def test_a_staff_export_is_headed_in_the_readers_language(staff):
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    res = staff.get("/analytics/laporan", {"scope": "n", **WHOLE, "format": "csv"})
    head = res.content.decode("utf-8-sig").splitlines()[0]
    assert head.startswith("tracking_id,received,type,status,channel,topic,region,region_code,agency,title,reporter")
