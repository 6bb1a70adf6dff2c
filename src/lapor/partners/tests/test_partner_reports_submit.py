"""Partner systems submit through /api/partners/, read their reports' status, and hear back on
a signed webhook for every public change of their reports."""

import json

from lapor.accounts.models import User
from lapor.accounts.testing import token_make
from lapor.notifications.models import OutboxMessage
from lapor.partners.models import Partner, PartnerReport
from lapor.partners.signing import signature_valid
from lapor.reports import services
from lapor.reports.models import Report
from lapor.reports.services import Actor

URL = "/api/partners/reports"


def partner_make(name="Sambat Online", webhook_url="http://partner.test/hooks/lapor") -> tuple[Partner, str]:
    user = User.objects.create_user(full_name=name)
    partner = Partner.objects.create(name=name, user=user, webhook_url=webhook_url)
    return partner, token_make(user)


def post(client, token, data, key=None):
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    return client.post(URL, json.dumps(data), content_type="application/json", headers=headers)


ROAD = {
    "title": "Jalan berlubang",
    "body": "Lubang di depan pasar membahayakan.",
    "region_code": "13.74.02",
    "external_ref": "SAMBAT-42",
}


def test_partner_submits_once_per_idempotency_key(net, client):
    partner, token = partner_make()
    first = post(client, token, {**ROAD, "topic_id": net.roads.pk}, key="k-1")
    again = post(client, token, {**ROAD, "topic_id": net.roads.pk}, key="k-1")
    assert (first.status_code, again.status_code) == (201, 200), first.content
    assert first.json()["tracking_id"] == again.json()["tracking_id"]
    assert Report.objects.count() == 1 and PartnerReport.objects.count() == 1
    report = Report.objects.get()
    assert report.channel == "partner" and report.reporter == partner.user
    assert first.json()["external_ref"] == "SAMBAT-42" and first.json()["status"] == "open"
    assert first.json()["agency"] == net.dept.name  # the routing rule applied as for any report

    reused = post(client, token, {**ROAD, "title": "Lain"}, key="k-1")
    assert reused.status_code == 400 and reused.json()["code"] == "idempotency_key_reused"
    assert Report.objects.count() == 1


def test_partner_reads_only_its_own_reports(net, client):
    _partner, token = partner_make()
    _other, other_token = partner_make("Aplikasi Kota Lain", webhook_url="")
    tid = post(client, token, ROAD).json()["tracking_id"]
    res = client.get(f"{URL}/{tid}", headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 200 and res.json()["tracking_id"] == tid and res.json()["state"] == "submitted"
    assert client.get(f"{URL}/{tid}", headers={"Authorization": f"Bearer {other_token}"}).status_code == 404


def test_bad_partner_requests_are_refused_and_change_nothing(net, client):
    partner, token = partner_make()
    citizen_token = token_make(net.user("reporter"))
    assert client.post(URL, json.dumps(ROAD), content_type="application/json").status_code == 401
    res = post(client, citizen_token, ROAD)
    assert res.status_code == 403 and res.json()["code"] == "not_a_partner"
    res = client.post(URL, b"{not json", content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert 400 <= res.status_code < 500
    res = post(client, token, {**ROAD, "title": ""})
    assert res.status_code == 422 and res.json()["code"] == "validation_failed"  # the schema: a title has a letter
    partner.is_active = False
    partner.save()
    assert post(client, token, ROAD).status_code == 403
    assert not Report.objects.exists() and not OutboxMessage.objects.exists()


def test_every_public_change_reaches_the_partner_signed(net, client, transport, django_capture_on_commit_callbacks):
    partner, token = partner_make()
    with django_capture_on_commit_callbacks(execute=True):
        tid = post(client, token, ROAD, key="k-9").json()["tracking_id"]
    report = Report.objects.get(tracking_id=tid)
    city_admin = Actor(user=net.user("city_admin"))
    with django_capture_on_commit_callbacks(execute=True):
        services.report_route(report=report, actor=Actor(user=net.user("platform")), agency=net.city)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_note(report=report, actor=city_admin, body="catatan internal: cek anggaran")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_follow_up(report=report, actor=city_admin, body="Sudah ditambal.")

    hooks = transport.to("partner.test")
    for hook in hooks:
        assert signature_valid(partner.webhook_secret, hook["body"], hook["headers"]["X-Lapor-Signature"])
        assert hook["headers"]["X-Lapor-Delivery"] and hook["path"] == "/hooks/lapor"
    payloads = transport.payloads("partner.test")
    assert [(p["kind"], p["action"]) for p in payloads] == [
        ("submitted", ""),
        ("transition", "route"),
        ("message", ""),
        ("transition", "follow_up"),
    ]
    assert (
        payloads[-1]["report"]["state"] == "followed_up" and payloads[-1]["report"]["status_notes"] == "Sudah ditambal."
    )
    assert all(p["report"]["tracking_id"] == tid for p in payloads)
    assert payloads[-1]["external_ref"] == "SAMBAT-42"
    assert "catatan internal" not in b"".join(h["body"] for h in hooks).decode()
    assert OutboxMessage.objects.filter(channel="webhook", status="sent").count() == 4


def test_a_partner_that_is_down_gets_retries_not_lost_updates(
    net, client, transport, settings, django_capture_on_commit_callbacks
):
    settings.LAPOR_OUTBOX_MAX_ATTEMPTS = 2
    _partner, token = partner_make()
    transport.down.add("partner.test")
    with django_capture_on_commit_callbacks(execute=True):
        post(client, token, ROAD)
    message = OutboxMessage.objects.get(channel="webhook")
    assert message.status == "retry" and message.attempts == 1 and "down" in message.last_error
