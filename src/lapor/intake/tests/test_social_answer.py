"""Social media, the way back: follow-up, request for information and completion go back through
the network (a reply under the post, or a direct message), signed, retried through the outbox, and
shown on the report's timeline. The relay is a local fake that checks signatures and shapes."""

import json
from pathlib import Path

import pytest

from lapor.intake.models import SocialDraft
from lapor.intake.social_answer import _kind
from lapor.notifications.models import OutboxMessage
from lapor.notifications.services import outbox_flush
from lapor.reports.models import Report, ReportEvent
from lapor.reports.services import Actor, report_complete, report_follow_up, report_route

from .fake_social_relay import SECRET as RELAY_SECRET, social_relay
from .helpers import SECRET, signed_post

FIXTURES = Path(__file__).parent / "fixtures"
LONG_ANSWER = (
    "Petugas Bidang Bina Marga sudah meninjau lokasi pada Selasa pagi dan mengganti lampu yang rusak; "
    "bila masih padam hubungi 081234567890 (Pak Joko). "
) * 3


@pytest.fixture
def relay(settings):
    with social_relay() as fake:
        settings.LAPOR_SOCIAL_SECRET = SECRET
        settings.LAPOR_SOCIAL_REPLY_URLS = {"x": fake.url, "instagram": fake.url, "facebook": fake.url}
        settings.LAPOR_SOCIAL_REPLY_SECRET = RELAY_SECRET
        yield fake


def converted(client, api, net, fixture: str, network: str = "x", **fields) -> Report:
    assert signed_post(client, f"/intake/social/{network}", (FIXTURES / fixture).read_bytes()).status_code == 200
    draft = SocialDraft.objects.get()
    res = api.post(
        f"/api/intake/social/{draft.pk}/convert", {"title": "Lampu jalan mati", **fields}, user=net.user("platform")
    )
    assert res.status_code == 201, res.content
    report = Report.objects.get(tracking_id=res.json()["tracking_id"])
    report_route(report=report, actor=Actor(user=net.user("platform")), agency=net.dept)
    return Report.objects.get(pk=report.pk)


def answer(net, report: Report, body: str = LONG_ANSWER) -> Report:
    report_follow_up(report=report, actor=Actor(user=net.user("liaison")), body=body)
    outbox_flush()
    return Report.objects.get(pk=report.pk)


def test_follow_up_and_completion_go_back_as_signed_replies_under_the_post(net, client, api, relay):
    report = answer(net, converted(client, api, net, "x_mention.json"))
    ack, follow_up = relay.posted
    assert ack["event"] == "submitted" and follow_up["event"] == "follow_up"
    assert follow_up["mode"] == "reply" and follow_up["in_reply_to"] == "1800000000000000001"
    assert (
        report.tracking_id in follow_up["text"] and "Bina Marga" in follow_up["text"] and len(follow_up["text"]) <= 280
    )
    assert "081234567890" not in follow_up["text"]  # seen by everyone: personal data masked (lens_public)
    report_complete(report=report, actor=Actor(user=net.user("platform")))
    outbox_flush()
    assert relay.posted[-1]["event"] == "completed" and relay.posted[-1]["mode"] == "reply" and not relay.refused
    timeline = ReportEvent.objects.filter(report=report, action="social_answer").order_by("id")
    assert [e.data["event"] for e in timeline] == ["follow_up", "completed"] and all(e.is_public for e in timeline)
    assert "x" in timeline[0].reason and "warga_contoh" not in json.dumps(timeline[0].data)


def test_an_anonymous_report_from_a_public_post_is_answered_privately_in_full(net, client, api, relay):
    answer(net, converted(client, api, net, "x_mention.json", is_anonymous=True))
    follow_up = relay.posted[-1]
    assert follow_up["mode"] == "dm" and "081234567890" in follow_up["text"]  # the reporter's own view


def test_a_direct_message_is_answered_by_direct_message(net, client, api, relay):
    answer(net, converted(client, api, net, "x_dm.json"), body="Lampu sudah diganti.")
    assert relay.posted[-1]["mode"] == "dm" and "Lampu sudah diganti." in relay.posted[-1]["text"]


def test_a_network_without_private_messages_gets_only_a_notice_for_a_private_report(
    net, client, api, relay, monkeypatch
):
    monkeypatch.setitem(
        __import__("lapor.intake.social_answer", fromlist=["x"]).NETWORKS, "x", {"limit": 280, "dm": False}
    )
    report = answer(net, converted(client, api, net, "x_mention.json", is_confidential=True))
    notice = relay.posted[-1]
    assert notice["mode"] == "notice" and "tracking_id" not in notice and report.tracking_id not in notice["text"]
    assert "Bina Marga" not in notice["text"]


def test_a_relay_that_is_down_is_retried_then_dead_lettered(net, client, api, relay, settings):
    report = converted(client, api, net, "x_mention.json")
    outbox_flush()
    settings.LAPOR_OUTBOX_MAX_ATTEMPTS, settings.LAPOR_OUTBOX_BACKOFF_SECONDS = 2, 0
    relay.fail_next = [503, 503]
    answer(net, report)
    outbox_flush()
    msg = OutboxMessage.objects.get(channel="webhook", payload__event="follow_up")
    assert msg.status == "dead" and msg.attempts == 2 and len(relay.posted) == 1  # the acknowledgement only


def test_a_request_for_information_is_told_as_one(net):
    report = Report(channel="social", tracking_id="ABCD-EFGH")
    event = ReportEvent(report=report, kind="transition", action="follow_up", data={"information_requested": True})
    assert _kind(event) == "info_requested"
    event.data = {}
    assert _kind(event) == "follow_up"
    assert _kind(ReportEvent(report=Report(channel="web"), kind="transition", action="follow_up")) is None
