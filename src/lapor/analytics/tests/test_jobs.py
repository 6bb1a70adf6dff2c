"""Issue 15: long work runs as a background job, never inside a request: 202 and a job id, progress,
the whole file in one short request for its requester only, a notification, and the file deleted
after the keep period. A small export inside the request is whole or refused, never cut."""

import csv
import datetime as dt
import io
import re
import threading
import zipfile

import pytest
from django.utils import timezone

from lapor.accounts.models import AuditLog, RoleAssignment
from lapor.analytics import jobs
from lapor.analytics.models import Job
from lapor.analytics.rollup import rollup_refresh
from lapor.analytics.selectors import drill_qs, period_parse
from lapor.notifications.models import OutboxMessage

Q = {"from": "2025-01", "to": "2025-12"}


def _start(api, user, **payload):
    res = api.post("/api/analytics/exports", {"scope": "n", **Q, **payload}, user=user)
    assert res.status_code == 202, res.content
    return res


def test_a_national_export_is_a_job_with_progress_and_a_whole_file_for_its_requester(net, api, reports, settings):
    platform = net.user("platform")
    res = _start(api, platform, format="csv")
    body = res.json()
    assert body["state"] == "queued" and res["Location"] == f"/api/analytics/exports/{body['id']}"
    assert body["file_url"] is None
    # nothing ran in the request: the job waits for a worker (here, this test acting as one)
    assert jobs.job_run(body["id"]) == "done"
    expected = drill_qs(platform, scope="n", period=period_parse("2025-01", "2025-12")).count()
    got = api.get(f"/api/analytics/exports/{body['id']}", user=platform).json()
    assert got["state"] == "done" and got["done"] == got["total"] == expected and got["percent"] == 100
    assert got["file_url"] == f"/api/analytics/exports/{body['id']}/file" and got["expires_at"]
    res = api.get(got["file_url"], user=platform)
    assert res.status_code == 200 and res["Content-Disposition"].startswith("attachment")
    data = b"".join(res.streaming_content)
    assert int(res["Content-Length"]) == len(data) == got["size"]
    text = data.decode("utf-8-sig")
    assert text.endswith("\r\n")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == expected and len({r["tracking_id"] for r in rows}) == expected
    assert (settings.DATA_DIR / "exports" / f"{body['id']}.csv").is_file()
    assert not list((settings.DATA_DIR / "exports").glob("*.part"))
    assert AuditLog.objects.filter(action="job_create", target_id=body["id"]).exists()
    assert AuditLog.objects.filter(action="job_download", target_id=body["id"]).exists()


def test_the_requester_is_notified_on_the_web_and_by_e_mail(net, api, reports):
    user = net.user("city_admin")
    job_id = _start(api, user, scope=f"a:{net.city.pk}").json()["id"]
    jobs.job_run(job_id)
    web = OutboxMessage.objects.get(channel="web", recipient=str(user.pk), dedupe_key=f"job:{job_id}:done:web")
    assert web.payload["url"] == f"/analytics/ekspor/{job_id}" and "Selesai" in web.payload["title"]
    mail = OutboxMessage.objects.get(channel="email", recipient=user.email)
    assert f"/analytics/ekspor/{job_id}" in mail.payload["body"]


def test_only_the_requester_and_platform_admins_see_a_job_and_its_file(net, api, reports):
    owner = net.user("city_admin")
    job_id = _start(api, owner, scope=f"a:{net.city.pk}", format="xlsx").json()["id"]
    jobs.job_run(job_id)
    for other in (net.user("dept_admin"), net.user("other_admin"), net.user("overseer"), net.user("reporter")):
        assert api.get(f"/api/analytics/exports/{job_id}", user=other).status_code in (403, 404)
        assert api.get(f"/api/analytics/exports/{job_id}/file", user=other).status_code in (403, 404)
        assert api.call("DELETE", f"/api/analytics/exports/{job_id}", user=other).status_code in (403, 404)
    res = api.get(f"/api/analytics/exports/{job_id}/file", user=net.user("platform"))
    assert res.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(res.streaming_content))) as z:
        assert z.read("xl/worksheets/sheet1.xml").count(b"<row ") == Job.objects.get(pk=job_id).total + 1
    RoleAssignment.objects.filter(user=owner).delete()  # roles withdrawn: the export is no longer theirs to take
    assert api.get(f"/api/analytics/exports/{job_id}/file", user=owner).status_code in (403, 404)
    assert api.get("/api/analytics/exports/not-a-uuid", user=net.user("platform")).status_code == 404


