"""The monthly PDF speaks Indonesian: the deployment's time zone (WIB), numbers written 1.234 and
45,6%; and a month that has not begun has no report (404)."""

import datetime as dt
import re
from unittest import mock

from django.utils import timezone

from lapor.analytics import pdf
from lapor.analytics.pdf import month_report_content, number_id
from lapor.analytics.rollup import rollup_refresh


def test_numbers_are_written_the_indonesian_way():
    assert number_id(1234567) == "1.234.567"
    assert number_id(12.5, 1) == "12,5"
    assert number_id(1234.25, 1) == "1.234,2" or number_id(1234.25, 1) == "1.234,3"
    assert number_id(None) == "-" and number_id(0) == "0" and number_id(3.0) == "3"
    assert pdf._pct(0.456) == "45,6%" and pdf._pct(None) == "-"


def test_the_report_states_its_data_time_in_wib_and_its_figures_in_indonesian(net, reports, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    # The roll-up ran at 20:30 UTC on 30 April 2025: 03.30 WIB on 1 May.
    with mock.patch.object(timezone, "now", return_value=dt.datetime(2025, 4, 30, 20, 30, tzinfo=dt.UTC)):
        rollup_refresh(full=True)
    content = month_report_content(net.dept, dt.date(2025, 4, 1), today=dt.date(2025, 5, 1))
    assert content["period"] == "Periode: April 2025. Data per 1 Mei 2025 pukul 03.30 WIB."
    cells = [cell for row in content["summary"][1:] for cell in row[1:]]
    rates = [row[1] for row in content["summary"] if row[0] in ("Tingkat penyelesaian", "Bukan wewenang")]
    assert rates and all(re.fullmatch(r"\d{1,3},\d%", r) for r in rates), rates
    durations = [row[1] for row in content["summary"] if row[0].startswith("Waktu verifikasi")]
    assert re.fullmatch(r"\d+,\d / \d+,\d", durations[0]), durations
    assert not any("UTC" in v for v in (content["period"], *cells))
    path = pdf.agency_month_pdf(net.dept, dt.date(2025, 4, 1))
    assert path.read_bytes().startswith(b"%PDF") and not list(path.parent.glob("*.part"))


def test_a_month_that_has_not_begun_is_not_found(net, api, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    today = timezone.now().astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    nxt = (today.replace(day=28) + dt.timedelta(days=5)).replace(day=1)
    res = api.get(f"/api/analytics/pdf/{net.dept.pk}/{nxt:%Y-%m}", user=net.user("dept_admin"))
    assert res.status_code == 404 and res.json()["code"] == "month_not_begun"
    assert not list(tmp_path.rglob("*.pdf"))
    res = api.post(
        "/api/analytics/exports", {"kind": "monthly_pdfs", "month": f"{nxt:%Y-%m}"}, user=net.user("platform")
    )
    assert res.status_code == 404 and res.json()["code"] == "month_not_begun"
    now_month = api.get(f"/api/analytics/pdf/{net.dept.pk}/{today:%Y-%m}", user=net.user("dept_admin"))
    assert now_month.status_code == 200
