"""A background export speaks the language its requester asked in (issue 20): the language is
stored with the job when it is created and its file's column names and labels, the XLSX sheet,
the monthly PDFs and the notification are written in it, whatever the account's own language.
The words are those of the export answered inside a request (one place: ``exports.rows_for``)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone, translation

from lapor.analytics import jobs
from lapor.analytics.models import Job
from lapor.analytics.pdf import month_report_content
from lapor.analytics.rollup import rollup_refresh
from lapor.notifications.models import OutboxMessage

Q = {"from": "2025-01", "to": "2025-12"}
HEADS = {
    "id": "tracking_id,diterima,jenis,status,kanal,topik,wilayah,kode_wilayah,instansi,judul,pelapor",
    "en": "tracking_id,received,type,status,channel,topic,region,region_code,agency,title,reporter",
}
OTHER = {"id": "en", "en": "id"}


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _signed_in(client, user, language: str):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_job_from_the_web_writes_the_words_of_the_page_it_was_asked_from(net, client, reports, language):
    user = net.user("city_admin")
    user.language = OTHER[language]  # the account says otherwise: the request's language wins
    user.save(update_fields=["language"])
    query = {"scope": f"a:{net.city.pk}", **Q, "dim": "received"}
    _signed_in(client, user, language)
    assert client.post("/analytics/ekspor", {**query, "format": "csv"}).status_code == 302
    job = Job.objects.get()
    assert job.params["language"] == language
    with translation.override(OTHER[language]):  # the worker's own language does not matter either
        assert jobs.job_run(job.pk) == "done"
    rows = _csv(b"".join(client.get(f"/analytics/ekspor/{job.pk}/unduh").streaming_content))
    assert ",".join(rows[0]).startswith(HEADS[language])
    # the same words, row for row, as the export answered inside a request in that language
    assert rows == _csv(client.get("/analytics/laporan", {**query, "format": "csv"}).content)
    states = {row[3] for row in rows[1:]}
    with translation.override(language):
        yes_no = {translation.gettext("ya"), translation.gettext("tidak")}
    assert {row[12] for row in rows[1:]} <= yes_no and len(states) > 1
    with translation.override(OTHER[language]):
        assert {row[12] for row in rows[1:]}.isdisjoint({translation.gettext("ya"), translation.gettext("tidak")})
    note = OutboxMessage.objects.get(channel="web", dedupe_key=f"job:{job.pk}:done:web")
    assert note.payload["title"].startswith({"id": "Selesai", "en": "Done"}[language]), note.payload


@pytest.mark.parametrize("language", ["id", "en"])
def test_an_api_job_keeps_the_request_language_for_its_xlsx(net, api, reports, language):
    user = net.user("platform")
    user.language = OTHER[language]
    user.save(update_fields=["language"])
    res = api.post("/api/analytics/exports", {"scope": "n", **Q, "format": "xlsx"}, user=user, lang=language)
    assert res.status_code == 202 and res.json()["params"]["language"] == language
    assert jobs.job_run(res.json()["id"]) == "done"
    file = api.get(f"/api/analytics/exports/{res.json()['id']}/file", user=user, lang=OTHER[language])
    with zipfile.ZipFile(io.BytesIO(b"".join(file.streaming_content))) as z:
        book, sheet = z.read("xl/workbook.xml").decode(), z.read("xl/worksheets/sheet1.xml").decode()
    assert f'name="{ {"id": "Laporan", "en": "Report"}[language] }"' in book
    first_row = sheet.split("</row>")[0]
    for word in HEADS[language].split(","):
        assert f">{word}<" in first_row, word
    for word in set(HEADS[OTHER[language]].split(",")) - set(HEADS[language].split(",")):
        assert f">{word}<" not in first_row, word


def test_a_job_created_without_a_request_is_in_the_active_language_and_indonesian_by_default(net, reports, settings):
    from lapor.analytics.services import job_create

    settings.LAPOR_JOBS_PER_USER = 10
    user = net.user("platform")
    with translation.override("en"):
        assert job_create(user=user, params={"scope": "n", **Q}).params["language"] == "en"
    assert job_create(user=user, params={"scope": "n", **Q}, language="en-GB").params["language"] == "en"
    assert job_create(user=user, params={"scope": "n", **Q}, language="fr").params["language"] == "id"
    translation.deactivate_all()
    try:
        assert job_create(user=user, params={"scope": "n", **Q}, language=None).params["language"] == "id"
    finally:
        translation.activate(settings.LANGUAGE_CODE)


def test_a_job_from_before_the_language_was_stored_uses_the_account_language(net):
    user = net.user("platform")
    user.language = "en"
    assert jobs.job_language(Job(requested_by=user, params={"scope": "n"})) == "en"
    user.language = ""
    assert jobs.job_language(Job(requested_by=user, params={"scope": "n"})) == "id"


def test_monthly_pdfs_asked_in_english_are_english(net, api, reports, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    with mock.patch.object(timezone, "now", return_value=dt.datetime(2025, 4, 30, 20, 30, tzinfo=dt.UTC)):
        rollup_refresh(full=True)
    user = net.user("city_admin")
    res = api.post("/api/analytics/exports", {"kind": "monthly_pdfs", "month": "2025-04"}, user=user, lang="en")
    job_id = res.json()["id"]
    assert jobs.job_run(job_id) == "done"
    file = api.get(f"/api/analytics/exports/{job_id}/file", user=user)
    with zipfile.ZipFile(io.BytesIO(b"".join(file.streaming_content))) as z:
        names = z.namelist()
        assert names and all(re.fullmatch(r"instansi-\d+-2025-04\.en\.pdf", n) for n in names), names
        assert all(z.read(n).startswith(b"%PDF") for n in names)
    # the Indonesian files (the scheduled ones, and anyone asking in Indonesian) are left as they were
    assert not list((tmp_path / "analytics" / "pdf").glob("instansi-*-2025-04.pdf"))
    with translation.override("en"):
        en = month_report_content(net.dept, dt.date(2025, 4, 1), today=dt.date(2025, 5, 1))
    id_ = month_report_content(net.dept, dt.date(2025, 4, 1), today=dt.date(2025, 5, 1))
    assert en["period"] == "Period: April 2025. Data as of 1 May 2025 at 03:30 WIB."
    assert id_["period"] == "Periode: April 2025. Data per 1 Mei 2025 pukul 03.30 WIB."
    assert en["summary"][0] == ["Measure", "Value"] and id_["summary"][0] == ["Ukuran", "Nilai"]
    assert en["title"].startswith("Monthly Complaints Report") and en["top_topics"][0][2] == "Last month"
    rates = [row[1] for row in en["summary"] if row[0] == "Completion rate"]
    assert rates and re.fullmatch(r"\d{1,3}\.\d%", rates[0]), rates


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_coded_column_is_a_label_in_the_files_language_and_so_is_its_name(net, api, reports, language):
    """No machine code in a file for people (``complaint``, ``web``): the type, status and channel as
    their labels, topics by their English name where one is set, every column named, and the file
    named in the reader's language (``reports-national-…`` / ``laporan-nasional-…``)."""
    from lapor.agencies.models import Topic
    from lapor.reports.models import Channel, ReportType

    Topic.objects.filter(pk=net.roads.pk).update(name_en="Roads and bridges")
    user = net.user("platform")
    res = api.post("/api/analytics/exports", {"scope": "n", **Q, "format": "csv"}, user=user, lang=language)
    assert jobs.job_run(res.json()["id"]) == "done"
    job = Job.objects.get(pk=res.json()["id"])
    word = {"id": "laporan-nasional", "en": "reports-national"}[language]
    assert job.file_name == f"{word}-2025-01-2025-12.csv"
    file = api.get(f"/api/analytics/exports/{job.pk}/file", user=user)
    assert f'filename="{word}-2025-01-2025-12.csv"' in file["Content-Disposition"]
    sync = api.get("/api/analytics/export", {"scope": "n", **Q, "format": "csv"}, user=user, lang=language)
    assert re.search(rf'filename="{word}-\d{{4}}-\d\d-\d\d\.csv"', sync["Content-Disposition"])
    for data in (b"".join(file.streaming_content), sync.content):
        head, *rows = _csv(data)
        assert head[-1] == {"id": "dukungan", "en": "supporters"}[language]
        with translation.override(language):
            types = {str(t.label) for t in ReportType}
            channels = {str(c.label) for c in Channel}
        assert rows and {r[2] for r in rows} <= types and {r[4] for r in rows} <= channels
        assert not {r[2] for r in rows} & set(ReportType.values) and not {r[4] for r in rows} & set(Channel.values)
        topics = {r[5] for r in rows}
        assert ({"id": "Jalan dan Jembatan", "en": "Roads and bridges"}[language]) in topics
        assert ({"id": "Roads and bridges", "en": "Jalan dan Jembatan"}[language]) not in topics
    public = api.get("/api/analytics/export", {"scope": "p", **Q, "format": "csv"}, user=user, lang=language)
    head, *rows = _csv(public.content)
    assert f'filename="{ {"id": "laporan-publik", "en": "reports-public"}[language] }-' in public["Content-Disposition"]
    with translation.override(language):
        assert rows and {r[2] for r in rows} <= {str(t.label) for t in ReportType}
    rollup_refresh(full=True)
    pdfs = api.post("/api/analytics/exports", {"kind": "monthly_pdfs", "month": "2025-04"}, user=user, lang=language)
    assert jobs.job_run(pdfs.json()["id"]) == "done"
    assert (
        Job.objects.get(pk=pdfs.json()["id"]).file_name
        == {"id": "laporan-bulanan", "en": "monthly-reports"}[language] + "-2025-04.zip"
    )