def test_a_job_is_refused_at_once_for_bad_input_and_out_of_scope(net, api):
    unit = net.user("unit_staff")
    assert api.post("/api/analytics/exports", {"scope": "n"}, user=unit).status_code == 403
    assert api.post("/api/analytics/exports", {"scope": f"a:{net.other_dept.pk}"}, user=unit).status_code == 403
    # the schema's enums and patterns: 422 (issue 16)
    res = api.post("/api/analytics/exports", {"scope": f"a:{net.unit.pk}", "format": "pdf"}, user=unit)
    assert res.status_code == 422 and res.json()["code"] == "validation_failed"
    assert api.post("/api/analytics/exports", {"scope": f"a:{net.unit.pk}", "dim": "x"}, user=unit).status_code == 422
    assert (
        api.post("/api/analytics/exports", {"scope": f"a:{net.unit.pk}", "from": "bad"}, user=unit).status_code == 422
    )
    assert api.post("/api/analytics/exports", {"kind": "opendata"}, user=unit).status_code == 403
    assert api.post("/api/analytics/exports", {"kind": "routing_train"}, user=net.user("city_admin")).status_code == 403
    assert api.post("/api/analytics/exports", {"kind": "nope"}, user=unit).status_code == 422
    assert (
        api.post("/api/analytics/exports", {"scope": f"a:{net.unit.pk}"}, user=net.user("reporter")).status_code == 403
    )
    assert not Job.objects.exists()


def test_one_person_runs_a_few_jobs_at_a_time(net, api, settings):
    settings.LAPOR_JOBS_PER_USER = 2
    unit = net.user("unit_staff")
    for _i in range(2):
        assert api.post("/api/analytics/exports", {"scope": f"a:{net.unit.pk}"}, user=unit).status_code == 202
    res = api.post("/api/analytics/exports", {"scope": f"a:{net.unit.pk}"}, user=unit)
    assert res.status_code == 409 and res.json()["code"] == "too_many_jobs"


def test_an_export_larger_than_allowed_fails_whole_never_cut(net, api, reports, settings):
    settings.LAPOR_EXPORT_MAX_ROWS = 5
    job_id = _start(api, net.user("platform")).json()["id"]
    assert jobs.job_run(job_id) == "failed"
    job = Job.objects.get(pk=job_id)
    assert "lebih dari batas 5" in job.error and not job.file_path
    assert not list((settings.DATA_DIR / "exports").glob("*"))
    assert api.get(f"/api/analytics/exports/{job_id}/file", user=net.user("platform")).status_code == 404
    assert OutboxMessage.objects.filter(dedupe_key=f"job:{job_id}:failed:web").exists()


def test_a_request_answers_a_small_export_whole_and_refuses_a_large_one(net, api, client, reports, settings):
    settings.LAPOR_EXPORT_SYNC_MAX_ROWS = 5
    platform = net.user("platform")
    res = api.get("/api/analytics/export", {**Q, "scope": "n", "format": "csv"}, user=platform)
    assert res.status_code == 400 and res.json()["code"] == "export_too_large"
    assert res.json()["detail"]["job"] == "/api/analytics/exports"
    client.force_login(platform)
    page = client.get("/analytics/laporan", {**Q, "scope": "n", "format": "csv"})
    html = page.content.decode()
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")
    assert 'action="/analytics/ekspor"' in html and 'value="csv"' in html and "lebih dari 5" in html
    res = api.get(
        "/api/analytics/export", {**Q, "scope": "n", "format": "csv", "dim": "rating", "key": "5"}, user=platform
    )
    if res.status_code == 200:  # at most 5 five-star ratings: whole, with its length
        assert int(res["Content-Length"]) == len(res.content)


