"""Open data and public statistics: no confidential report, no identity, personal data masked."""

import csv
import gzip

from lapor.core.masking import text_mask
from lapor.analytics.opendata import opendata_build, opendata_path
from lapor.analytics.rollup import rollup_refresh
from lapor.reports import services as sv
from lapor.reports.models import Report


def test_masking_covers_nik_phone_and_email():
    text = "NIK saya 1371021203900001, hp 0812-3456-7890 atau +62 812 3456 7891, email budi.s@contoh.co.id"
    masked = text_mask(text)
    for secret in ("1371021203900001", "3456-7890", "812 3456 7891", "budi.s@contoh.co.id"):
        assert secret not in masked
    assert "[NIK disamarkan]" in masked and "[email disamarkan]" in masked and "[telepon disamarkan]" in masked
    assert text_mask("Jalan rusak sejak 2023, 15 lubang") == "Jalan rusak sejak 2023, 15 lubang"


def test_dataset_has_only_public_reports_masked_and_is_served_without_sign_in(net, api, reports, settings, tmp_path):
    settings.LAPOR_OPENDATA_DIR = tmp_path
    secret = sv.Submission(
        title="Pungli KTP 0812-3456-7890",
        body="NIK 1371021203900001 hubungi budi@warga.example",
        region_code="13.74.02",
    )
    report, _ = sv.report_submit(submission=secret, reporter=net.user("reporter"))
    sv.report_route(report=report, actor=sv.Actor(user=net.user("platform")), agency=net.dept)
    info = opendata_build()
    with gzip.open(opendata_path(), "rt", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    public = Report.objects.filter(is_confidential=False).exclude(state__in=["submitted", "archived"])
    assert info["rows"] == len(rows) == public.count()
    assert not {r["tracking_id"] for r in rows} & set(
        Report.objects.filter(is_confidential=True).values_list("tracking_id", flat=True)
    )
    blob = "".join(",".join(r.values()) for r in rows)
    assert (
        "Budi" not in blob
        and "1371021203900001" not in blob
        and "budi@warga.example" not in blob
        and "3456-7890" not in blob
    )
    res = api.get("/api/analytics/public/dataset.csv.gz")
    assert res.status_code == 200 and gzip.decompress(b"".join(res.streaming_content))


def test_public_stats_count_only_public_reports(net, api, reports):
    rollup_refresh(full=True)
    body = api.get("/api/analytics/public/stats", {"from": "2025-01", "to": "2025-12"}).json()
    public = Report.objects.filter(is_confidential=False).exclude(state__in=["submitted", "archived"])
    assert body["totals"]["received"] == public.count()
    assert "overdue_by_agency" not in body


def test_public_drill_down_page_lists_no_confidential_report(net, client, reports):
    rollup_refresh(full=True)
    res = client.get("/analytics/publik/laporan", {"from": "2025-01", "to": "2025-12"})
    assert res.status_code == 200
    html = res.content.decode()
    for r in Report.objects.filter(is_confidential=True):
        assert r.tracking_id not in html
