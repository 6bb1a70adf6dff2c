"""Social media, the citizen's side: the author's reply or DM on the thread of their report is their
reply or rating, acknowledged through the relay; anyone else, and a new mention, go to triage."""

import pytest

from lapor.intake import social_answer
from lapor.intake.models import SocialDraft
from lapor.notifications.services import outbox_flush
from lapor.reports.models import Report
from lapor.reports.services import Actor, report_follow_up, report_route

from .fake_social_relay import SECRET as RELAY_SECRET, social_relay
from .helpers import SECRET, signed_json


@pytest.fixture
def relay(settings):
    with social_relay() as fake:
        settings.LAPOR_SOCIAL_SECRET = SECRET
        settings.LAPOR_SOCIAL_REPLY_URLS = {"x": fake.url}
        settings.LAPOR_SOCIAL_REPLY_SECRET = RELAY_SECRET
        yield fake


def tweet(client, post_id, text, *, reply_to="", handle="warga_contoh") -> dict:
    event = {"id_str": post_id, "text": text, "user": {"id_str": "42", "screen_name": handle}}
    if reply_to:
        event["in_reply_to_status_id_str"] = reply_to
    res = signed_json(client, "/intake/social/x", {"tweet_create_events": [event]})
    assert res.status_code == 200, res.content
    outbox_flush()
    return res.json()


def dm(client, dm_id, text, *, sender="43", handle="pengirim_dm") -> dict:
    payload = {
        "direct_message_events": [
            {
                "type": "message_create",
                "id": dm_id,
                "message_create": {"sender_id": sender, "message_data": {"text": text}},
            }
        ],
        "users": {sender: {"screen_name": handle}},
    }
    res = signed_json(client, "/intake/social/x", payload)
    assert res.status_code == 200, res.content
    outbox_flush()
    return res.json()


def followed_up(api, net, draft_pk, **fields) -> Report:
    res = api.post(
        f"/api/intake/social/{draft_pk}/convert", {"title": "Lampu mati", **fields}, user=net.user("platform")
    )
    assert res.status_code == 201, res.content
    report = Report.objects.get(tracking_id=res.json()["tracking_id"])
    if report.state == "submitted":
        report_route(report=report, actor=Actor(user=net.user("platform")), agency=net.dept)
    report_follow_up(report=report, actor=Actor(user=net.user("liaison")), body="Lampu sudah diganti.")
    outbox_flush()
    return Report.objects.get(pk=report.pk)


def test_a_direct_message_not_satisfied_reopens_the_report_and_is_answered_privately(net, client, api, relay):
    dm(client, "dm-1", "Lampu di gang kami mati")
    report = followed_up(api, net, SocialDraft.objects.get().pk)
    out = dm(client, "dm-2", "TIDAK PUAS yang di ujung gang masih mati")
    assert out["replies"] == [{"status": "ok", "action": "rate"}] and out["drafts"] == []
    report.refresh_from_db()
    assert (report.state, report.rating, report.reopen_count) == ("in_progress", 1, 1)
    assert report.rating_comment == "yang di ujung gang masih mati"
    ack = relay.posted[-1]
    assert (ack["event"], ack["mode"], ack["handle"]) == ("reopened", "dm", "pengirim_dm")
    assert "dibuka kembali" in ack["text"]


def test_a_reply_after_the_rating_is_refused_with_the_link_and_files_nothing(net, client, api, relay):
    tweet(client, "1", "@LAPOR1708 lampu mati")
    report = followed_up(api, net, SocialDraft.objects.get().pk)
    assert tweet(client, "2", "@LAPOR1708 5", reply_to="1")["replies"] == [{"status": "ok", "action": "rate"}]
    out = tweet(client, "3", "@LAPOR1708 terima kasih banyak", reply_to="1")
    assert out["replies"] == [{"status": "rejected", "action": "reply", "reason": "closed"}] and out["drafts"] == []
    assert relay.posted[-1]["event"] == "refused" and report.tracking_id in relay.posted[-1]["text"]
    assert Report.objects.get(pk=report.pk).rating == 5 and SocialDraft.objects.count() == 1


def test_a_new_mention_of_the_author_is_a_new_story_for_triage(net, client, api, relay):
    tweet(client, "1", "@LAPOR1708 lampu mati")
    followed_up(api, net, SocialDraft.objects.get().pk)
    out = tweet(client, "5", "@LAPOR1708 4 ekor sapi lepas di jalan raya")  # no reply: a mention
    assert out["replies"] == [] and len(out["drafts"]) == 1


def test_a_private_report_on_a_public_thread_is_acknowledged_without_its_number(net, client, api, relay, monkeypatch):
    monkeypatch.setitem(social_answer.NETWORKS, "x", {"limit": 280, "dm": False})
    tweet(client, "1", "@LAPOR1708 pungli di kantor kelurahan")
    report = followed_up(api, net, SocialDraft.objects.get().pk, is_confidential=True)
    tweet(client, "2", "@LAPOR1708 kejadiannya hari Senin", reply_to="1")
    ack = relay.posted[-1]
    assert ack["mode"] == "notice" and ack["event"] == "reply_received"
    assert "tracking_id" not in ack and report.tracking_id not in ack["text"]
    assert Report.objects.get(pk=report.pk).state == "in_progress"
