"""A partner's first webhooks name the partner's own reference, and the partner relays the
citizen's reply and rating back into the report."""

import json

from lapor.partners.models import PartnerReport
from lapor.reports import services
from lapor.reports.models import Message, Report, ReportEvent
from lapor.reports.services import Actor

from .test_partner_reports_submit import ROAD, URL, partner_make, post


def call(client, token, path, data):
    return client.post(
        f"{URL}/{path}", json.dumps(data), content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )


def test_the_first_webhooks_carry_the_partners_reference(net, client, transport, django_capture_on_commit_callbacks):
    _partner, token = partner_make()
    with django_capture_on_commit_callbacks(execute=True):
        res = post(client, token, {**ROAD, "topic_id": net.roads.pk})  # routed on arrival by the routing rule
    assert res.status_code == 201 and res.json()["agency"] == net.dept.name
    payloads = transport.payloads("partner.test")
    assert [(p["kind"], p["action"]) for p in payloads] == [("submitted", ""), ("transition", "route")]
    assert all(p["external_ref"] == "SAMBAT-42" for p in payloads), payloads


def test_another_partners_submission_does_not_lend_its_reference(
    net, client, transport, django_capture_on_commit_callbacks
):
    _partner, token = partner_make()
    with django_capture_on_commit_callbacks(execute=True):
        post(client, token, {**ROAD, "external_ref": ""})
    assert [p["external_ref"] for p in transport.payloads("partner.test")] == [""]


def followed_up(net, client, token, **data) -> Report:
    tid = post(client, token, {**ROAD, "topic_id": net.roads.pk, **data}).json()["tracking_id"]
    report = Report.objects.get(tracking_id=tid)
    services.report_follow_up(report=report, actor=Actor(user=net.user("liaison")), body="Lubang sudah ditambal.")
    report.refresh_from_db()
    assert report.state == "followed_up"
    return report


def test_the_citizens_reply_goes_back_to_the_agency_once(net, client, transport, django_capture_on_commit_callbacks):
    partner, token = partner_make()
    report = followed_up(net, client, token)
    with django_capture_on_commit_callbacks(execute=True):
        res = call(client, token, f"{report.tracking_id}/replies", {"body": "Belum, masih berlubang di sisi kiri."})
    assert res.status_code == 201 and res.json()["state"] == "in_progress"
    again = call(client, token, f"{report.tracking_id}/replies", {"body": "Belum, masih berlubang di sisi kiri."})
    assert again.status_code == 200  # a retry adds nothing
    replies = Message.objects.filter(report=report, kind=Message.Kind.REPLY)
    assert [m.body for m in replies] == ["Belum, masih berlubang di sisi kiri."] and replies[0].author == partner.user
    report.refresh_from_db()
    assert report.state == "in_progress" and report.due_at is not None
    assert transport.payloads("partner.test")[-1]["action"] == "reply"
    assert transport.payloads("partner.test")[-1]["external_ref"] == "SAMBAT-42"


def test_the_citizens_rating_completes_and_a_dissatisfied_one_reopens(net, client):
    _partner, token = partner_make()
    report = followed_up(net, client, token)
    res = call(client, token, f"{report.tracking_id}/rating", {"rating": 4, "comment": "Cepat"})
    assert res.status_code == 200, res.content
    assert (res.json()["state"], res.json()["rating"]) == ("done", 4)
    assert list(ReportEvent.objects.filter(report=report, kind="transition").values_list("action", flat=True))[-2:] == [
        "complete",
        "rate",
    ]
    twice = call(client, token, f"{report.tracking_id}/rating", {"rating": 5})
    assert twice.status_code == 409 and twice.json()["code"] == "already_rated"

    other = followed_up(
        net,
        client,
        token,
        title="Saluran air tersumbat",
        body="Saluran air di depan sekolah tersumbat sampah sejak minggu lalu.",
    )
    res = call(
        client,
        token,
        f"{other.tracking_id}/rating",
        {"rating": 1, "satisfied": False, "comment": "Tambalan sudah rusak lagi"},
    )
    assert res.status_code == 200 and res.json()["state"] == "in_progress"
    other.refresh_from_db()
    assert other.reopen_count == 1 and other.rating == 1


def test_bad_relays_are_refused(net, client):
    _partner, token = partner_make()
    _other, other_token = partner_make("Aplikasi Kota Lain", webhook_url="")
    report = followed_up(net, client, token)
    assert call(client, other_token, f"{report.tracking_id}/replies", {"body": "x"}).status_code == 404
    # what the schema states (1-5, a reason to reopen, a reply with a letter or digit) it refuses
    # first, as for every JSON body: 422 validation_failed naming the field
    for path, body, field in (
        ("rating", {"rating": 9}, "rating"),
        ("rating", {"rating": 2, "satisfied": False}, "comment"),  # a reopen needs the reason
        ("replies", {"body": "  "}, "body"),
    ):
        res = call(client, token, f"{report.tracking_id}/{path}", body)
        assert res.status_code == 422 and res.json()["code"] == "validation_failed", res.content
        assert field in json.dumps(res.json()["detail"]), res.content
    report.refresh_from_db()
    assert report.state == "followed_up" and report.rating is None
    assert PartnerReport.objects.get(report=report).external_ref == "SAMBAT-42"
