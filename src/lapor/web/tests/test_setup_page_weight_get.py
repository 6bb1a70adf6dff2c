"""The set-up pages at their fullest stay within the staff budget of 25 KB of compressed HTML
(docs/web.md, "Page weight"): 200 partners and 200 peers listed, 20 failed deliveries and 20
forwarded reports on a detail page, 50 signed-in browsers on Keamanan akun."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from lapor.accounts.models import UserSession
from lapor.notifications.models import OutboxMessage
from lapor.partners import services as setup
from lapor.partners.models import FederationLink, Partner, Peer
from lapor.partners.selectors import LIST_SHOWN
from lapor.reports import services

STAFF_BUDGET = 25 * 1024
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
ANDROID = (
    "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"
)


def _wire(client: Client, url: str) -> int:
    res = client.get(url, **GZIP)
    assert res.status_code == 200, url
    assert res.get("Content-Encoding") == "gzip", url
    return len(res.content)


def _full(net):
    platform = net.user("platform")
    made = setup.partner_create(actor=platform, name="Sambat Online", webhook_url="https://sambat.example/hooks/lapor")
    for i in range(LIST_SHOWN + 5):
        setup.partner_create(
            actor=platform, name=f"Aplikasi Pengaduan Kabupaten Nomor {i}", webhook_url=f"https://app{i}.example/hook"
        )
    peer, _secret = setup.peer_create(
        actor=platform, name="Provinsi Sumatera Barat", slug="sumbar", base_url="https://lapor.sumbarprov.example"
    )
    Peer.objects.bulk_create(
        Peer(name=f"Pemerintah Kota Contoh {i}", slug=f"kota-{i}", base_url=f"https://lapor.kota{i}.example")
        for i in range(LIST_SHOWN + 5)
    )
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            channel="webhook",
            recipient=url,
            dedupe_key=key,
            status=OutboxMessage.Status.DEAD,
            attempts=8,
            last_error="HTTPSConnectionPool(host='sambat.example', port=443): Read timed out. (read timeout=10) " * 3,
        )
        for i in range(40)
        for url, key in [
            (made.partner.webhook_url, f"partner:{made.partner.pk}:event:{i}"),
            ("https://lapor.sumbarprov.example/federation/inbound", f"federation:forward:{i}"),
        ]
    )
    for i in range(25):
        report, _s = services.report_submit(
            submission=services.Submission(
                title=f"Jalan rusak {i}", body="Lubang besar di jalan.", guest_name="R", guest_email=f"r{i}@w.example"
            ),
        )
        FederationLink.objects.create(
            report=report,
            peer=peer,
            direction="outbound",
            remote_tracking_id=f"AB{i:02d}-CDEF",
            remote_state="in_progress",
        )
    return made.partner, peer


def test_the_set_up_pages_stay_within_25_kb(net):
    partner, peer = _full(net)
    client = Client()
    client.force_login(net.user("platform"))
    now = timezone.now()
    UserSession.objects.bulk_create(
        UserSession(
            user=net.user("platform"),
            session_key=f"k{i:039d}",
            user_agent=ANDROID,
            ip_prefix="203.0.113.0/24",
            created_at=now - dt.timedelta(hours=1),
            last_seen_at=now,
        )
        for i in range(60)
    )
    assert Partner.objects.count() > LIST_SHOWN
    pages = {
        "partners": "/petugas/mitra/",
        "partner": f"/petugas/mitra/{partner.pk}/",
        "peers": "/petugas/federasi/",
        "peer": f"/petugas/federasi/{peer.pk}/",
        "security": "/saya/keamanan/",
    }
    for name, url in pages.items():
        wire = _wire(client, url)
        print(f"{name}: {wire} B gzip")
        assert wire <= STAFF_BUDGET, (name, wire)
