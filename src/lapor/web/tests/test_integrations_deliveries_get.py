"""The deliveries on a partner's set-up page: each says what it was about and when, a failure its
reason in plain words (the technical detail folded away), and the time of the real next attempt,
which moves after each attempt. A refused webhook address comes back next to its field."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from lapor.accounts.testing import token_make
from lapor.notifications.models import OutboxMessage
from lapor.notifications.services import outbox_deliver
from lapor.notifications.tests.receivers import http_receiver
from lapor.partners import services as setup
from lapor.partners.models import Partner

RAW = "URLError: <urlopen error [Errno -2] Name or service not known>"


def _client(user, lang: str = "id") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def _cards(html: str) -> list[str]:
    return re.findall(r'<li class="card" data-delivery="[^"]+">.*?</li>', html, flags=re.S)


@pytest.fixture
def partner(net):
    return setup.partner_create(
        actor=net.user("platform"), name="Sambat Online", webhook_url="https://s.test/h"
    ).partner


def test_two_deliveries_of_one_report_show_their_event_and_time(net, partner, client, settings):
    settings.CELERY_BROKER_URL = ""
    from lapor.reports import services
    from lapor.reports.models import Report
    from lapor.reports.services import Actor

    res = client.post(
        "/api/partners/reports",
        '{"title": "Jalan berlubang", "body": "Lubang di depan pasar.", "region_code": "13.74.02"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_make(partner.user)}"},
    )
    report = Report.objects.get(tracking_id=res.json()["tracking_id"])
    services.report_route(report=report, actor=Actor(user=net.user("platform")), agency=net.city)
    services.report_follow_up(report=report, actor=Actor(user=net.user("city_admin")), body="Sudah ditambal.")
    html = _client(net.user("platform")).get(f"/petugas/mitra/{partner.pk}/").content.decode()
    events = re.findall(r'<strong data-testid="delivery-event">([^<]+)</strong>', html)
    assert events == ["Status: Ditindaklanjuti", "Pesan", "Status: Terverifikasi", "Laporan diterima"]
    assert html.count(report.tracking_id) >= 3
    assert len(set(re.findall(r"<time datetime=\"([^\"]+)\"", html))) >= 3  # each its own time


def test_a_failure_shows_a_plain_reason_and_its_detail_folded_away(net, partner):
    OutboxMessage.objects.create(
        channel="webhook",
        recipient=partner.webhook_url,
        dedupe_key=f"partner:{partner.pk}:event:1",
        payload={"event": "report.updated", "kind": "message", "action": ""},
        status=OutboxMessage.Status.DEAD,
        attempts=8,
        last_error="[dns] " + RAW,
    )
    html = _client(net.user("platform")).get(f"/petugas/mitra/{partner.pk}/").content.decode()
    card = _cards(html)[0]
    assert 'data-testid="delivery-reason">Alamat tidak ditemukan (DNS)<' in card
    assert "[dns]" not in card and "Pesan" in card
    detail = re.search(r"<details>.*?</details>", card, flags=re.S)
    assert detail and "Name or service not known" in detail.group(0)
    assert "Name or service not known" not in card.replace(detail.group(0), "")
    english = _client(net.user("platform"), "en").get(f"/petugas/mitra/{partner.pk}/").content.decode()
    assert "Address not found (DNS)" in english


def test_the_next_attempt_shown_is_the_real_one_and_moves_after_each_attempt(net, partner, settings):
    settings.LAPOR_WEBHOOK_ALLOW_PRIVATE = True  # the partner's receiver listens on loopback
    client = _client(net.user("platform"))
    with http_receiver() as (url, receiver):
        receiver.status = 500
        Partner.objects.filter(pk=partner.pk).update(webhook_url=url)
        row = OutboxMessage.objects.create(
            channel="webhook",
            recipient=url,
            dedupe_key=f"partner:{partner.pk}:event:2",
            payload={"event": "report.updated", "kind": "transition", "action": "route", "report": {"state": "routed"}},
        )
        shown = []
        for _attempt in range(2):
            outbox_deliver(message_id=row.pk)
            row.refresh_from_db()
            html = client.get(f"/petugas/mitra/{partner.pk}/").content.decode()
            nxt = re.search(r'data-testid="delivery-next">[^<]*<time datetime="([^"]+)"', html)
            assert nxt, html
            shown.append(dt.datetime.fromisoformat(nxt.group(1)))
            assert abs(shown[-1] - row.next_attempt_at) < dt.timedelta(seconds=1)
            assert "Ditolak: HTTP 500 dari penerima" in html and "Status: Terverifikasi" in html
            OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())  # due again now
        assert len(receiver.requests) == 2
    assert shown[1] > shown[0]  # the backoff doubled: the page follows it


def test_an_internal_webhook_address_is_refused_next_to_its_field(net, partner, settings):
    settings.LAPOR_WEBHOOK_ALLOW_PRIVATE = False
    res = _client(net.user("platform")).post(
        f"/petugas/mitra/{partner.pk}/",
        {"name": partner.name, "webhook_url": "https://169.254.169.254/latest/", "default_channel": "partner"},
    )
    assert res.status_code == 400
    assert "Alamat jaringan internal" in res.content.decode()
    partner.refresh_from_db()
    assert partner.webhook_url == "https://s.test/h"
