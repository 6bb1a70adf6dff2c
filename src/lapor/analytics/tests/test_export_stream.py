"""Small CSV/XLSX exports are answered whole (with their length), and carry personal data exactly as
the viewer may see it."""

import csv
import io
import zipfile

from lapor.reports.models import Report

Q = {"from": "2025-01", "to": "2025-12"}


def _csv(res) -> list[dict]:
    assert not res.streaming and int(res["Content-Length"]) == len(res.content)
    text = res.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_export_hides_anonymous_reporters_from_agency_staff_but_names_others(net, api, reports):
    res = api.get(
        "/api/analytics/export", {**Q, "scope": f"a:{net.city.pk}", "format": "csv"}, user=net.user("city_admin")
    )
    assert res.status_code == 200 and res["Content-Disposition"].startswith("attachment")
    rows = _csv(res)
    assert len(rows) == Report.objects.filter(agency__path__startswith=net.city.path).count()
    anon = [r for r in rows if r["anonim"] == "ya"]
    named = [r for r in rows if r["anonim"] == "tidak"]
    assert anon and all(r["pelapor"] == "Anonim" and r["kontak_pelapor"] == "" for r in anon)
    assert named and all(r["pelapor"] == "Budi Santoso" for r in named)
    assert "budi@warga.example" not in "".join(r["kontak_pelapor"] for r in anon)


def test_xlsx_export_is_a_valid_workbook_with_one_row_per_report(net, api, reports):
    res = api.get("/api/analytics/export", {**Q, "scope": "n", "format": "xlsx"}, user=net.user("platform"))
    assert res.status_code == 200
    data = res.content
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<row ") == Report.objects.count() + 1


def test_unknown_export_format_is_refused(net, api):
    # the schema names the formats (csv, xlsx): anything else is its 422
    assert api.get("/api/analytics/export", {"format": "pdf"}, user=net.user("platform")).status_code == 422


def test_export_queries_do_not_grow_with_rows(net, reports, django_assert_max_num_queries):
    """Rows are read in keyset batches, one query each, and every field a row shows is in that query:
    a projection reading a field left out (``exports._FIELDS``) would cost a query per row."""
    from lapor.analytics.exports import reports_iter, rows_for
    from lapor.analytics.selectors import drill_qs, period_parse

    platform = net.user("platform")
    for scope in ("n", "p"):
        qs = drill_qs(platform, scope=scope, period=period_parse("2025-01", "2025-12"))
        n = qs.count()
        batches = []
        with django_assert_max_num_queries(n // 7 + 2):
            header, rows = rows_for(scope, reports_iter(qs, scope=scope, chunk=7, on_batch=batches.append), platform)
            got = list(rows)
        assert (
            len(got) == n == sum(batches) and len({r[0] for r in got}) == n and all(len(r) == len(header) for r in got)
        )


def test_a_guest_without_a_name_is_a_dash_and_formulas_stay_escaped(net, api):
    from lapor.reports import services as sv

    platform = sv.Actor(user=net.user("platform"))
    for title, name in (("Lampu jalan mati", ""), ('=HYPERLINK("http://x")', "-Budi")):
        report, _secret = sv.report_submit(
            submission=sv.Submission(
                title=title,
                body="Lampu jalan di gang mati sejak seminggu.",
                guest_email="tamu@warga.example",
                guest_name=name,
            )
        )
        sv.report_route(report=report, actor=platform, agency=net.dept)
    month = Report.objects.first().submitted_at.strftime("%Y-%m")
    res = api.get(
        "/api/analytics/export", {"from": month, "to": month, "scope": "n", "format": "csv"}, user=net.user("platform")
    )
    rows = {r["judul"]: r for r in _csv(res)}
    assert rows["Lampu jalan mati"]["pelapor"] == "-"
    assert rows['\'=HYPERLINK("http://x")']["pelapor"] == "'-Budi"
