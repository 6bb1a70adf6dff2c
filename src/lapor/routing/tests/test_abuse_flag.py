"""Spam and abuse are flagged, never dropped; flagged reports wait for a person."""

import pytest

from lapor.reports import services as s
from lapor.routing.abuse import meaningless
from lapor.routing.models import ReportFlag


def submit(net, body, title="Laporan", user="reporter", **kw):
    report, _ = s.report_submit(submission=s.Submission(title=title, body=body, **kw), reporter=net.user(user))
    return report


def kinds(report):
    return set(ReportFlag.objects.filter(report=report).values_list("kind", flat=True))


@pytest.mark.parametrize("text", ["asdfghjkl", "aaaaaaaaaaaa tolong", "tes", "hhhhh kkkkk", "......"])
def test_meaningless_text(text):
    assert meaningless(text)


@pytest.mark.parametrize(
    "text", ["Jalan rusak di depan SD 03", "Air PDAM mati tiga hari", "Anjing liar menggigit anak di taman"]
)
def test_real_complaints_are_not_meaningless(text):
    assert not meaningless(text)


def test_abusive_language_is_flagged_and_not_auto_routed(net):
    report = submit(net, "Petugas goblok, jalan rusak tidak diperbaiki", topic_id=net.roads.pk, region_code="13.74.02")
    assert kinds(report) == {"abusive"}
    assert report.state == "submitted" and report.agency is None  # the rule would have routed it otherwise


def test_stray_dogs_are_not_abuse(net):
    report = submit(
        net, "Anjing liar berkeliaran dan menggigit anak di taman kota", topic_id=net.roads.pk, region_code="13.74.02"
    )
    assert kinds(report) == set() and report.state == "routed"


def test_repeated_identical_submissions_are_flagged(net):
    first = submit(net, "Saluran air tersumbat di depan rumah warga")
    second = submit(net, "Saluran  air tersumbat di depan rumah warga!")
    assert kinds(first) == set() and kinds(second) == {"repeated"}


def test_floods_from_one_sender_are_flagged(net, settings):
    settings.LAPOR_FLOOD_PER_HOUR = 3
    reports = [submit(net, f"Keluhan nomor {i} tentang pelayanan kantor kecamatan yang lambat") for i in range(4)]
    assert "flood" in kinds(reports[-1]) and "flood" not in kinds(reports[0])


def test_triage_queue_for_platform_admins(net, api):
    report = submit(net, "qwrtypsdfg")
    res = api.get("/api/routing/triage", user=net.user("platform"))
    assert [f["tracking_id"] for f in res.json()] == [report.tracking_id]
    assert api.get("/api/routing/triage", user=net.user("city_admin")).status_code == 403
    flag_id = res.json()[0]["id"]
    assert api.post(f"/api/routing/flags/{flag_id}/resolve", user=net.user("platform")).status_code == 200
    assert api.get("/api/routing/triage", user=net.user("platform")).json() == []
