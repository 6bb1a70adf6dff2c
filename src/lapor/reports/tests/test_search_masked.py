"""Search only matches the text its viewers may see (issue 14, item 6): a query for an anonymous
reporter's name, NIK, phone or e-mail never finds the report, in the public index (API and page),
the staff inbox or the staff API, for any viewer. Platform operators search the same masked text
(one index); they reach the identity through the audited reveal. A word of the report still finds it."""

from __future__ import annotations

import pytest

from lapor.accounts.testing import submission_data
from lapor.reports import services as s
from lapor.reports.models import Report
from lapor.reports.schemas import public_text
from lapor.reports.searchtext import report_search_text

NAME = "Zubaidah Kartawinata"
NIK = "3174012345678901"
PHONES = ("081234567890", "+6281234567891", "6281234567892")
EMAIL = "zubaidah.kw@contoh.example"
WORD = "trotoar"
QUERIES = ("Zubaidah", "Kartawinata", NAME, NIK, "3174 0123 4567 8901", *PHONES, EMAIL)
STAFF = ("dept_admin", "liaison", "city_admin", "overseer", "platform")


def _anonymous_report(net, api) -> Report:
    body = (
        f"Trotoar di depan pasar rusak dan ada pungli parkir. Saya {NAME}, NIK {NIK}, "
        f"HP {PHONES[0]}, WA {PHONES[1]}, kantor {PHONES[2]}, e-mail {EMAIL}."
    )
    res = api.post(
        "/api/reports",
        submission_data(
            title=f"Trotoar rusak, lapor oleh {NAME}", body=body, is_anonymous=True, guest_name=NAME, guest_email=EMAIL
        ),
    )
    assert res.status_code == 201, res.content
    report = Report.objects.get(tracking_id=res.json()["tracking_id"])
    s.report_route(report=report, actor=s.Actor(user=net.user("platform")), agency=net.dept)  # public from now on
    return report


def _public_api(api, q: str) -> list[str]:
    return [r["tracking_id"] for r in api.get("/api/public/reports", {"q": q}).json()["items"]]


def _staff_api(api, user, q: str) -> list[str]:
    res = api.get("/api/reports", {"q": q}, user=user)
    assert res.status_code == 200, res.content
    return [r["tracking_id"] for r in res.json()["items"]]


def _page(client, path: str, q: str, tid: str) -> bool:
    res = client.get(path, {"q": q})
    assert res.status_code == 200
    return tid in res.content.decode()


@pytest.mark.django_db(transaction=False)
def test_no_viewer_finds_an_anonymous_report_by_its_reporters_identity(net, api, client):
    report = _anonymous_report(net, api)
    tid = report.tracking_id
    # A word of the report finds it everywhere (so the empty answers below are not an empty index).
    assert _public_api(api, WORD) == [tid]
    assert _page(client, "/laporan/", WORD, tid)
    for key in STAFF:
        assert _staff_api(api, net.user(key), WORD) == [tid], key
    client.force_login(net.user("dept_admin"))
    assert _page(client, "/petugas/", WORD, tid)

    for q in QUERIES:
        assert _public_api(api, q) == [], q
        client.logout()
        assert not _page(client, "/laporan/", q, tid), q
        for key in STAFF:
            assert _staff_api(api, net.user(key), q) == [], (key, q)
        for key in ("dept_admin", "liaison", "platform"):
            client.force_login(net.user(key))
            assert not _page(client, "/petugas/", q, tid), (key, q)
            assert not _page(client, "/petugas/?tab=agency", q, tid), (key, q)


def test_search_text_is_the_public_text(net, api):
    report = _anonymous_report(net, api)
    report.refresh_from_db()
    assert report.search_text == f"{public_text(report, report.title)}\n{public_text(report, report.body)}"
    assert report_search_text(report) == report.search_text
    for canary in (NAME.split()[0], NIK, *PHONES, EMAIL):
        assert canary not in report.search_text


def test_turning_anonymity_on_masks_the_name_in_search_at_once(net, api):
    reporter = net.user("reporter")  # Budi Santoso
    res = api.post(
        "/api/reports",
        submission_data(title="Trotoar rusak di depan rumah Budi Santoso", body="Trotoar rusak sejak sebulan."),
        user=reporter,
    )
    report = Report.objects.get(tracking_id=res.json()["tracking_id"])
    s.report_route(report=report, actor=s.Actor(user=net.user("platform")), agency=net.dept)
    assert _staff_api(api, net.user("dept_admin"), "Santoso") == [report.tracking_id]  # named: the name is visible

    s.report_privacy_set(
        report=report, actor=s.Actor(user=reporter, is_reporter=True), is_anonymous=True, is_confidential=False
    )
    assert _staff_api(api, net.user("dept_admin"), "Santoso") == []
    assert _public_api(api, "Santoso") == []
    assert _public_api(api, WORD) == [report.tracking_id]


def test_a_registered_reporters_new_name_is_masked_in_their_anonymous_reports(net, api):
    reporter = net.user("reporter")
    res = api.post(
        "/api/reports",
        submission_data(title="Trotoar rusak", body="Trotoar rusak, kata Wiryawan tetangga.", is_anonymous=True),
        user=reporter,
    )
    tid = res.json()["tracking_id"]
    s.report_route(
        report=Report.objects.get(tracking_id=tid), actor=s.Actor(user=net.user("platform")), agency=net.dept
    )
    assert _public_api(api, "Wiryawan") == [tid]
    reporter.full_name = "Budi Wiryawan"
    reporter.save()
    assert _public_api(api, "Wiryawan") == []


def test_the_duplicate_finder_scores_other_reports_by_their_masked_text(net, api):
    from lapor.routing.selectors import duplicates_find

    report = _anonymous_report(net, api)
    found = duplicates_find(
        qs=Report.objects.all(), title=f"{NAME} {NAME}", body=f"{NAME} {EMAIL} {NIK}", region_code=None, threshold=0.0
    )
    assert [score for r, score in found if r.pk == report.pk] in ([], [0.0])


def test_the_backfill_fills_reports_written_without_search_text(net, api):
    from lapor.reports.searchtext import search_text_fill

    report = _anonymous_report(net, api)
    Report.objects.filter(pk=report.pk).update(search_text="")
    assert _public_api(api, WORD) == []  # never found by the raw text meanwhile
    assert search_text_fill() == 1
    assert _public_api(api, WORD) == [report.tracking_id]
    assert _public_api(api, "Zubaidah") == []


def test_the_command_recomputes_every_report(net, api):
    from io import StringIO

    from django.core.management import call_command

    report = _anonymous_report(net, api)
    Report.objects.filter(pk=report.pk).update(search_text=f"stale {NAME}")
    assert _public_api(api, "Zubaidah") == [report.tracking_id]
    out = StringIO()
    call_command("reports_search_text", "--all", stdout=out)
    assert "1 laporan" in out.getvalue()
    assert _public_api(api, "Zubaidah") == []
    assert _public_api(api, WORD) == [report.tracking_id]
