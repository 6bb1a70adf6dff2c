"""A webhook to a partner or a peer goes to its address at send time: after the operator corrects
the address, "Kirim ulang" reaches the new one (real HTTP receivers on loopback), and the delivery
still belongs to its peer on the set-up page."""

from __future__ import annotations

import json

import pytest

from lapor.notifications.models import OutboxMessage
from lapor.notifications.tests.receivers import http_receiver
from lapor.partners import services as setup
from lapor.partners.federation import report_federate
from lapor.partners.models import Peer
from lapor.partners.selectors import delivery_list
from lapor.partners.signing import signature_valid
from lapor.reports.services import Actor

from .helpers import report_make

ROAD = {"title": "Jalan berlubang", "body": "Lubang di depan pasar membahayakan.", "region_code": "13.74.02"}


@pytest.fixture(autouse=True)
def _loopback(settings):
    settings.LAPOR_WEBHOOK_ALLOW_PRIVATE = True  # the receivers below listen on 127.0.0.1
    settings.CELERY_BROKER_URL = ""  # deliver in this process after commit


def test_a_retry_after_the_partners_address_changed_reaches_the_new_address(
    net, client, django_capture_on_commit_callbacks
):
    platform = net.user("platform")
    with http_receiver() as (old_url, old), http_receiver() as (new_url, new):
        old.status = 500  # the old address answers, badly
        made = setup.partner_create(actor=platform, name="Sambat Online", webhook_url=old_url)
        auth = {"Authorization": f"Bearer {made.api_key}"}
        with django_capture_on_commit_callbacks(execute=True):
            res = client.post("/api/partners/reports", json.dumps(ROAD), content_type="application/json", headers=auth)
        assert res.status_code == 201
        message = OutboxMessage.objects.get(channel="webhook")
        assert message.status == "retry" and len(old.requests) == 1 and message.last_error.startswith("[http:500]")

        setup.partner_update(
            actor=platform, partner=made.partner, name=made.partner.name, webhook_url=new_url, default_channel="partner"
        )
        with django_capture_on_commit_callbacks(execute=True):
            setup.delivery_retry(actor=platform, owner=made.partner, delivery_id=str(message.delivery_id))

        assert len(old.requests) == 1 and len(new.requests) == 1
        got = new.requests[0]
        assert got["headers"]["X-Lapor-Delivery"] == str(message.delivery_id)
        assert signature_valid(made.webhook_secret, got["body"], got["headers"]["X-Lapor-Signature"])
        assert json.loads(got["body"])["report"]["tracking_id"] == res.json()["tracking_id"]
    message.refresh_from_db()
    assert message.status == "sent" and message.last_error == ""


def test_a_partner_whose_address_was_removed_is_not_sent_to_the_old_one(
    net, client, django_capture_on_commit_callbacks
):
    platform = net.user("platform")
    with http_receiver() as (url, receiver):
        receiver.status = 503
        made = setup.partner_create(actor=platform, name="Sambat Online", webhook_url=url)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                "/api/partners/reports",
                json.dumps(ROAD),
                content_type="application/json",
                headers={"Authorization": f"Bearer {made.api_key}"},
            )
        setup.partner_update(
            actor=platform, partner=made.partner, name=made.partner.name, webhook_url="", default_channel="partner"
        )
        message = OutboxMessage.objects.get(channel="webhook")
        with django_capture_on_commit_callbacks(execute=True):
            setup.delivery_retry(actor=platform, owner=made.partner, delivery_id=str(message.delivery_id))
        assert len(receiver.requests) == 1  # the first attempt only
    message.refresh_from_db()
    assert message.status == "retry" and message.last_error.startswith("[no_address]")


def test_a_retry_after_the_peers_base_url_changed_reaches_its_new_door(net, django_capture_on_commit_callbacks):
    platform = net.user("platform")
    with http_receiver() as (old_url, old), http_receiver() as (new_url, new):
        old.status = 502
        old_base, new_base = old_url.removesuffix("/hook"), new_url.removesuffix("/hook") + "/lapor"
        peer, secret = setup.peer_create(
            actor=platform, name="Provinsi", slug="sumbar", base_url=old_base, direction=Peer.Direction.OUTBOUND
        )
        report = report_make(net)
        with django_capture_on_commit_callbacks(execute=True):
            report_federate(
                report=report, actor=Actor(user=net.user("city_admin")), peer=peer, reason="Kewenangan provinsi"
            )
        message = OutboxMessage.objects.get(channel="webhook", report=report)
        assert message.status == "retry" and old.requests[0]["path"] == "/federation/inbound"

        setup.peer_update(
            actor=platform,
            peer=peer,
            name=peer.name,
            slug=peer.slug,
            base_url=new_base,
            direction=peer.direction,
            agency=None,
        )
        assert [m.pk for m in delivery_list(peer)] == [message.pk]  # still its own after the change
        with django_capture_on_commit_callbacks(execute=True):
            setup.delivery_retry(actor=platform, owner=peer, delivery_id=str(message.delivery_id))

        assert len(old.requests) == 1 and [r["path"] for r in new.requests] == ["/lapor/federation/inbound"]
        got = new.requests[0]
        assert signature_valid(secret, got["body"], got["headers"]["X-Lapor-Signature"])
    message.refresh_from_db()
    assert message.status == "sent"


def test_a_webhook_that_belongs_to_no_partner_keeps_its_address(net, django_capture_on_commit_callbacks):
    from lapor.notifications.services import outbox_enqueue

    with http_receiver() as (url, receiver):
        with django_capture_on_commit_callbacks(execute=True):
            outbox_enqueue(channel="webhook", recipient=url, payload={"a": 1}, dedupe_key="social:x:1")
        assert len(receiver.requests) == 1
