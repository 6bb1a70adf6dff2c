"""A lost private link is sent again to the contact on file; the page answers the same either way."""

import pytest

from lapor.accounts.testing import submission_data
from lapor.notifications.links import report_link_resend
from lapor.notifications.models import OutboxMessage
from lapor.reports.models import Report
from lapor.reports.services import guest_secret_matches, report_access_token


def _resent():
    return list(OutboxMessage.objects.filter(dedupe_key__startswith="resend:").order_by("id"))


def test_the_link_goes_to_the_contact_on_file_and_the_page_says_the_same_either_way(net, api, client):
    tid = api.post("/api/reports", submission_data(guest_email="warga@example.com")).json()["tracking_id"]
    wrong = client.post("/lacak/kirim-ulang/", {"tracking_id": tid, "contact": "orang@lain.example"})
    unknown = client.post("/lacak/kirim-ulang/", {"tracking_id": "ZZZZ-9999", "contact": "warga@example.com"})
    right = client.post(
        "/lacak/kirim-ulang/", {"tracking_id": tid.lower().replace("-", ""), "contact": "Warga@Example.com"}
    )
    assert wrong.status_code == unknown.status_code == right.status_code == 200
    said = [r.content.decode().replace(tid, "").replace("ZZZZ-9999", "") for r in (wrong, unknown, right)]
    before_token = {page.split("csrfmiddlewaretoken")[0] for page in said}
    assert len(before_token) == 1 and "cocok" in said[0]
    sent = _resent()
    assert [m.recipient for m in sent] == ["warga@example.com"]
    report = Report.objects.get(tracking_id=tid)
    assert f"/lacak/{tid}/k/{report_access_token(report)}/" in sent[0].payload["body"]
    assert guest_secret_matches(report, report_access_token(report))
    token = report_access_token(report)
    altered = token[:-1] + ("y" if token.endswith("x") else "x")  # a token may itself end in "x"
    assert not guest_secret_matches(report, altered)


def test_a_phone_on_file_gets_the_short_link_by_sms_at_most_three_times_a_day(net, api):
    tid = api.post("/api/reports", submission_data(guest_phone="0812 1111 2222")).json()["tracking_id"]
    assert [report_link_resend(tracking_id=tid, contact="+62 812-1111-2222") for _i in range(4)] == [True] * 3 + [False]
    texts = [m.payload["text"] for m in _resent()]
    assert len(texts) == 3 and all(f"/k/{tid}/" in t for t in texts)


@pytest.mark.parametrize(
    "form",
    [
        {"tracking_id": "", "contact": "a@b.c"},
        {"tracking_id": "ABCD-1234", "contact": ""},
        {"tracking_id": "\\x00", "contact": "x"},
    ],
)
def test_a_malformed_request_is_a_clear_400(net, client, form):
    res = client.post("/lacak/kirim-ulang/", form)
    assert res.status_code == 400 and not _resent()


def test_the_resend_form_is_rate_limited_per_address(net, client, settings):
    settings.LAPOR_RATES = {"resend": "2/3600"}
    form = {"tracking_id": "ABCD-1234", "contact": "a@b.example"}
    codes = [client.post("/lacak/kirim-ulang/", form).status_code for _i in range(3)]
    assert codes == [200, 200, 429]
    assert client.get("/lacak/kirim-ulang/").status_code == 200  # reading the form is not counted
