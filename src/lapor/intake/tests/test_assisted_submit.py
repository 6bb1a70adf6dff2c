"""Counter / call centre / letter / rumah aspirasi: staff file for a citizen, with consent, audited."""

import pytest

from lapor.notifications.models import OutboxMessage
from lapor.reports.models import Report, ReportEvent


def data(**kw):
    base = {
        "channel": "call_centre",
        "consent": True,
        "title": "Banjir di perumahan",
        "body": "Air setinggi lutut sejak pagi.",
        "citizen_name": "Ibu Ani",
        "citizen_phone": "0813-1111-2222",
    }
    return {**base, **kw}


def test_staff_file_a_report_for_a_citizen_and_the_event_records_who(net, api):
    res = api.post("/api/intake/assisted", data(), user=net.user("liaison"))
    assert res.status_code == 201, res.content
    body = res.json()
    report = Report.objects.get(tracking_id=body["tracking_id"])
    assert report.channel == "call_centre" and report.guest_phone == "+6281311112222" and body["guest_secret"]
    event = ReportEvent.objects.get(report=report, kind="submitted")
    assert event.data["entered_by"] == net.user("liaison").pk and event.data["consent"] is True
    ack = OutboxMessage.objects.get(report=report, channel="sms")
    assert report.tracking_id in ack.payload["text"]


@pytest.mark.parametrize(
    "who,payload,status",
    [
        # the schema refuses the first two and the last (422), as the service would (issue 16)
        ("liaison", {"consent": False}, 422),
        ("liaison", {"channel": "web"}, 422),
        ("reporter", {}, 403),
        (None, {}, 401),
        ("liaison", {"citizen_phone": ""}, 422),
    ],
)
def test_refusals_change_nothing(net, api, who, payload, status):
    res = api.post("/api/intake/assisted", data(**payload), user=net.user(who) if who else None)
    assert res.status_code == status and res.json()["message"]
    assert not Report.objects.exists()
