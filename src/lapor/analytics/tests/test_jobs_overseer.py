"""The overseer (read-only, accounts/readonly.py) may ask for an export or a monthly-PDF job: a copy of
what they may already read, in their scope. Every other write stays refused: cancelling a job, the
platform's jobs, and anything else."""

from __future__ import annotations

import csv
import io
import zipfile

from lapor.accounts.testing import signin_staff, totp_enrol
from lapor.analytics import jobs
from lapor.analytics.models import Job
from lapor.analytics.rollup import rollup_refresh
from lapor.analytics.selectors import drill_qs, period_parse

Q = {"from": "2025-01", "to": "2025-12"}


def test_an_overseer_gets_an_export_job_of_their_scope_by_api_and_by_the_page(net, api, client, reports):
    city_overseer = net.user("city_overseer")
    res = api.post("/api/analytics/exports", {"scope": f"a:{net.city.pk}", **Q, "format": "csv"}, user=city_overseer)
    assert res.status_code == 202, res.content
    job_id = res.json()["id"]
    assert jobs.job_run(job_id) == "done"
    data = b"".join(api.get(f"/api/analytics/exports/{job_id}/file", user=city_overseer).streaming_content)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    expected = drill_qs(city_overseer, scope=f"a:{net.city.pk}", period=period_parse(*Q.values())).count()
    assert expected and len(rows) == expected
    # outside their scope: refused by the service (not by the read-only gate)
    res = api.post("/api/analytics/exports", {"scope": f"a:{net.other_city.pk}", **Q}, user=city_overseer)
    assert res.status_code == 403 and res.json()["code"] != "read_only"
    # the report list's buttons (a page POST, signed in with the second step)
    totp_enrol(city_overseer)
    signin_staff(client, city_overseer)
    res = client.post("/analytics/ekspor", {"scope": f"a:{net.city.pk}", **Q, "format": "xlsx"})
    assert res.status_code == 302, res.content[:300]
    job = Job.objects.filter(requested_by=city_overseer, params__format="xlsx").get()
    assert res["Location"] == f"/analytics/ekspor/{job.pk}"
    page = client.get(res["Location"]).content.decode()
    assert "Batalkan" not in page  # cancelling stays a write the overseer may not do: no button for it


def test_an_overseer_gets_the_monthly_pdfs_of_the_agencies_they_oversee(net, api, reports):
    rollup_refresh(full=True)
    overseer = net.user("city_overseer")
    res = api.post("/api/analytics/exports", {"kind": "monthly_pdfs", "month": "2025-04"}, user=overseer)
    assert res.status_code == 202, res.content
    assert jobs.job_run(res.json()["id"]) == "done"
    data = b"".join(api.get(f"/api/analytics/exports/{res.json()['id']}/file", user=overseer).streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
    assert names and f"instansi-{net.other_city.pk}-2025-04.pdf" not in names


def test_every_other_write_of_jobs_stays_refused_to_the_overseer(net, api, client, reports):
    overseer = net.user("overseer")
    job_id = api.post("/api/analytics/exports", {"scope": "n", **Q}, user=overseer).json()["id"]
    res = api.call("DELETE", f"/api/analytics/exports/{job_id}", user=overseer)
    assert res.status_code == 403 and res.json()["code"] == "read_only"
    assert Job.objects.get(pk=job_id).state == "queued"
    for kind in ("opendata", "routing_train"):  # the platform's jobs
        res = api.post("/api/analytics/exports", {"kind": kind}, user=overseer)
        assert res.status_code == 403, kind
    assert not Job.objects.filter(requested_by=overseer).exclude(pk=job_id).exists()
    totp_enrol(overseer)
    signin_staff(client, overseer)
    res = client.post(f"/analytics/ekspor/{job_id}/batal")
    assert res.status_code == 403 and "Peran Pengawas hanya dapat melihat" in res.content.decode()
    assert client.post("/analytics/rencana-aksi", {"title": "x"}).status_code == 403
