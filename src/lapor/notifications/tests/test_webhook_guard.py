"""Partner and peer webhooks go only to public https addresses unless LAPOR_WEBHOOK_ALLOW_PRIVATE:
refused when the address is set up (a field error in the user's language) and again when
connecting (a public-looking name that resolves inside). A failure is stored with a code and its
technical detail, and read back in plain words."""

from __future__ import annotations

import socket
import ssl
import urllib.error

import pytest
from django.utils import translation

from lapor.core.addresses import PrivateAddressRefused, address_refusal, connection_open
from lapor.core.errors import ValidationFailed
from lapor.notifications import senders
from lapor.notifications.failures import failure_detail, failure_reason, failure_text
from lapor.notifications.models import OutboxMessage
from lapor.notifications.services import outbox_deliver
from lapor.partners import services as setup
from lapor.partners.models import Partner

from .receivers import http_receiver

REFUSED = [
    "http://sambat.example/hook",
    "https://127.0.0.1/hook",
    "https://127.8.9.10:8443/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://10.1.2.3/hook",
    "https://172.20.0.5/hook",
    "https://192.168.1.10/hook",
    "https://[::1]/hook",
    "https://[fe80::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://100.64.0.1/hook",
    "https://localhost/hook",
    "https://metadata.google.internal/hook",
    "https://printer.local/hook",
    "https://intranet/hook",
]


@pytest.fixture
def private_refused(settings):
    settings.LAPOR_WEBHOOK_ALLOW_PRIVATE = False
    settings.CELERY_BROKER_URL = ""


@pytest.mark.parametrize("url", REFUSED)
def test_an_internal_or_plain_http_address_is_refused_at_set_up(net, private_refused, url):
    with translation.override("id"), pytest.raises(ValidationFailed) as err:
        setup.partner_create(actor=net.user("platform"), name="Sambat Online", webhook_url=url)
    assert err.value.detail["field"] == "webhook_url"
    assert "https://" in str(err.value.message) or "internal" in str(err.value.message)
    with pytest.raises(ValidationFailed) as err:
        setup.peer_create(actor=net.user("platform"), name="Provinsi", slug="prov", base_url=url)
    assert err.value.detail["field"] == "base_url"
    assert not Partner.objects.exists()


def test_the_refusal_is_in_the_users_language(private_refused):
    with translation.override("id"):
        indonesian = address_refusal("https://10.0.0.1/hook")
    with translation.override("en"):
        english = address_refusal("https://10.0.0.1/hook")
    assert "Alamat jaringan internal" in indonesian and english and english != indonesian


def test_a_public_https_address_is_accepted_and_loopback_is_when_allowed(net, settings):
    settings.LAPOR_WEBHOOK_ALLOW_PRIVATE = False
    assert address_refusal("https://lapor.sumbarprov.go.id/federation") == ""
    made = setup.partner_create(actor=net.user("platform"), name="Sambat", webhook_url="https://sambat.example/h")
    assert made.partner.webhook_url == "https://sambat.example/h"
    settings.LAPOR_WEBHOOK_ALLOW_PRIVATE = True
    assert all(address_refusal(url) == "" for url in REFUSED)


def test_connecting_to_a_name_that_resolves_inside_is_refused_before_any_byte(private_refused):
    with http_receiver() as (url, receiver):
        port = int(url.split(":")[2].split("/")[0])
        with pytest.raises(PrivateAddressRefused):
            connection_open(("localhost", port), 2)
        with pytest.raises(urllib.error.URLError) as err:
            senders.http_post(f"https://localhost:{port}/hook", b"{}", {}, guard=True)
        assert isinstance(err.value.reason, PrivateAddressRefused)
        with pytest.raises(PrivateAddressRefused):
            senders.http_post(url, b"{}", {}, guard=True)  # plain http://
        assert receiver.requests == []


def test_a_partners_webhook_set_before_the_rule_is_refused_at_send_time(net, private_refused):
    """An address written before the rule (or straight into the database) is checked when sending."""
    with http_receiver() as (url, receiver):
        port = int(url.split(":")[2].split("/")[0])
        made = setup.partner_create(actor=net.user("platform"), name="Sambat", webhook_url="https://sambat.example/h")
        Partner.objects.filter(pk=made.partner.pk).update(webhook_url=f"https://localhost:{port}/hook")
        row = OutboxMessage.objects.create(
            channel="webhook",
            recipient="https://sambat.example/h",
            dedupe_key=f"partner:{made.partner.pk}:event:1",
            payload={"event": "report.updated"},
        )
        outbox_deliver(message_id=row.pk)
        assert receiver.requests == []
    row.refresh_from_db()
    assert row.status == "retry" and row.last_error.startswith("[private] ")
    with translation.override("id"):
        assert failure_reason(row.last_error) == "Alamat jaringan internal atau tanpa https ditolak"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _failure(url: str) -> str:
    try:
        senders.http_post(url, b"{}", {}, guard=True)
    except Exception as exc:  # the outbox stores what any failure says
        return failure_text(exc)
    raise AssertionError(f"{url} did not fail")


def test_real_failures_are_told_in_plain_words_with_the_detail_kept(settings, monkeypatch):
    settings.LAPOR_WEBHOOK_ALLOW_PRIVATE = True  # loopback receivers
    refused = _failure(f"http://127.0.0.1:{_closed_port()}/hook")
    with http_receiver() as (url, receiver):
        receiver.status = 500
        rejected = _failure(url)
        tls = _failure(url.replace("http://", "https://"))  # a TLS hello to a plain HTTP server

    def no_such_name(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    dns = _failure("https://sambat.invalid/hook")
    with translation.override("id"):
        assert failure_reason(refused) == "Koneksi ditolak"
        assert failure_reason(rejected) == "Ditolak: HTTP 500 dari penerima"
        assert failure_reason(dns) == "Alamat tidak ditemukan (DNS)"
        assert failure_reason(tls) == "Sertifikat TLS tidak sah"
        assert failure_reason(failure_text(TimeoutError("timed out"))) == "Waktu habis"
        assert failure_reason(failure_text(ssl.SSLCertVerificationError("certificate verify failed"))) == (
            "Sertifikat TLS tidak sah"
        )
        # rows stored before the codes are read from their text
        assert failure_reason("URLError: <urlopen error [Errno -2] Name or service not known>") == (
            "Alamat tidak ditemukan (DNS)"
        )
        assert failure_reason("HTTP 502 from receiver") == "Ditolak: HTTP 502 dari penerima"
    assert "Name or service not known" in failure_detail(dns) and not failure_detail(dns).startswith("[")
    with translation.override("en"):
        assert failure_reason(dns) != "Alamat tidak ditemukan (DNS)"
