"""The public list and search may be served from a few seconds' cache (lapor.reports.public_cache),
but never once a report has left public view: made confidential or anonymous, archived, sent back
to verification. Real database, the cache backend of the settings, the API as citizens call it."""

from __future__ import annotations

import json

import pytest
from django.db import connection, transaction
from django.utils import translation
from django.test.utils import CaptureQueriesContext

from lapor.reports import services as s
from lapor.reports.models import Report
from lapor.reports.public_cache import public_page_response

LIST = "/api/public/reports"


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.LAPOR_PUBLIC_CACHE_SECONDS = 60  # far longer than any test: only invalidation can refresh


def _public(net, title: str = "Jalan berlubang di Jalan Sudirman") -> Report:
    report, _secret = s.report_submit(
        submission=s.Submission(
            title=title, body="Mohon segera diperbaiki.", guest_name="Rahmat Hidayat", guest_email="r@warga.example"
        )
    )
    s.report_route(report=report, actor=s.Actor(user=net.user("platform")), agency=net.dept)
    return report


def _listed(api, **query) -> list[str]:
    response = api.get(LIST, query)
    assert response.status_code == 200
    return [item["tracking_id"] for item in response.json()["items"]]


def test_a_repeated_request_is_served_from_the_cache(net, api):
    report = _public(net)
    assert _listed(api) == [report.tracking_id]
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(LIST)
    assert [q for q in ctx.captured_queries if "reports_report" in q["sql"]] == []
    assert response.json()["items"][0]["tracking_id"] == report.tracking_id and int(response["Age"]) >= 0
    _public(net, "Lampu jalan padam")  # a new report may wait for the entry to expire
    assert _listed(api) == [report.tracking_id]


def test_keyed_by_query_and_language(net, api):
    lamp, road = _public(net, "Lampu jalan padam"), _public(net, "Sampah menumpuk")
    assert _listed(api, q="lampu") == [lamp.tracking_id]
    assert _listed(api, q="sampah") == [road.tracking_id]
    labels = {lang: api.get(LIST, lang=lang).json()["items"][0]["state_label"] for lang in ("id", "en")}
    assert labels["id"] != labels["en"]


def test_a_report_made_confidential_leaves_the_cached_list_at_once(net, api):
    report, other = _public(net), _public(net, "Lampu jalan padam")
    assert set(_listed(api)) == set(_listed(api, q="jalan")) == {report.tracking_id, other.tracking_id}
    response = api.put(
        f"/api/reports/{report.tracking_id}/privacy",
        {"is_anonymous": False, "is_confidential": True, "reason": "Permintaan pelapor"},
        user=net.user("dept_admin"),
    )
    assert response.status_code == 200
    assert _listed(api) == _listed(api, q="jalan") == [other.tracking_id]


def test_a_report_made_anonymous_loses_its_name_at_once(net, api):
    report = _public(net)
    assert api.get(LIST).json()["items"][0]["reporter_name"] == "Rahmat"
    s.report_privacy_set(
        report=report,
        actor=s.Actor(user=net.user("platform")),
        is_anonymous=True,
        is_confidential=False,
        reason="Pelapor diancam",
    )
    assert api.get(LIST).json()["items"][0]["reporter_name"] == "Anonim"


def test_archived_and_bounced_reports_leave_the_cached_list_at_once(net, api):
    spam, bounced, kept = _public(net, "Iklan obat"), _public(net, "Bukan urusan dinas"), _public(net, "Lampu padam")
    assert len(_listed(api)) == 3
    s.report_archive(report=spam, actor=s.Actor(user=net.user("platform")), reason="spam")
    assert spam.tracking_id not in _listed(api)
    s.report_not_authority(report=bounced, actor=s.Actor(user=net.user("dept_admin")), reason="Bukan wewenang")
    assert _listed(api) == [kept.tracking_id]


@pytest.mark.django_db(transaction=True)
def test_entries_read_before_the_change_commits_are_forgotten_when_it_commits(net, api, rf):
    report = _public(net)
    before = api.get(LIST).json()  # what other connections still read until the change commits
    with transaction.atomic(), translation.override("id"):
        s.report_privacy_set(
            report=report,
            actor=s.Actor(user=net.user("platform")),
            is_anonymous=False,
            is_confidential=True,
            reason="Pelapor diancam",
        )
        public_page_response(rf.get(LIST), lambda: before)  # such a reader, after the change's first bump
        served = public_page_response(rf.get(LIST), lambda: pytest.fail("not served from the cache"))
        assert json.loads(served.content) == before
    assert _listed(api) == []


def test_staff_lists_are_never_cached(net, api):
    report = _public(net)
    assert report.tracking_id in [
        i["tracking_id"] for i in api.get("/api/reports", user=net.user("dept_admin")).json()["items"]
    ]
    assert api.get("/api/reports", user=net.user("health_admin")).json()["items"] == []


def test_off_without_a_shared_cache(net, api, settings):
    settings.LAPOR_PUBLIC_CACHE_SECONDS = 0
    report = _public(net)
    assert _listed(api) == [report.tracking_id]
    Report.objects.filter(pk=report.pk).update(is_confidential=True)  # even a change no event records
    assert _listed(api) == []


@pytest.mark.parametrize(
    "cache_url, asked, expected",
    [("", "30", "0"), ("redis://127.0.0.1:6379/14", "30", "30"), ("redis://127.0.0.1:6379/14", "", "5")],
)
def test_the_setting_is_off_without_a_shared_cache_whatever_is_asked(cache_url, asked, expected, tmp_path):
    """Per-process caches cannot forget a page in the other processes: no LAPOR_CACHE_URL, no cache."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in {"LAPOR_CACHE_URL", "LAPOR_PUBLIC_CACHE_SECONDS"}}
    env |= (
        {"LAPOR_DATA_DIR": str(tmp_path)}
        | ({"LAPOR_CACHE_URL": cache_url} if cache_url else {})
        | ({"LAPOR_PUBLIC_CACHE_SECONDS": asked} if asked else {})
    )
    out = subprocess.run(
        [sys.executable, "-c", "import lapor.settings as s; print(s.LAPOR_PUBLIC_CACHE_SECONDS)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out == expected
