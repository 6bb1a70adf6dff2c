"""The export job's page in a real browser: started from the report list, the progress bar moves and
the download link appears by itself, with JavaScript (polling the API) and without it (the page
reloads itself). Live server, transactional database, Debian's chromium; the job runs on the
server process's job thread, as in the embedded default."""

from __future__ import annotations

import csv
import io
import re
import time

import pytest

from lapor.analytics.models import Job
from lapor.web.tests.browser import DESKTOP, browser, sign_in  # noqa: F401  (browser is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def tnet(transactional_db):
    from lapor.analytics.tests.conftest import reports_build
    from lapor.accounts import testing

    net = testing.network_make()
    reports_build(net, n=12)
    return net


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_export_job_page_shows_progress_then_the_file(browser, live_server, tnet, javascript, monkeypatch):
    from lapor.analytics import jobs

    real = jobs.RUNNERS[Job.Kind.REPORTS]

    def slow(job, progress):  # long enough for the page to be seen before the file exists
        time.sleep(4)
        return real(job, progress)

    monkeypatch.setitem(jobs.RUNNERS, Job.Kind.REPORTS, slow)
    base = live_server.url
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=javascript, accept_downloads=True)
    page = context.new_page()
    sign_in(page, base, tnet.user("platform").email)
    page.goto(f"{base}/analytics/laporan?scope=n&from=2025-01&to=2025-12")
    page.click("form.export button[value=csv]")
    page.wait_for_url(re.compile(r"/analytics/ekspor/[0-9a-f-]{36}$"))
    assert page.locator("progress#job-bar").count() == 1 and page.locator("#job-file").count() == 0
    link = page.wait_for_selector("#job-file", timeout=60_000)  # no click on "reload": the page gets there itself
    job = Job.objects.get()
    assert job.state == "done" and job.total > 0
    assert page.get_attribute("progress#job-bar", "value") == str(job.total)
    with page.expect_download() as info:
        link.click()
    text = open(info.value.path(), encoding="utf-8-sig").read()
    assert len(list(csv.DictReader(io.StringIO(text)))) == job.total
    context.close()
