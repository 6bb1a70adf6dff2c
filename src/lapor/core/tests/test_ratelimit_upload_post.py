"""Attachment uploads are rate-limited per source address and per account (web and API), with a
429 in the user's language."""

import io

import pytest

from lapor.accounts.testing import submission_data, token_make
from lapor.reports.models import Attachment
from lapor.web.tests.helpers import png_bytes


@pytest.fixture
def tight(settings):
    settings.LAPOR_RATES = {"upload": "2/600"}
    return settings


def _file(name="foto.png"):
    f = io.BytesIO(png_bytes())
    f.name = name
    return f


def _guest_report(api):
    res = api.post("/api/reports", submission_data(guest_email="warga@example.com"))
    return res.json()["tracking_id"], res.json()["guest_secret"]


def _upload(client, tid, *, secret=None, token=None, addr="127.0.0.1", lang="id"):
    headers = {"REMOTE_ADDR": addr, "HTTP_ACCEPT_LANGUAGE": lang}
    if secret:
        headers["HTTP_X_REPORT_SECRET"] = secret
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.post(f"/api/reports/{tid}/attachments", {"file": _file()}, **headers)


def test_api_uploads_past_the_limit_are_a_429_in_the_users_language(net, api, client, tight):
    tid, secret = _guest_report(api)
    for _ in range(2):
        assert _upload(client, tid, secret=secret).status_code == 201
    res = _upload(client, tid, secret=secret, lang="en")
    assert res.status_code == 429 and res.json()["code"] == "rate_limited"
    assert "Too many requests" in res.json()["message"] and int(res["Retry-After"]) > 0
    assert Attachment.objects.count() == 2  # nothing stored past the limit


def test_one_account_from_many_addresses_is_limited_too(net, api, client, tight):
    from lapor.reports import services

    reporter = net.user("reporter")
    report, _secret = services.report_submit(
        submission=services.Submission(
            **{k: v for k, v in submission_data().items() if k in ("title", "body", "type")}
        ),
        reporter=reporter,
    )
    token = token_make(reporter)
    assert _upload(client, report.tracking_id, token=token, addr="10.0.0.1").status_code == 201
    assert _upload(client, report.tracking_id, token=token, addr="10.0.0.2").status_code == 201
    assert _upload(client, report.tracking_id, token=token, addr="10.0.0.3").status_code == 429


def test_web_form_files_count_and_the_page_says_so(net, client, tight):
    data = {
        "type": "complaint",
        "title": "Jalan berlubang di depan pasar",
        "body": "Lubang besar membahayakan pengendara motor.",
        "guest_email": "warga@example.com",
    }
    assert client.post("/lapor/", {**data, "attachments": [_file("a.png"), _file("b.png")]}).status_code == 302
    res = client.post("/lapor/", {**data, "attachments": [_file("c.png")]})
    assert res.status_code == 429 and "Terlalu banyak permintaan" in res.content.decode()
    assert Attachment.objects.count() == 2
    # A report without files is not an upload.
    assert client.post("/lapor/", data).status_code == 302


def test_staff_follow_up_files_count_per_account(net, client, tight):
    from lapor.accounts.testing import signin_staff
    from lapor.reports import services

    report, _secret = services.report_submit(
        submission=services.Submission(
            title="Jalan berlubang di depan pasar",
            body="Lubang besar membahayakan pengendara motor.",
            target_agency_id=net.dept.pk,
        ),
        reporter=net.user("reporter"),
    )
    services.report_route(report=report, actor=services.Actor(user=net.user("platform")), agency=net.dept)
    signin_staff(client, net.user("dept_admin"))
    url = f"/petugas/laporan/{report.tracking_id}/follow_up/"
    client.post(
        url,
        {
            "follow_up-body": "Sudah kami tinjau.",
            "follow_up-attachments": [_file("a.png"), _file("b.png")],
            "send_anyway": "1",
        },
        REMOTE_ADDR="10.0.0.1",
    )
    stored = Attachment.objects.count()
    assert stored == 2
    res = client.post(
        url,
        {"follow_up-body": "Foto tambahan.", "follow_up-attachments": [_file("c.png")], "send_anyway": "1"},
        REMOTE_ADDR="10.0.0.2",
    )  # another address, the same account
    assert res.status_code == 429 and "Terlalu banyak permintaan" in res.content.decode()
    assert Attachment.objects.count() == stored
