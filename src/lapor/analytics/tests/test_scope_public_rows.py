"""Issue 14 item 3: the public scope (``p``) of analytics shows every staff member the whole
country's public reports, so its rows must be exactly the public projection (masked text, the
public first name or "Anonim", no contact, no address of an anonymous report); a staff member's own
scope shows rows as staff see them (an anonymous reporter hidden, the text masked)."""

import csv
import io

import pytest

from lapor.reports import services as sv
from lapor.reports.schemas import public_report_out

Q: dict = {}  # the default period: the last 12 months, this one included
ANON_BODY = "Pungli di loket, saya Budi Santoso NIK 1374021203850001 hp 081234567890."
NAMED_BODY = "Hubungi saya di 081298765432 atau budi@warga.example."
SECRET_ADDRESS = "Gang Kenanga 12 belakang masjid"


@pytest.fixture
def far_reports(net):
    """Two public reports far from the unit's scope (at Kota Padang): one named, one anonymous."""
    reporter = net.user("reporter")
    platform = sv.Actor(user=net.user("platform"))
    out = []
    for anonymous, body in ((False, NAMED_BODY), (True, ANON_BODY)):
        title = "Pungutan liar oleh petugas, lapor Budi Santoso" if anonymous else "Pungutan liar oleh petugas loket"
        sub = sv.Submission(
            title=title,
            body=body,
            region_code="13.71",
            address=SECRET_ADDRESS,
            latitude=-0.95,
            longitude=100.35,
            is_anonymous=anonymous,
        )
        report, _secret = sv.report_submit(submission=sub, reporter=reporter)
        if report.state == "submitted":
            report = sv.report_route(report=report, actor=platform, agency=net.other_dept)
        out.append(report)
    return out


def _leaks(text: str) -> list[str]:
    needles = [
        "Santoso",
        "budi@warga.example",
        "081234567890",
        "081298765432",
        "1374021203850001",
        "Kenanga",
        "-0.95",
        "100.35",
    ]
    return [n for n in needles if n in text]


def _csv_text(res) -> str:
    data = b"".join(res.streaming_content) if getattr(res, "streaming", False) else res.content
    return data.decode("utf-8-sig")


def test_unit_staff_scope_p_export_holds_only_the_public_projection(net, api, far_reports):
    unit_staff = net.user("unit_staff")
    res = api.get("/api/analytics/export", {**Q, "scope": "p", "format": "csv"}, user=unit_staff)
    assert res.status_code == 200
    text = _csv_text(res)
    assert _leaks(text) == []
    rows = {r["tracking_id"]: r for r in csv.DictReader(io.StringIO(text))}
    named, anon = (rows[r.tracking_id] for r in far_reports)
    assert named["pelapor"] == "Budi" and anon["pelapor"] == "Anonim"
    for report, row in zip(far_reports, (named, anon)):  # exactly what the public API shows
        public = public_report_out(report)
        assert (row["judul"], row["isi"], row["pelapor"]) == (public["title"], public["body"], public["reporter_name"])
    assert "Pungli di loket" in anon["isi"] and ANON_BODY != anon["isi"]  # the masked text, not the raw body
    assert "kontak_pelapor" not in named and "alamat" not in named


def test_unit_staff_scope_p_drill_down_is_the_public_projection(net, api, far_reports):
    res = api.get("/api/analytics/reports", {**Q, "scope": "p"}, user=net.user("unit_staff"))
    assert res.status_code == 200
    items = {i["tracking_id"]: i for i in res.json()["items"]}
    assert set(items) >= {r.tracking_id for r in far_reports}
    assert _leaks(res.content.decode()) == []
    named, anon = (items[r.tracking_id] for r in far_reports)
    assert named["reporter_name"] == "Budi" and anon["reporter_name"] == "Anonim"
    assert "reporter" not in named and "address" not in anon and "latitude" not in anon


def test_unit_staff_scope_p_page_and_its_csv_hold_no_personal_data(net, client, far_reports):
    client.force_login(net.user("unit_staff"))
    page = client.get("/analytics/laporan", {**Q, "scope": "p"})
    assert page.status_code == 200 and far_reports[0].tracking_id in page.content.decode()
    assert _leaks(page.content.decode()) == []
    res = client.get("/analytics/laporan", {**Q, "scope": "p", "format": "csv"})
    assert res.status_code == 200
    assert _leaks(_csv_text(res)) == [] and far_reports[1].tracking_id in _csv_text(res)


def test_own_scope_rows_hide_an_anonymous_reporter_even_from_the_platform(net, api, far_reports):
    """In the viewer's own scope, staff rows: an anonymous report's text masked and its reporter
    "Anonim" for everyone (the platform reveals a reporter only through the audited reveal)."""
    for user in (net.user("other_liaison"), net.user("platform")):
        scope = "n" if user == net.user("platform") else f"a:{net.other_dept.pk}"
        text = _csv_text(api.get("/api/analytics/export", {**Q, "scope": scope, "format": "csv"}, user=user))
        rows = {r["tracking_id"]: r for r in csv.DictReader(io.StringIO(text))}
        anon = rows[far_reports[1].tracking_id]
        assert anon["pelapor"] == "Anonim" and anon["kontak_pelapor"] == "" and "Santoso" not in anon["judul"]
        items = api.get("/api/analytics/reports", {**Q, "scope": scope}, user=user).json()["items"]
        shown = next(i for i in items if i["tracking_id"] == far_reports[1].tracking_id)
        assert "Santoso" not in shown["body"] and "081234567890" not in shown["body"]