def test_the_web_pages_start_a_job_show_progress_and_give_the_file(net, client, reports):
    client.force_login(net.user("city_admin"))
    res = client.post("/analytics/ekspor", {"scope": f"a:{net.city.pk}", **Q, "dim": "received", "format": "csv"})
    assert res.status_code == 302
    job = Job.objects.get()
    assert res["Location"] == f"/analytics/ekspor/{job.pk}"
    html = client.get(res["Location"]).content.decode()
    assert '<noscript><meta http-equiv="refresh"' in html and "<progress" in html and "Muat ulang" in html
    assert "<script>" not in html  # the page's script is a file (CSP)
    jobs.job_run(job.pk)
    html = client.get(res["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in html and f"/analytics/ekspor/{job.pk}/unduh" in html
    assert 'value="' in html and "100%" in html
    file = client.get(f"/analytics/ekspor/{job.pk}/unduh")
    job.refresh_from_db()
    rows = list(csv.DictReader(io.StringIO(b"".join(file.streaming_content).decode("utf-8-sig"))))
    assert file.status_code == 200 and len(rows) == job.total > 0
    # the scope and the period in words, dates as everywhere else ("7 Des 2026, 19:09")
    assert f'<span data-testid="job-scope">{net.city.name}</span>' in html
    assert '<span data-testid="job-period">Januari 2025–Desember 2025</span>' in html
    assert not re.search(r"[\s>]\d{2}-\d{2}-\d{4} ", html) and f"a:{net.city.pk}" not in html
    listing = client.get("/analytics/ekspor").content.decode()
    assert f"/analytics/ekspor/{job.pk}" in listing
    assert not re.search(r"[\s>]\d{2}-\d{2}-\d{4} ", listing)
    assert re.search(r"\d{1,2} (Jan|Feb|Mar|Apr|Mei|Jun|Jul|Agu|Sep|Okt|Nov|Des) \d{4}, \d{2}:\d{2}", listing)
    client.force_login(net.user("dept_admin"))
    assert client.get(f"/analytics/ekspor/{job.pk}").status_code == 404
    assert client.get(f"/analytics/ekspor/{job.pk}/unduh").status_code == 404


def test_cancelling_stops_a_running_job_at_its_next_progress_write(net, api, reports):
    platform = net.user("platform")
    job_id = _start(api, platform).json()["id"]
    now = timezone.now()
    Job.objects.filter(pk=job_id).update(state="running", attempts=1, started_at=now, heartbeat_at=now)
    progress = jobs.Progress(Job.objects.get(pk=job_id))
    progress.set_total(10)
    res = api.call("DELETE", f"/api/analytics/exports/{job_id}", user=platform)
    assert res.status_code == 200 and res.json()["state"] == "cancelled"
    with pytest.raises(jobs.JobCancelled):
        progress.add(1)
        progress.write()
    assert jobs.job_run(job_id) is None  # a cancelled job is not run
    assert AuditLog.objects.filter(action="job_cancel", target_id=job_id).exists()


def test_the_sweep_requeues_dead_runs_and_deletes_expired_files(net, api, reports, settings):
    platform = net.user("platform")
    done_id = _start(api, platform).json()["id"]
    jobs.job_run(done_id)
    path = settings.DATA_DIR / Job.objects.get(pk=done_id).file_path
    assert path.is_file()
    stale = timezone.now() - dt.timedelta(seconds=jobs.STALE_SECONDS + 5)
    dead = Job.objects.create(
        requested_by=platform, kind="reports", params={"scope": "n"}, state="running", attempts=1, heartbeat_at=stale
    )
    hopeless = Job.objects.create(
        requested_by=platform,
        kind="reports",
        params={"scope": "n"},
        state="running",
        attempts=jobs.MAX_ATTEMPTS,
        heartbeat_at=stale,
    )
    orphan = settings.DATA_DIR / "exports" / "0c1d2e3f-0000-4000-8000-000000000000.csv.part"
    orphan.write_text("half")
    old = (timezone.now() - dt.timedelta(days=settings.LAPOR_EXPORT_KEEP_DAYS + 1)).timestamp()
    import os

    os.utime(orphan, (old, old))
    out = jobs.jobs_sweep(now=timezone.now())
    assert out["requeued"] == 1 and out["failed"] == 1 and out["orphans"] == 1 and out["expired"] == 0
    assert Job.objects.get(pk=dead.pk).state == "queued" and Job.objects.get(pk=hopeless.pk).state == "failed"
    assert path.is_file() and not orphan.exists()
    later = timezone.now() + dt.timedelta(days=settings.LAPOR_EXPORT_KEEP_DAYS, minutes=1)
    assert jobs.jobs_sweep(now=later)["expired"] == 1
    assert not path.exists() and Job.objects.get(pk=done_id).state == "expired"
    assert api.get(f"/api/analytics/exports/{done_id}/file", user=platform).status_code == 404


def test_monthly_pdfs_of_the_agencies_in_scope_come_as_one_zip(net, api, reports):
    rollup_refresh(full=True)
    user = net.user("city_admin")
    job_id = api.post("/api/analytics/exports", {"kind": "monthly_pdfs", "month": "2025-04"}, user=user).json()["id"]
    assert jobs.job_run(job_id) == "done"
    job = Job.objects.get(pk=job_id)
    res = api.get(f"/api/analytics/exports/{job_id}/file", user=user)
    with zipfile.ZipFile(io.BytesIO(b"".join(res.streaming_content))) as z:
        names = z.namelist()
    assert names and len(names) == job.total and all(n.endswith("-2025-04.pdf") for n in names)
    assert (
        f"instansi-{net.other_dept.pk}-2025-04.pdf" not in names
        and f"instansi-{net.other_city.pk}-2025-04.pdf" not in names
    )


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_job_runs_on_a_thread_after_the_request(api, monkeypatch):
    """The embedded default: the request commits and answers; a job thread of the process runs it."""
    from lapor.accounts.testing import network_make

    net = network_make()
    from lapor.analytics.tests.conftest import reports_build

    reports_build(net, n=6)
    seen = {}
    real = jobs.RUNNERS[Job.Kind.REPORTS]

    def spy(job, progress):
        seen["thread"] = threading.current_thread().name
        return real(job, progress)

    monkeypatch.setitem(jobs.RUNNERS, Job.Kind.REPORTS, spy)
    res = api.post("/api/analytics/exports", {"scope": "n", **Q}, user=net.user("platform"))
    assert res.status_code == 202 and res.json()["state"] == "queued"
    assert jobs.jobs_wait(60)
    assert seen["thread"].startswith("lapor-job-")
    assert Job.objects.get(pk=res.json()["id"]).state == "done"
